"""Idempotency keys, kept in the database so that repeats racing on several processes still get
the first answer, and the command runs once."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum

from hirelog.tables import Tables

DDL = (
    """CREATE TABLE IF NOT EXISTS {schema}.hirelog_idempotency_keys (
        token_id TEXT NOT NULL,
        idempotency_key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        status INTEGER,
        headers TEXT,
        body TEXT,
        created_at TEXT NOT NULL,
        PRIMARY KEY (token_id, idempotency_key))""",
)
KEEP_FOR = timedelta(hours=48)  # the contract says at least 24 hours


class Claim(Enum):
    OWNED = "owned"  # this request runs the command and must complete or release the key
    REPLAY = "replay"  # the first answer is there: send it again
    IN_PROGRESS = "in_progress"  # the first request has not answered yet
    MISMATCH = "mismatch"  # same key, different request


@dataclass(frozen=True)
class Attempt:
    claim: Claim
    status: int | None = None
    headers: dict[str, str] | None = None
    body: str | None = None
    started_at: datetime | None = None


class IdempotencyStore:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def claim(self, token_id: str, key: str, fingerprint: str) -> Attempt:
        now = datetime.now(UTC)
        with self.tables.transaction() as cursor:
            if random.random() < 0.01:
                cursor.execute("DELETE FROM {schema}.hirelog_idempotency_keys"
                               " WHERE created_at < %s", ((now - KEEP_FOR).isoformat(),))
            inserted = cursor.execute(
                "INSERT INTO {schema}.hirelog_idempotency_keys (token_id, idempotency_key,"
                " fingerprint, created_at) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (token_id, key, fingerprint, now.isoformat())).rowcount
        if inserted:
            return Attempt(Claim.OWNED)
        return self.look(token_id, key, fingerprint)

    def look(self, token_id: str, key: str, fingerprint: str) -> Attempt:
        with self.tables.transaction(commit=False) as cursor:
            row = cursor.execute(
                "SELECT * FROM {schema}.hirelog_idempotency_keys"
                " WHERE token_id = %s AND idempotency_key = %s", (token_id, key)).one()
        if row is None:  # released by a failed first attempt meanwhile: try again
            return self.claim(token_id, key, fingerprint)
        if row["fingerprint"] != fingerprint:
            return Attempt(Claim.MISMATCH)
        started = datetime.fromisoformat(row["created_at"])
        if row["status"] is None:
            return Attempt(Claim.IN_PROGRESS, started_at=started)
        return Attempt(Claim.REPLAY, row["status"], json.loads(row["headers"]), row["body"],
                       started)

    def complete(self, token_id: str, key: str, status: int, headers: dict[str, str],
                 body: str) -> None:
        with self.tables.transaction() as cursor:
            cursor.execute(
                "UPDATE {schema}.hirelog_idempotency_keys SET status = %s, headers = %s,"
                " body = %s WHERE token_id = %s AND idempotency_key = %s",
                (status, json.dumps(headers), body, token_id, key))

    def release(self, token_id: str, key: str) -> None:
        """The first attempt failed on our side (5xx): a repeat may run the command."""
        with self.tables.transaction() as cursor:
            cursor.execute("DELETE FROM {schema}.hirelog_idempotency_keys"
                           " WHERE token_id = %s AND idempotency_key = %s AND status IS NULL",
                           (token_id, key))

"""Idempotency keys, kept in the database, answered in the command's own transaction.

A command given a key writes the key's answer (status, headers, body) in the same
transaction as its events (the recorders in storage/datastores.py call `PendingAnswer.write`), so
there is no moment at which the events are recorded and the key is not answered, or the
other way round: a retry after any crash finds the answer, or finds nothing and runs the
command, exactly once. Nothing is ever "in progress": a repeat racing the first request runs
the command too, and the key's primary key lets only one of them commit (AnsweredElsewhere
rolls the other back, which then answers what the winner answered). Answers that record
nothing (4xx) are kept afterwards, in a transaction of their own.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.application import Receipt
from storage.tables import Cursor, Tables

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


class AnsweredElsewhere(Exception):
    """Another request with this key committed first: this one's transaction rolled back."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: str


@dataclass(frozen=True)
class Found:
    """A key's stored answer, and the fingerprint of the request that got it."""

    fingerprint: str
    answer: Answer


Render = Callable[[Receipt], Answer]


@dataclass
class Once:
    """One request's key: what to write with its command's events."""

    token_id: str
    key: str
    fingerprint: str
    render: Render
    written: bool = field(default=False)

    def bound(self, receipt: Receipt) -> PendingAnswer:
        """For the application service: the answer to write once the position is known."""
        return PendingAnswer(self, receipt)

    def write(self, cursor: Cursor, answer: Answer) -> None:
        """Within the command's transaction; AnsweredElsewhere if the key is taken."""
        now = datetime.now(UTC)
        cursor.execute("DELETE FROM {schema}.hirelog_idempotency_keys WHERE token_id = %s "
                       "AND idempotency_key = %s AND (created_at < %s OR status IS NULL)",
                       (self.token_id, self.key, (now - KEEP_FOR).isoformat()))
        if not _insert(cursor, self, answer, now):
            raise AnsweredElsewhere(self.key)
        self.written = True


@dataclass(frozen=True)
class PendingAnswer:
    once: Once
    receipt: Receipt

    def write(self, cursor: Cursor, position: int) -> None:
        self.once.write(cursor, self.once.render(replace(self.receipt, position=position)))


def _insert(cursor: Cursor, once: Once, answer: Answer, now: datetime) -> bool:
    return cursor.execute(
        "INSERT INTO {schema}.hirelog_idempotency_keys (token_id, idempotency_key, "
        "fingerprint, status, headers, body, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT DO NOTHING",
        (once.token_id, once.key, once.fingerprint, answer.status, json.dumps(answer.headers),
         answer.body, now.isoformat())).rowcount == 1


class IdempotencyStore:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def find(self, token_id: str, key: str) -> Found | None:
        """The key's answer, if a request with it was answered in the last KEEP_FOR."""
        cutoff = (datetime.now(UTC) - KEEP_FOR).isoformat()
        with self.tables.transaction(commit=False) as cursor:
            row = cursor.execute(
                "SELECT * FROM {schema}.hirelog_idempotency_keys WHERE token_id = %s AND "
                "idempotency_key = %s AND created_at >= %s AND status IS NOT NULL",
                (token_id, key, cutoff)).one()
        if row is None:
            return None
        return Found(row["fingerprint"],
                     Answer(row["status"], json.loads(row["headers"]), row["body"]))

    def keep(self, once: Once, answer: Answer) -> bool:
        """Keep an answer that recorded nothing (a 4xx); False if another request with the
        key was answered first (its answer stays)."""
        now = datetime.now(UTC)
        with self.tables.transaction() as cursor:
            if random.random() < 0.01:  # now and then, forget expired keys
                cursor.execute("DELETE FROM {schema}.hirelog_idempotency_keys"
                               " WHERE created_at < %s", ((now - KEEP_FOR).isoformat(),))
            cursor.execute("DELETE FROM {schema}.hirelog_idempotency_keys WHERE token_id = %s"
                           " AND idempotency_key = %s AND (created_at < %s OR status IS NULL)",
                           (once.token_id, once.key, (now - KEEP_FOR).isoformat()))
            return _insert(cursor, once, answer, now)


def replayed_headers(answer: Answer) -> dict[str, Any]:
    return {**answer.headers, "Idempotent-Replayed": "true"}

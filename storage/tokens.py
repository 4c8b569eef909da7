"""API tokens: random, shown once, stored only as a hash, revocable at once."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain import bounds
from domain.errors import InvalidValue, NotFound
from domain.values import Actor, Role
from storage.tables import Cursor, Tables

DDL = (
    """CREATE TABLE IF NOT EXISTS {schema}.hirelog_api_tokens (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        client_id TEXT,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        created_by TEXT,
        revoked_at TEXT)""",
)
TOKEN_ROLES = (Role.ADMIN.value, Role.RECRUITER.value, Role.CLIENT.value, Role.AUDITOR.value)
BOOTSTRAP_ID = "bootstrap-admin"


@dataclass(frozen=True)
class TokenInfo:
    id: str
    name: str
    role: str
    client_id: UUID | None
    created_at: datetime
    revoked_at: datetime | None

    @property
    def actor(self) -> Actor:
        return Actor(id=self.id, name=self.name, role=self.role, client_id=self.client_id)


def _hash(token: str) -> str:
    """Tokens carry 256 random bits, so a plain SHA-256 is enough (no password stretching)."""
    return hashlib.sha256(token.encode()).hexdigest()


def _info(row: dict) -> TokenInfo:
    return TokenInfo(
        id=row["id"], name=row["name"], role=row["role"],
        client_id=UUID(row["client_id"]) if row["client_id"] else None,
        created_at=datetime.fromisoformat(row["created_at"]),
        revoked_at=datetime.fromisoformat(row["revoked_at"]) if row["revoked_at"] else None)


class TokenStore:
    def __init__(self, tables: Tables, client_exists: Callable[[UUID], bool],
                 bootstrap_admin_token: str | None = None) -> None:
        self.tables = tables
        self.client_exists = client_exists
        self.bootstrap_hash = _hash(bootstrap_admin_token) if bootstrap_admin_token else None

    def create(self, *, name: str, role: str, client_id: UUID | None = None,
               created_by: str | None = None,
               also: Callable[[Cursor, str], None] | None = None) -> tuple[TokenInfo, str]:
        """A new token and its secret; the secret is returned here and never again.
        `also(cursor, token_id)` runs in the same transaction (an idempotency key's answer)."""
        name = bounds.check_text(name.strip(), "name")
        if not name or len(name) > 200:
            raise InvalidValue("a token needs a name of 1 to 200 characters")
        if role not in TOKEN_ROLES:
            raise InvalidValue(f"role must be one of {', '.join(TOKEN_ROLES)}")
        if (role == Role.CLIENT.value) != (client_id is not None):
            raise InvalidValue("a client token needs a client_id, and only a client token has one")
        if client_id is not None and not self.client_exists(client_id):
            raise InvalidValue(f"client_id: no client with id {client_id}")
        token = "hl_" + secrets.token_urlsafe(32)
        token_id, now = str(uuid.uuid4()), datetime.now(UTC).isoformat()
        with self.tables.transaction() as cursor:
            cursor.execute(
                "INSERT INTO {schema}.hirelog_api_tokens (id, name, role, client_id, token_hash,"
                " created_at, created_by) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (token_id, name, role, str(client_id) if client_id else None, _hash(token), now,
                 created_by))
            if also is not None:
                also(cursor, token_id)
        return self.get(token_id), token

    def authenticate(self, token: str) -> TokenInfo | None:
        """The token's holder, or None for an unknown or revoked token."""
        digest = _hash(token)
        if self.bootstrap_hash and hmac.compare_digest(digest, self.bootstrap_hash):
            return TokenInfo(BOOTSTRAP_ID, "bootstrap admin", Role.ADMIN.value, None,
                             datetime.min.replace(tzinfo=UTC), None)
        with self.tables.transaction(commit=False) as cursor:
            row = cursor.execute("SELECT * FROM {schema}.hirelog_api_tokens WHERE token_hash = %s"
                                 " AND revoked_at IS NULL", (digest,)).one()
        return _info(row) if row else None

    def get(self, token_id: str) -> TokenInfo:
        with self.tables.transaction(commit=False) as cursor:
            row = cursor.execute("SELECT * FROM {schema}.hirelog_api_tokens WHERE id = %s",
                                 (token_id,)).one()
        if row is None:
            raise NotFound(f"no token with id {token_id}")
        return _info(row)

    def list(self) -> list[TokenInfo]:
        with self.tables.transaction(commit=False) as cursor:
            rows = cursor.execute("SELECT * FROM {schema}.hirelog_api_tokens"
                                  " ORDER BY created_at, id").all()
        return [_info(row) for row in rows]

    def revoke(self, token_id: str) -> TokenInfo:
        now = datetime.now(UTC).isoformat()
        with self.tables.transaction() as cursor:
            cursor.execute("UPDATE {schema}.hirelog_api_tokens SET revoked_at = %s"
                           " WHERE id = %s AND revoked_at IS NULL", (now, token_id))
        return self.get(token_id)

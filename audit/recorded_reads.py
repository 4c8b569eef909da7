"""Who read which candidate, when: reads of candidate data, kept in their own table beside the
events (`hirelog_reads`), written in one transaction per request and paged by id."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from domain.values import Actor
from storage.tables import Tables

TABLE = "{schema}.hirelog_reads"
MAX_LIMIT = 1000
_ROWS_PER_INSERT = 500  # 9 parameters a row: far below SQLite's and PostgreSQL's limits
_COLUMNS = ("at", "token_id", "actor_name", "role", "client_id", "candidate_id", "what",
            "request_id", "endpoint")


def ddl(postgres: bool) -> tuple[str, ...]:
    """The table and its indexes; ids only grow (AUTOINCREMENT never reuses one)."""
    key = ("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY" if postgres
           else "INTEGER PRIMARY KEY AUTOINCREMENT")
    return (
        f"""CREATE TABLE IF NOT EXISTS {TABLE} (
            id {key},
            at TEXT NOT NULL,
            token_id TEXT NOT NULL,
            actor_name TEXT NOT NULL,
            role TEXT NOT NULL,
            client_id TEXT,
            candidate_id TEXT NOT NULL,
            what TEXT NOT NULL,
            request_id TEXT NOT NULL,
            endpoint TEXT NOT NULL)""",
        f"CREATE INDEX IF NOT EXISTS hirelog_reads_by_candidate ON {TABLE} (candidate_id, id)",
        f"CREATE INDEX IF NOT EXISTS hirelog_reads_by_token ON {TABLE} (token_id, id)",
    )


def create_table(tables: Tables) -> None:
    tables.create(ddl(tables.is_postgres))


def moment(value: datetime) -> str:
    """A time as stored: UTC, always with microseconds, so text order is time order."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Read:
    id: int
    at: datetime
    actor: Actor
    candidate_id: str
    what: str
    request_id: str
    endpoint: str


def _read(row: dict[str, Any]) -> Read:
    return Read(id=int(row["id"]), at=datetime.fromisoformat(row["at"]),
                actor=Actor(id=row["token_id"], name=row["actor_name"], role=row["role"],
                            client_id=UUID(row["client_id"]) if row["client_id"] else None),
                candidate_id=row["candidate_id"], what=row["what"],
                request_id=row["request_id"], endpoint=row["endpoint"])


class ReadLog:
    """Records reads and pages through them."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def record(self, actor: Actor, what: str, candidate_ids: Iterable[str], *, at: datetime,
               request_id: str, endpoint: str) -> int:
        """One row per distinct candidate, all in one transaction; how many were written.

        On PostgreSQL the table is locked against other writers (not readers) until commit,
        so ids are committed in order and paging with `after` never skips a late commit."""
        ids = list(dict.fromkeys(str(c) for c in candidate_ids))
        if not ids:
            return 0
        common = (moment(at), actor.id, actor.name, actor.role,
                  str(actor.client_id) if actor.client_id else None)
        rows = [(*common, candidate_id, what, request_id, endpoint) for candidate_id in ids]
        with self.tables.transaction() as cursor:
            if self.tables.is_postgres:
                cursor.execute(f"LOCK TABLE {TABLE} IN EXCLUSIVE MODE")
            for start in range(0, len(rows), _ROWS_PER_INSERT):
                chunk = rows[start:start + _ROWS_PER_INSERT]
                values = ", ".join(["(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"] * len(chunk))
                cursor.execute(f"INSERT INTO {TABLE} ({', '.join(_COLUMNS)}) VALUES {values}",
                               [value for row in chunk for value in row])
        return len(rows)

    def page(self, *, after: int = 0, limit: int = 100, token_id: str | None = None,
             candidate_id: str | None = None, start: datetime | None = None,
             end: datetime | None = None) -> tuple[list[Read], int | None]:
        """Reads after id `after`, oldest first, and the `after` of the next page (None at the
        end). `start` is inclusive, `end` exclusive."""
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be 1 to {MAX_LIMIT}")
        where: list[str] = ["id > %s"]
        params: list[Any] = [after]
        for condition, value in (("token_id = %s", token_id),
                                 ("candidate_id = %s", candidate_id),
                                 ("at >= %s", moment(start) if start else None),
                                 ("at < %s", moment(end) if end else None)):
            if value is not None:
                where.append(condition)
                params.append(value)
        with self.tables.transaction(commit=False) as cursor:
            rows = cursor.execute(f"SELECT * FROM {TABLE} WHERE {' AND '.join(where)}"
                                  " ORDER BY id LIMIT %s", [*params, limit + 1]).all()
        reads = [_read(row) for row in rows[:limit]]
        return reads, reads[-1].id if len(rows) > limit else None

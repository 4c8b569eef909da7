"""hirelog's own tables (API tokens, idempotency keys, read models) in the database of the
events, through eventsourcing's datastore: one pool, one transaction model, SQLite or Postgres."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.postgres import PostgresDatastore

from domain.application import Recruitment


class Tables:
    """Runs SQL written with %s placeholders and {schema}. table prefixes on either store."""

    def __init__(self, app: Recruitment) -> None:
        self.datastore = app.recorder.datastore  # type: ignore[attr-defined]
        self.is_postgres = isinstance(self.datastore, PostgresDatastore)
        self.prefix = f'"{self.datastore.schema}".' if self.is_postgres else ""

    def sql(self, statement: str) -> str:
        statement = statement.replace("{schema}.", self.prefix)
        return statement if self.is_postgres else statement.replace("%s", "?")

    @contextmanager
    def transaction(self, commit: bool = True) -> Iterator[Cursor]:
        with self.datastore.transaction(commit=commit) as cursor:
            yield Cursor(self, cursor)

    def create(self, statements: Sequence[str]) -> None:
        with self.transaction() as cursor:
            for statement in statements:
                cursor.execute(statement)


class Cursor:
    """A cursor whose rows are plain dicts on both stores."""

    def __init__(self, tables: Tables, cursor: Any) -> None:
        self.tables, self.cursor = tables, cursor

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Cursor:
        self.cursor.execute(self.tables.sql(statement), tuple(params))
        return self

    def one(self) -> dict[str, Any] | None:
        row = self.cursor.fetchone()
        return dict(row) if row is not None else None

    def all(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self.cursor.fetchall()]

    @property
    def rowcount(self) -> int:
        raw = getattr(self.cursor, "sqlite_cursor", self.cursor)
        return int(raw.rowcount)


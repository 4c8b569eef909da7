"""hirelog's own tables (API tokens, idempotency keys, read models) in the database of the
events, through eventsourcing's datastore: one pool, one transaction model, SQLite or Postgres."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.postgres import PostgresAggregateRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteAggregateRecorder

from domain.application import Recruitment


class Dialect:
    """SQL written with %s placeholders and {schema}. table prefixes, for either store."""

    def __init__(self, datastore: Any) -> None:
        self.is_postgres = isinstance(datastore, PostgresDatastore)
        self.prefix = f'"{datastore.schema}".' if self.is_postgres else ""

    def sql(self, statement: str) -> str:
        statement = statement.replace("{schema}.", self.prefix)
        return statement if self.is_postgres else statement.replace("%s", "?")


class Tables(Dialect):
    """Runs hirelog's SQL on the event store's own connections, on either store."""

    def __init__(self, app: Recruitment) -> None:
        recorder = app.recorder
        assert isinstance(recorder, SQLiteAggregateRecorder | PostgresAggregateRecorder)
        self.datastore: Any = recorder.datastore
        self.events_table: str = recorder.events_table_name
        super().__init__(self.datastore)

    @contextmanager
    def transaction(self, commit: bool = True) -> Iterator[Cursor]:
        """One transaction. On SQLite a writing one takes the write lock first (BEGIN
        IMMEDIATE): in WAL mode a transaction that read first cannot write once another
        connection has committed, and fails at once instead of waiting its turn."""
        if commit and not self.is_postgres:
            with self._sqlite_immediate() as cursor:
                yield cursor
            return
        with self.datastore.transaction(commit=commit) as cursor:
            yield Cursor(self, cursor)

    @contextmanager
    def _sqlite_immediate(self) -> Iterator[Cursor]:
        with self.datastore.get_connection(commit=True) as connection:
            raw = connection.cursor()
            raw.execute("BEGIN IMMEDIATE")
            try:
                yield Cursor(self, raw)
            except BaseException:
                connection.rollback()
                raise
            connection.commit()

    def create(self, statements: Sequence[str]) -> None:
        with self.transaction() as cursor:
            for statement in statements:
                cursor.execute(statement)


class Cursor:
    """A cursor whose rows are plain dicts on both stores."""

    def __init__(self, tables: Dialect, cursor: Any) -> None:
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


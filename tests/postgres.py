"""PostgreSQL helpers the tests share: a database of a test's own (so that terminating its
backends or making it read-only touches nobody else), statements run as the server's admin."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql

from hirelog.settings import Settings
from tests.databases import PG_URL, TEST_ID_KEY


def own_database_named(name: str) -> Iterator[str]:
    """Create the database, yield its name, drop it (its backends terminated first)."""
    conninfo = Settings(database_url=PG_URL).database.conninfo()  # type: ignore[union-attr]
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield name
    finally:
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                         "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


def as_admin(statement: str, *params: Any) -> None:
    conninfo = Settings(database_url=PG_URL).database.conninfo()  # type: ignore[union-attr]
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(statement, params)  # type: ignore[arg-type]


def terminate(database: str) -> None:
    as_admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
             "AND pid <> pg_backend_pid()", database)


def waiting_for_a_lock(schema: str) -> bool:
    """Whether a session is waiting for a lock in a statement that names `schema`."""
    row = admin_connection().execute("SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE "
                                     "wait_event_type = 'Lock' AND query LIKE %s)",
                                     (f"%{schema}%",)).fetchone()
    return bool(row and row[0])


def postgres_settings_for(database: str, port: int = 5432) -> Settings:
    base = Settings(database_url=PG_URL).database
    return Settings(database_url=f"postgresql://{base.user}@127.0.0.1:{port}/"  # type: ignore[union-attr]
                                 f"{database}", id_key=TEST_ID_KEY)




CATALOG = "hirelog_projections"
_ADMIN: list[psycopg.Connection[Any]] = []


def admin_connection() -> psycopg.Connection[Any]:
    """This test process's connection for preparing schemas (autocommit; a new one when the
    last was closed or broken), instead of connecting anew before and after every test."""
    if _ADMIN and not (_ADMIN[0].closed or _ADMIN[0].broken):
        return _ADMIN[0]
    _ADMIN[:] = [psycopg.connect(_conninfo(), autocommit=True)]
    return _ADMIN[0]


def close_admin_connection() -> None:
    for conn in _ADMIN:
        conn.close()
    _ADMIN.clear()


class ReusedSchema:
    """One PostgreSQL schema per test process, emptied between tests instead of created and
    dropped for each (that took about half a second a test: ~25 tables and DROP ... CASCADE).

    A new schema gets every table an application creates, once. After a test, a schema whose
    set of tables is still that one is emptied (rows deleted, sequences back to 1, so the log
    starts at position 1 again), but for the catalog of read-model generations, which goes
    back to the rows preparing the schema wrote (a process prepares a schema once: see
    storage.event_store.prepare); one a test changed (a rebuild's new generation, a dropped
    table) or that cannot be emptied at once (a lock still held) is dropped, and the next test
    gets a new one. Every schema made is dropped at the end of the session."""

    def __init__(self) -> None:
        self.name: str | None = None
        self.tables: frozenset[str] = frozenset()
        self.emptying: sql.Composable = sql.SQL("")
        self.catalog: list[tuple[Any, ...]] = []
        self.made: list[str] = []

    def take(self) -> Settings:
        if self.name is None:
            self.name = name = f"hirelog_test_{uuid.uuid4().hex[:12]}"
            self.made.append(name)
            from api import create_app  # every table an application makes, made once

            create_app(self._settings(name)).extensions["hirelog"].close()
            conn = admin_connection()
            self.tables = tables_of(conn, name)
            self.catalog = conn.execute(sql.SQL("SELECT * FROM {}").format(
                sql.Identifier(name, CATALOG))).fetchall()
            sequences = [row[0] for row in conn.execute(
                "SELECT sequence_name FROM information_schema.sequences "
                "WHERE sequence_schema = %s", (name,))]
            statements = [sql.SQL("DELETE FROM {}").format(sql.Identifier(name, table))
                          for table in sorted(self.tables)]
            statements += [sql.SQL("ALTER SEQUENCE {} RESTART").format(
                sql.Identifier(name, sequence)) for sequence in sequences]
            self.emptying = sql.SQL("; ").join(statements)
        return self._settings(self.name)

    def empty(self) -> None:
        """Ready the schema for the next test, or give it up."""
        try:
            conn = admin_connection()
            if tables_of(conn, self.name or "") != self.tables:
                raise LookupError("the test changed the schema's tables")
            with conn.transaction():
                conn.execute("SET LOCAL lock_timeout = '2s'")
                conn.execute(self.emptying)
                if self.catalog:
                    with conn.cursor() as cursor:
                        cursor.executemany(sql.SQL("INSERT INTO {} VALUES ({})").format(
                            sql.Identifier(self.name or "", CATALOG),
                            sql.SQL(", ").join([sql.Placeholder()] * len(self.catalog[0]))),
                            self.catalog)
        except (LookupError, psycopg.Error):
            self.drop(self.name or "")
            self.name = None

    def drop_all(self) -> None:
        for name in self.made:
            self.drop(name)
        close_admin_connection()

    @staticmethod
    def drop(name: str) -> None:
        try:
            with psycopg.connect(_conninfo(), autocommit=True) as conn:
                conn.execute("SET lock_timeout = '10s'")
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(name)))
        except psycopg.Error:
            pass  # still locked by a process the test left behind: dropped at the session end

    @staticmethod
    def _settings(schema: str) -> Settings:
        return Settings(database_url=f"{PG_URL}?schema={schema}", id_key=TEST_ID_KEY)


def tables_of(conn: psycopg.Connection[Any], schema: str) -> frozenset[str]:
    return frozenset(row[0] for row in conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = %s", (schema,)))


def _conninfo() -> str:
    return Settings(database_url=PG_URL).postgres().conninfo()

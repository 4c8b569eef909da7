"""PostgreSQL helpers the tests share: a database of a test's own (so that terminating its
backends or making it read-only touches nobody else), statements run as the server's admin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql

from hirelog.settings import Settings
from tests.conftest import PG_URL, TEST_ID_KEY


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


def postgres_settings_for(database: str, port: int = 5432) -> Settings:
    base = Settings(database_url=PG_URL).database
    return Settings(database_url=f"postgresql://{base.user}@127.0.0.1:{port}/"  # type: ignore[union-attr]
                                 f"{database}", id_key=TEST_ID_KEY)



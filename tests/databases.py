"""The test databases: the PostgreSQL server the tests use (HIRELOG_TEST_POSTGRES_URL), the
tests' HIRELOG_ID_KEY, and what happens when PostgreSQL is unreachable (skip, or fail in CI)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from hirelog.settings import Settings

PG_URL = os.environ.get("HIRELOG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEST_ID_KEY = "test-id-key"


def postgres_reachable() -> str | None:
    """None when reachable, else why not."""
    settings = Settings(database_url=PG_URL)
    try:
        with psycopg.connect(settings.database.conninfo(), connect_timeout=3):  # type: ignore[union-attr]
            return None
    except psycopg.OperationalError as error:
        return str(error).strip().splitlines()[0]


def require_postgres() -> None:
    problem = postgres_reachable()
    if problem is None:
        return
    message = f"PostgreSQL at {PG_URL} is unreachable: {problem}"
    if os.environ.get("HIRELOG_REQUIRE_POSTGRES") == "1":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def store_of_its_own(kind: str, folder: Path) -> Iterator[Settings]:
    """Settings of a database nobody else uses ("sqlite": a file in `folder`; "postgres": a
    schema of its own, dropped afterwards), for a history a whole test module only reads."""
    if kind == "sqlite":
        yield Settings(database_url=f"sqlite:///{folder}/own.sqlite", id_key=TEST_ID_KEY)
        return
    require_postgres()
    schema = f"hirelog_own_{uuid.uuid4().hex[:12]}"
    settings = Settings(database_url=f"{PG_URL}?schema={schema}", id_key=TEST_ID_KEY)
    try:
        yield settings
    finally:
        with psycopg.connect(settings.postgres().conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(schema)))

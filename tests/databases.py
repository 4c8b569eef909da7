"""The test databases: the PostgreSQL server the tests use (HIRELOG_TEST_POSTGRES_URL), the
tests' HIRELOG_ID_KEY, and what happens when PostgreSQL is unreachable (skip, or fail in CI)."""

from __future__ import annotations

import os

import psycopg
import pytest

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

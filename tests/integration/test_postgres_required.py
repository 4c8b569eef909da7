"""Issue 10, section 7: the PostgreSQL tests fail (never skip) in CI when the server refuses
connections with "too many clients", as they do when it cannot be reached at all.

The refusal is real: a role whose connection limit is 0 gets exactly that class of error
(SQLSTATE 53300, too many connections) from the server. A PostgreSQL test runs in a pytest of
its own with that role, once as CI runs it and once as a developer does."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.databases import require_postgres
from tests.postgres import as_admin

ROOT = Path(__file__).resolve().parents[2]
TARGET = "tests/integration/test_schema_creation.py"


@pytest.fixture
def refused_url() -> Iterator[str]:
    require_postgres()
    role = f"hirelog_full_{uuid.uuid4().hex[:8]}"
    as_admin(f'CREATE ROLE "{role}" LOGIN CONNECTION LIMIT 0')
    try:
        yield f"postgresql://{role}@127.0.0.1:5432/test"
    finally:
        as_admin(f'DROP ROLE IF EXISTS "{role}"')


def run_postgres_tests(url: str, required: bool) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HIRELOG_TEST_POSTGRES_URL": url,
           "HIRELOG_REQUIRE_POSTGRES": "1" if required else "0"}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "-m", "postgres", TARGET], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.slow
@pytest.mark.postgres
def test_too_many_clients_fails_the_postgres_tests_in_ci(refused_url: str) -> None:
    done = run_postgres_tests(refused_url, required=True)
    assert done.returncode == 1, done.stdout[-2000:]
    assert "failed" in done.stdout and "skipped" not in done.stdout.splitlines()[-1]
    assert "too many connections" in done.stdout


@pytest.mark.slow
@pytest.mark.postgres
def test_outside_ci_the_same_refusal_skips_them(refused_url: str) -> None:
    done = run_postgres_tests(refused_url, required=False)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "skipped" in done.stdout.splitlines()[-1]

"""Shared fixtures: a fake clock, and the application on SQLite and on real PostgreSQL.

PostgreSQL tests use a schema of their own, dropped afterwards, so runs never collide. When
PostgreSQL is unreachable they skip, unless HIRELOG_REQUIRE_POSTGRES=1 (CI), where they fail.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.application import Recruitment
from hirelog import bootstrap
from hirelog.settings import Settings
from tests.databases import TEST_ID_KEY, require_postgres, store_of_its_own
from tests.fakes import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sqlite_settings(tmp_path) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path}/hirelog.sqlite", id_key=TEST_ID_KEY)


@pytest.fixture(scope="session")
def reused_schema() -> Iterator[Any]:
    from tests.postgres import ReusedSchema

    schema = ReusedSchema()
    yield schema
    schema.drop_all()


@pytest.fixture(scope="session")
def world_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The API tests' world, made once per store in this test process (tests/worlds.py)."""
    from tests.worlds import Templates

    templates = Templates(tmp_path_factory.mktemp("world"))
    yield templates
    templates.drop_all()


@pytest.fixture
def postgres_settings(reused_schema: Any) -> Iterator[Settings]:
    """A PostgreSQL schema holding every table of an application, and nothing in them (this
    test process's schema, emptied after each test: see tests/postgres.py)."""
    require_postgres()
    yield reused_schema.take()
    reused_schema.empty()


@pytest.fixture
def fresh_postgres_settings(tmp_path: Path) -> Iterator[Settings]:
    """A PostgreSQL schema that does not exist yet, dropped afterwards."""
    with store_of_its_own("postgres", tmp_path) as settings:
        yield settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def settings(request) -> Settings:
    """The same tests on both stores."""
    return request.getfixturevalue(f"{request.param}_settings")


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Iterator[Recruitment]:
    recruitment = bootstrap.event_store(settings, clock=clock)
    yield recruitment
    recruitment.close()


@pytest.fixture
def memory_app(clock: FakeClock) -> Iterator[Recruitment]:
    """Fast in-process application for unit-level tests of the service."""
    recruitment = bootstrap.event_store(
        Settings(database_url="sqlite:///:memory:", id_key=TEST_ID_KEY), clock=clock)
    yield recruitment
    recruitment.close()


@pytest.fixture
def own_database() -> Iterator[str]:
    """A PostgreSQL database of the test's own (so that terminating its backends or making it
    read-only touches nobody else), dropped afterwards."""
    from tests.postgres import own_database_named

    require_postgres()
    yield from own_database_named(f"hirelog_own_{uuid.uuid4().hex[:10]}")


@pytest.fixture
def figures(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """Record a scenario's figures; they are printed at the end of the run (also from the
    workers of pytest-xdist, which report them with the test)."""

    def record(scenario: str, text: str) -> None:
        request.node.user_properties.append(("figures", f"{scenario}: {text}"))

    return record


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked store_independent runs once, on SQLite: what it checks is decided
    before the store is read or written (the same tests on PostgreSQL would test nothing more)."""
    twice = [item for item in items
             if item.get_closest_marker("store_independent")
             and getattr(item, "callspec", None) is not None
             and item.callspec.params.get("settings") == "postgres"]
    if twice:
        config.hook.pytest_deselected(items=twice)
        items[:] = [item for item in items if item not in twice]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = [value for report in terminalreporter.stats.get("passed", [])
             if report.when == "call"
             for name, value in report.user_properties if name == "figures"]
    if lines:
        terminalreporter.section("figures of the reliability scenarios")
        for line in sorted(lines):
            terminalreporter.write_line(line)

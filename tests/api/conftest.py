"""Flask's tutorial fixtures: `app`, `client`, `runner`, on SQLite and on PostgreSQL, plus a
token for every role and a small world of two clients with a candidate each (the helpers are
in tests/apiclient.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from hirelog.settings import Settings
from tests.apiclient import World
from tests.apps import app_for
from tests.fakes import FakeClock
from tests.worlds import copy_if_asked, world_of


@pytest.fixture
def app(request: pytest.FixtureRequest, settings: Settings, clock: FakeClock) -> Iterator[Flask]:
    """create_app(settings, clock=clock), its HTTP shell built once (tests/apps.py); with the
    world copied into the store first when the test asks for it (tests/worlds.py)."""
    copy_if_asked(request, settings)
    with app_for(settings, clock) as flask_app:
        yield flask_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def world(request: pytest.FixtureRequest, app: Flask, client: FlaskClient) -> World:
    """Two clients with a position and a candidate each, and a token per role (made once per
    test process and store, copied into this test's store by `app`: tests/worlds.py)."""
    return world_of(request, client)

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
from tests.apiclient import Api, World, contact, new_token, open_position
from tests.apps import app_for
from tests.fakes import FakeClock
from tests.readmodels import project_all


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Iterator[Flask]:
    """create_app(settings, clock=clock), its HTTP shell built once (tests/apps.py)."""
    with app_for(settings, clock) as flask_app:
        yield flask_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def world(app: Flask, client: FlaskClient) -> World:
    recruiter = Api(client, new_token(app, "recruiter"))
    client_a_id = recruiter.post("/api/v1/clients", {"name": "Acme"}).json["id"]
    client_b_id = recruiter.post("/api/v1/clients", {"name": "Globex"}).json["id"]
    position_a, position_b = open_position(recruiter, client_a_id), open_position(
        recruiter, client_b_id)
    world = World(
        admin=Api(client, new_token(app, "admin")), recruiter=recruiter,
        auditor=Api(client, new_token(app, "auditor")),
        client_a=Api(client, new_token(app, "client", client_a_id)),
        client_b=Api(client, new_token(app, "client", client_b_id)),
        client_a_id=client_a_id, client_b_id=client_b_id,
        position_a=position_a, position_b=position_b,
        candidate_a=contact(recruiter, position_a), candidate_b=contact(recruiter, position_b))
    project_all(app.extensions["hirelog"].recruitment)  # the read models know this world
    return world

"""Flask's tutorial fixtures: `app`, `client`, `runner`, on SQLite and on PostgreSQL, plus a
token for every role and a small world of two clients with a candidate each."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from hirelog.settings import Settings
from tests.fakes import FakeClock
from tests.projections.conftest import project_all

PROBLEM = "application/problem+json"
SKILLS = [{"name": "python", "weight": 5, "required": True},
          {"name": "sql", "weight": 2, "required": False}]


@pytest.fixture
def app(settings: Settings, clock: FakeClock) -> Iterator[Flask]:
    flask_app = create_app(settings, clock=clock)
    flask_app.config["TESTING"] = True
    yield flask_app
    flask_app.extensions["hirelog"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@dataclass
class Api:
    """A test client that speaks as one token."""

    client: FlaskClient
    token: str

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **(extra or {})}

    def get(self, path: str, **kwargs: Any):
        return self.client.get(path, headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any):
        return self.client.post(path, json=json,
                                headers=self.headers(kwargs.pop("headers", None)), **kwargs)

    def delete(self, path: str, **kwargs: Any):
        return self.client.delete(path, headers=self.headers(kwargs.pop("headers", None)),
                                  **kwargs)


@dataclass
class World:
    """Two clients (A and B), a position and a candidate each, and a token per role."""

    admin: Api
    recruiter: Api
    auditor: Api
    client_a: Api  # a client token bound to client A
    client_b: Api
    client_a_id: str
    client_b_id: str
    position_a: str
    position_b: str
    candidate_a: str
    candidate_b: str

    def as_role(self, role: str) -> Api:
        return getattr(self, role)


def new_token(app: Flask, role: str, client_id: str | None = None) -> str:
    from uuid import UUID

    _, secret = app.extensions["hirelog"].tokens.create(
        name=f"test {role}", role=role, client_id=UUID(client_id) if client_id else None)
    return secret


def open_position(api: Api, client_id: str, title: str = "Backend developer") -> str:
    answer = api.post("/api/v1/positions", {
        "client_id": client_id, "title": title, "headcount": 1, "skills": SKILLS,
        "assessment": {"name": "Take-home", "duration_minutes": 120}})
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def contact(api: Api, position_id: str, email: str = "ann@example.com") -> str:
    answer = api.post("/api/v1/candidates", {"position_id": position_id, "name": "Ann Lee",
                                             "email": email, "source": "referral"})
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


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


def assert_problem(answer: Any, status: int) -> dict[str, Any]:
    """An RFC 9457 problem with this status, and its body."""
    assert answer.status_code == status, (answer.status_code, answer.get_data(as_text=True))
    assert answer.mimetype == PROBLEM
    body = answer.get_json()
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == status
    assert all(isinstance(body[k], str) and body[k] for k in ("type", "title", "detail"))
    return body

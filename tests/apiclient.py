"""Speaking to the HTTP API in tests: a test client with one token (Api), a small world of
two clients with a position and a candidate each (World), tokens, and the RFC 9457 check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

PROBLEM = "application/problem+json"


SKILLS = [{"name": "python", "weight": 5, "required": True},
          {"name": "sql", "weight": 2, "required": False}]


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


def present(api: Api, candidate_id: str, summary: str = "solid") -> None:
    """A contacted candidate applied, assessed and recommended: presented to its client
    (`api`: a recruiter's)."""
    for step, body in (("application", {}),
                       ("assessment", {"due_at": "2030-01-01T00:00:00+00:00"}),
                       ("assessment/result", {"grades": {"python": "yes", "sql": "mixed"}}),
                       ("recommendation", {"summary": summary})):
        answer = api.post(f"/api/v1/candidates/{candidate_id}/{step}", body)
        assert answer.status_code == 200, (step, answer.json)


def assert_problem(answer: Any, status: int) -> dict[str, Any]:
    """An RFC 9457 problem with this status, and its body."""
    assert answer.status_code == status, (answer.status_code, answer.get_data(as_text=True))
    assert answer.mimetype == PROBLEM
    body = answer.get_json()
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == status
    assert all(isinstance(body[k], str) and body[k] for k in ("type", "title", "detail"))
    return body

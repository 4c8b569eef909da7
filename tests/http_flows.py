"""Helpers for tests that drive a real hirelog server over HTTP (tests/e2e): tokens, a
client and a position, candidates taken to a stage, and requests sent at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.servers import HttpApi, Server

V1 = "/api/v1"


def later(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def ok(answer, status: int = 200) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()


def set_up(server: Server) -> tuple[HttpApi, HttpApi, str, str]:
    """A recruiter and a client user, a client and a position."""
    admin = server.api()
    recruiter = server.api(ok(admin.post(f"{V1}/tokens", {"name": "Rita", "role": "recruiter"}),
                              201)["token"])
    client_id = ok(recruiter.post(f"{V1}/clients", {"name": "Acme"}), 201)["id"]
    hiring_manager = server.api(ok(admin.post(f"{V1}/tokens", {
        "name": "Hank", "role": "client", "client_id": client_id}), 201)["token"])
    position_id = ok(recruiter.post(f"{V1}/positions", {
        "client_id": client_id, "title": "Platform engineer", "headcount": 1,
        "skills": [{"name": "go", "weight": 4, "required": True},
                   {"name": "kubernetes", "weight": 2, "required": False}],
        "assessment": {"name": "Take-home", "duration_minutes": 240}}), 201)["id"]
    return recruiter, hiring_manager, client_id, position_id


def contact(recruiter: HttpApi, position_id: str, email: str) -> str:
    answer = recruiter.post(f"{V1}/candidates", {"position_id": position_id, "name": "Ann Lee",
                                                 "email": email, "source": "sourced"})
    body = ok(answer, 201)
    assert answer.headers["Location"].endswith(f"/candidates/{body['id']}")
    assert body["stage"] == "contacted"
    return body["id"]


def at_once(count: int, call: Callable[[int], Any]) -> list[Any]:
    """Run `call(i)` in `count` threads released together; their results in order."""
    barrier, results = threading.Barrier(count), [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = call(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def interviewed_candidate(server: Server, email: str) -> tuple[HttpApi, str]:
    recruiter, manager, _, position_id = set_up(server)
    candidate = contact(recruiter, position_id, email)
    for api, step, body in [
        (recruiter, "application", {}), (recruiter, "assessment", {"due_at": later(days=3)}),
        (recruiter, "assessment/result", {"grades": {"go": "yes", "kubernetes": "yes"}}),
        (recruiter, "recommendation", {"summary": "ok"}), (manager, "interview-request", {}),
        (recruiter, "interview", {"scheduled_at": later(hours=-1),  # held: feedback may follow
                                  "interviewers": [f"i{n}" for n in range(8)]})]:
        ok(api.post(f"{V1}/candidates/{candidate}/{step}", body))
    return recruiter, candidate


def events_of(api: HttpApi, candidate: str, kind: str) -> list[dict]:
    return [e for e in ok(api.get(f"{V1}/candidates/{candidate}/history")) if e["type"] == kind]

"""The API served by a real `hirelog serve` process, over real HTTP: whole hiring flows, and
idempotency and If-Match under real concurrency."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.databases import store_of_its_own
from tests.servers import HttpApi, Server, start_server, stop

pytestmark = pytest.mark.slow
V1 = "/api/v1"


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def server(request: pytest.FixtureRequest,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One `hirelog serve` per store for the whole module (starting one takes most of a
    second): every test sets up a client, tokens and candidates of its own and checks only
    those."""
    folder = tmp_path_factory.mktemp("server")
    with store_of_its_own(request.param, folder) as settings:
        running = start_server(settings, folder / "server.log")
        try:
            yield running
        finally:
            stop(running.process)


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


def test_from_first_contact_to_hire(server):
    recruiter, manager, _client_id, position_id = set_up(server)
    candidate = contact(recruiter, position_id, "ann@example.com")
    steps: list[tuple[HttpApi, str, dict, str]] = [
        (recruiter, "application", {"note": "keen"}, "applied"),
        (recruiter, "assessment", {"due_at": later(days=5)}, "assessment_assigned"),
        (recruiter, "assessment/result", {"grades": {"go": "strong_yes", "kubernetes": "mixed"},
                                          "notes": "clean code"}, "assessed"),
        (recruiter, "recommendation", {"summary": "Strong Go"}, "recommended"),
        (manager, "interview-request", {}, "interview_requested"),
        # held an hour ago, recorded after the fact: feedback follows at once
        (recruiter, "interview", {"scheduled_at": later(hours=-1), "interviewers": ["Kim", "Lou"],
                                  "location": "video"}, "interview_scheduled"),
        (manager, "interview/feedback", {"interviewer": "Kim", "rating": "yes"}, "interviewed"),
        (manager, "interview/feedback", {"interviewer": "Lou", "rating": "strong_yes"},
         "interviewed"),
        (manager, "decision", {"outcome": "hire", "reason": "best of the round"},
         "hire_decided"),
        (recruiter, "offer", {"salary": "95000", "currency": "EUR", "start_date": "2027-02-01",
                              "expires_at": later(days=14)}, "offered"),
        (recruiter, "offer/response", {"accepted": True}, "offered"),
        (recruiter, "placement", {"start_date": "2027-02-01"}, "hired"),
    ]
    positions = []
    for version, (api, step, body, stage) in enumerate(steps, start=2):
        answer = ok(api.post(f"{V1}/candidates/{candidate}/{step}", body))
        assert (answer["id"], answer["version"], answer["stage"]) == (candidate, version, stage)
        positions.append(answer["position"])
    assert positions == sorted(positions) and len(set(positions)) == len(positions)

    state = manager.get(f"{V1}/candidates/{candidate}")
    assert state.headers["ETag"] == f'"{len(steps) + 1}"'
    body = ok(state)
    assert body["stage"] == "hired" and body["start_date"] == "2027-02-01"
    # the manager (a client token) reads the score as presented to it
    assert body["presentation"]["score"] == 83.3  # (4*4 + 2*2) / (6*4)
    assert "email" not in body and "ann@example.com" not in state.text
    assert body["decision"]["outcome"] == "hire" and body["offer"]["response"] == "accepted"
    history = ok(recruiter.get(f"{V1}/candidates/{candidate}/history"))
    assert [e["type"] for e in history][-1] == "Hired"
    assert {e["actor"]["role"] for e in history} == {"recruiter", "client"}


def test_from_first_contact_through_abandonment_to_rejection_notice(server):
    recruiter, _, _, position_id = set_up(server)
    candidate = contact(recruiter, position_id, "bo@example.com")
    for step, body, stage in [
        ("application", {}, "applied"),
        ("assessment", {"due_at": later(days=3)}, "assessment_assigned"),
        ("assessment/reschedule", {"due_at": later(days=10), "reason": "on holiday"},
         "assessment_assigned"),
        ("assessment/abandonment", {"reason": "too_long", "note": "4 hours is too much"},
         "abandoned"),
        ("rejection-notice", {"message": "Thank you for your time"}, "abandoned"),
    ]:
        assert ok(recruiter.post(f"{V1}/candidates/{candidate}/{step}", body))["stage"] == stage
    state = ok(recruiter.get(f"{V1}/candidates/{candidate}"))
    assert state["decision_sent_at"] is not None and state["allowed_steps"] == []
    again = recruiter.post(f"{V1}/candidates/{candidate}/rejection-notice", {})
    assert again.status_code == 409
    assert again.headers["Content-Type"] == "application/problem+json"


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


def test_repeats_of_one_idempotency_key_racing_record_one_event(server):
    recruiter, candidate = interviewed_candidate(server, "cy@example.com")
    answers = at_once(8, lambda _: recruiter.post(
        f"{V1}/candidates/{candidate}/interview/feedback",
        {"interviewer": "i0", "rating": "yes"}, headers={"Idempotency-Key": "feedback-i0"}))
    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1  # every repeat got the first answer
    assert len(events_of(recruiter, candidate, "Interviewed")) == 1


def test_racing_creates_with_one_idempotency_key_create_one_candidate(server):
    recruiter, _, _, position_id = set_up(server)
    answers = at_once(8, lambda _: recruiter.post(
        f"{V1}/candidates", {"position_id": position_id, "name": "Di", "source": "inbound",
                             "email": "di@example.com"}, headers={"Idempotency-Key": "di"}))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert len({a.headers["Location"] for a in answers}) == 1


def test_racing_commands_with_the_same_if_match_let_exactly_one_through(server):
    recruiter, candidate = interviewed_candidate(server, "ed@example.com")
    version = ok(recruiter.get(f"{V1}/candidates/{candidate}"))["version"]
    answers = at_once(8, lambda i: recruiter.post(
        f"{V1}/candidates/{candidate}/interview/feedback",
        {"interviewer": f"i{i}", "rating": "mixed"}, headers={"If-Match": f'"{version}"'}))
    assert sorted(a.status_code for a in answers) == [200] + [412] * 7
    assert len(events_of(recruiter, candidate, "Interviewed")) == 1


def test_racing_distinct_commands_without_if_match_are_all_recorded(server):
    recruiter, candidate = interviewed_candidate(server, "fay@example.com")
    answers = at_once(8, lambda i: recruiter.post(
        f"{V1}/candidates/{candidate}/interview/feedback",
        {"interviewer": f"i{i}", "rating": "yes"}))
    assert [a.status_code for a in answers] == [200] * 8
    assert sorted(e["data"]["interviewer"] for e in events_of(recruiter, candidate,
                                                              "Interviewed")) == [
        f"i{n}" for n in range(8)]
    assert sorted(a.json()["version"] for a in answers) == list(range(8, 16))

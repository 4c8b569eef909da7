"""The API served by a real `hirelog serve` process, over real HTTP: whole hiring flows, and
idempotency and If-Match under real concurrency."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.databases import store_of_its_own
from tests.http_flows import (
    V1,
    at_once,
    contact,
    events_of,
    interviewed_candidate,
    later,
    ok,
    set_up,
)
from tests.servers import HttpApi, Server, start_server, stop

pytestmark = pytest.mark.slow


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

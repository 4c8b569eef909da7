"""The rules that follow time and headcount, over HTTP on both stores (issue 12 §3):
feedback and a hire wait for the interview's time, a past interview is recorded after the
fact, an expired offer is shown as expired and answered by a revised offer, a 409 lists only
the steps accepted now (with the values an argument is limited to), and the hire that fills
a position's headcount marks it filled."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask

from tests.apiclient import Api, World, assert_problem
from tests.fakes import FakeClock
from tests.readmodels import project_all

BASE = "/api/v1"


def path(candidate: str, step: str | None = None) -> str:
    return f"{BASE}/candidates/{candidate}" + (f"/{step}" if step else "")


def ok(api: Api, candidate: str, step: str, body: dict[str, Any] | None = None) -> None:
    answer = api.post(path(candidate, step), body or {})
    assert answer.status_code == 200, (step, answer.get_json())


def state(world: World, candidate: str) -> dict[str, Any]:
    answer = world.recruiter.get(path(candidate))
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def refused(world: World, candidate: str, step: str, body: dict[str, Any]) -> dict[str, Any]:
    """A 409 naming exactly the steps the candidate's state allows now; nothing recorded."""
    before = state(world, candidate)
    problem = assert_problem(world.recruiter.post(path(candidate, step), body), 409)
    assert problem["allowed_steps"] == before["allowed_steps"]
    assert problem["allowed_arguments"] == before["allowed_arguments"]
    assert state(world, candidate)["version"] == before["version"]
    return problem


def to_interview_requested(world: World, candidate: str, clock: FakeClock) -> None:
    ok(world.recruiter, candidate, "application")
    ok(world.recruiter, candidate, "assessment",
       {"due_at": (clock.now + timedelta(days=3)).isoformat()})
    ok(world.recruiter, candidate, "assessment/result", {"grades": {"python": "yes",
                                                                    "sql": "yes"}})
    ok(world.recruiter, candidate, "recommendation", {"summary": "solid"})
    ok(world.client_a, candidate, "interview-request")


def to_offered(world: World, candidate: str, clock: FakeClock, expires_in: timedelta) -> None:
    to_interview_requested(world, candidate, clock)
    ok(world.recruiter, candidate, "interview",
       {"scheduled_at": (clock.now - timedelta(hours=2)).isoformat(), "interviewers": ["Ivy"]})
    ok(world.client_a, candidate, "interview/feedback", {"interviewer": "Ivy", "rating": "yes"})
    ok(world.client_a, candidate, "decision", {"outcome": "hire", "reason": "best"})
    ok(world.recruiter, candidate, "offer", {
        "salary": "80000", "currency": "EUR", "start_date": "2026-03-02",
        "expires_at": (clock.now + expires_in).isoformat()})


def test_feedback_and_a_hire_wait_for_the_interview(world: World, clock: FakeClock) -> None:
    candidate = world.candidate_a
    to_interview_requested(world, candidate, clock)
    interview_at = clock.now + timedelta(days=20)
    ok(world.recruiter, candidate, "interview",
       {"scheduled_at": interview_at.isoformat(), "interviewers": ["Ivy"]})

    clock.advance(days=19)  # the day before the interview
    shown = state(world, candidate)
    assert shown["allowed_steps"] == ["interview", "decision", "presentation",
                                      "assessment/correction", "withdrawal"]
    assert shown["allowed_arguments"] == {"decision": {"outcome": ["reject"]}}
    problem = refused(world, candidate, "interview/feedback",
                      {"interviewer": "Ivy", "rating": "yes"})
    assert problem["detail"] == (
        "cannot record 'interview/feedback' while the candidate is in stage "
        f"'interview_scheduled' (the interview is at {interview_at.isoformat()}; feedback is "
        "recorded once it has taken place); allowed now: interview, decision (outcome: "
        "reject), presentation, assessment/correction, withdrawal")
    problem = refused(world, candidate, "decision", {"outcome": "hire", "reason": "great"})
    assert "a hire is decided once the final interview has taken place" in problem["detail"]

    clock.advance(days=1)  # the interview's time has come
    assert state(world, candidate)["allowed_steps"] == [
        "interview", "interview/feedback", "decision", "presentation", "assessment/correction",
        "withdrawal"]
    ok(world.client_a, candidate, "interview/feedback", {"interviewer": "Ivy", "rating": "yes"})
    assert state(world, candidate)["allowed_arguments"] == {}
    ok(world.client_a, candidate, "decision", {"outcome": "hire", "reason": "great"})
    assert state(world, candidate)["stage"] == "hire_decided"


def test_an_interview_that_took_place_is_recorded_after_the_fact(world: World,
                                                                 clock: FakeClock) -> None:
    candidate = world.candidate_a
    to_interview_requested(world, candidate, clock)
    held_at = clock.now - timedelta(days=3)
    ok(world.recruiter, candidate, "interview",
       {"scheduled_at": held_at.isoformat(), "interviewers": ["Ivy"]})
    ok(world.client_a, candidate, "interview/feedback", {"interviewer": "Ivy", "rating": "no"})
    shown = state(world, candidate)
    assert datetime.fromisoformat(shown["interviews"][0]["scheduled_at"]) == held_at
    assert shown["stage"] == "interviewed"


def test_an_expired_offer_is_shown_expired_and_a_revised_offer_is_the_way_on(
        app: Flask, world: World, clock: FakeClock) -> None:
    candidate = world.candidate_a
    to_offered(world, candidate, clock, expires_in=timedelta(days=2))
    dashboard = f"{BASE}/clients/{world.client_a_id}/dashboard"

    def offers() -> tuple[list[str], list[str]]:
        project_all(app.extensions["hirelog"].recruitment)
        board = world.client_a.get(dashboard).get_json()
        return ([o["id"] for o in board["offers_awaiting_answer"]],
                [o["id"] for o in board["offers_expired"]])

    assert state(world, candidate)["offer"]["status"] == "open"
    assert offers() == ([candidate], [])

    clock.advance(days=3)
    shown = state(world, candidate)
    assert (shown["offer"]["status"], shown["allowed_steps"]) == (
        "expired", ["offer", "presentation", "assessment/correction", "withdrawal"])
    assert offers() == ([], [candidate])
    for accepted in (True, False):
        problem = refused(world, candidate, "offer/response", {"accepted": accepted})
        assert "the offer expired at" in problem["detail"]
        assert "a revised offer is the way on" in problem["detail"]

    ok(world.recruiter, candidate, "offer", {
        "salary": "85000", "currency": "EUR", "start_date": "2026-03-09",
        "expires_at": (clock.now + timedelta(days=5)).isoformat()})
    shown = state(world, candidate)
    assert (shown["stage"], shown["offer"]["status"], shown["offer"]["salary"]) == (
        "offered", "open", "85000")
    assert shown["allowed_steps"] == ["offer/response", "presentation", "assessment/correction",
                                      "withdrawal"]
    assert offers() == ([candidate], [])


def test_the_hire_that_fills_the_headcount_marks_the_position_filled(
        app: Flask, world: World, clock: FakeClock) -> None:
    candidate, position = world.candidate_a, world.position_a  # headcount 1
    to_offered(world, candidate, clock, expires_in=timedelta(days=2))
    ok(world.recruiter, candidate, "offer/response", {"accepted": True})
    before = world.recruiter.get(f"{BASE}/positions/{position}").get_json()
    assert (before["status"], before["hires"]) == ("open", 0)

    head = world.recruiter.client.get("/readyz").get_json()["log_head"]
    answer = world.recruiter.post(path(candidate, "placement"), {"start_date": "2026-03-02"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["position"] == head + 3  # the candidate's Hired is the last

    after = world.recruiter.get(f"{BASE}/positions/{position}").get_json()
    assert (after["status"], after["hires"], after["headcount"]) == ("filled", 1, 1)
    assert after["version"] == before["version"] + 2  # the hire counted, then filled
    # one transaction, in the log: the position counts the hire, is filled, then Hired
    logged = world.auditor.get(f"{BASE}/audit/events", query_string={"after": head}).get_json()
    assert [(e["position"], e["type"]) for e in logged["events"]] == [
        (head + 1, "PlacementRecorded"), (head + 2, "StatusChanged"), (head + 3, "Hired")]
    counted, filled, _ = logged["events"]
    assert counted["data"] == {"candidate_id": candidate}
    assert (filled["data"]["status"], filled["data"]["reason"]) == (
        "filled", "headcount of 1 filled")
    project_all(app.extensions["hirelog"].recruitment)
    listed = world.recruiter.get(f"{BASE}/positions",
                                 query_string={"status": "filled"}).get_json()["items"]
    assert [p["id"] for p in listed] == [position]

    # a filled position takes no new candidates
    answer = world.recruiter.post(f"{BASE}/candidates", {
        "position_id": position, "name": "Late Comer", "email": "late@example.com",
        "source": "referral"})
    problem = assert_problem(answer, 422)
    assert "position is filled, not open for new candidates" in problem["detail"]

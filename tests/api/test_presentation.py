"""Presenting a candidate to the client is a fact (issue 12 §1): the recommendation records
what the client is shown, frozen as shown; showing the candidate again is a new fact; the
client reads what was presented and nothing else, on both stores."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.apiclient import World, assert_problem, present
from tests.fakes import FakeClock
from tests.readmodels import project_all

BASE = "/api/v1"


def history(world: World, candidate: str) -> list[dict[str, Any]]:
    answer = world.auditor.get(f"{BASE}/candidates/{candidate}/history")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def shortlist(app: Flask, world: World) -> list[dict[str, Any]]:
    project_all(app.extensions["hirelog"].recruitment)
    answer = world.client_a.get(f"{BASE}/positions/{world.position_a}/shortlist")
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["candidates"]


def test_the_recommendation_records_what_the_client_is_shown(app: Flask, world: World) -> None:
    candidate = world.candidate_a
    assert_problem(world.client_a.get(f"{BASE}/candidates/{candidate}"), 404)  # not yet
    present(world.recruiter, candidate, summary="Strong Python, some SQL")

    recommended = history(world, candidate)[-1]
    assert recommended["type"] == "Recommended"
    assert recommended["data"] == {
        "summary": "Strong Python, some SQL", "name": "Ann Lee", "score": 67.9,
        "grades": {"python": "yes", "sql": "mixed"}, "rubric_revision": 1,
        "skills": [{"name": "python", "weight": 5, "required": True},
                   {"name": "sql", "weight": 2, "required": False}]}
    shown = world.client_a.get(f"{BASE}/candidates/{candidate}").get_json()
    assert shown["presentation"] == {
        "presented_at": recommended["recorded_at"], "name": "Ann Lee",
        "summary": "Strong Python, some SQL", "score": 67.9,
        "grades": {"python": "yes", "sql": "mixed"}, "rubric_revision": 1,
        "skills": recommended["data"]["skills"], "failed_required_skills": []}
    assert world.recruiter.get(f"{BASE}/candidates/{candidate}").get_json()[
        "presentation"] == shown["presentation"]
    [listed] = shortlist(app, world)
    assert (listed["summary"], listed["score"]) == ("Strong Python, some SQL", 67.9)


def test_a_presentation_again_is_a_new_fact_and_the_rubric_changes_nothing_shown(
        app: Flask, world: World, clock: FakeClock) -> None:
    candidate = world.candidate_a
    present(world.recruiter, candidate, summary="first summary")
    first = world.client_a.get(f"{BASE}/candidates/{candidate}").get_json()["presentation"]
    # the position's rubric changes after the presentation: what was shown stays
    answer = world.recruiter.post(f"{BASE}/positions/{world.position_a}/rubric", {"skills": [
        {"name": "go", "weight": 5, "required": True}]})
    assert answer.status_code == 200, answer.get_json()
    assert world.client_a.get(f"{BASE}/candidates/{candidate}").get_json()[
        "presentation"] == first

    clock.advance(days=2)
    answer = world.recruiter.post(f"{BASE}/candidates/{candidate}/presentation",
                                  {"summary": "now also leads the data team"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["stage"] == "recommended"  # no stage moves
    again = history(world, candidate)[-1]
    assert (again["type"], again["data"]["summary"]) == ("Presented",
                                                         "now also leads the data team")
    assert again["data"]["grades"] == first["grades"]  # graded as before, on revision 1
    assert again["data"]["rubric_revision"] == 1
    shown = world.client_a.get(f"{BASE}/candidates/{candidate}").get_json()["presentation"]
    assert shown["summary"] == "now also leads the data team"
    assert shown["presented_at"] == again["recorded_at"] != first["presented_at"]
    [listed] = shortlist(app, world)
    assert listed["summary"] == "now also leads the data team"
    # the first presentation is still in the history as it was shown
    assert [e["data"]["summary"] for e in history(world, candidate)
            if e["type"] in ("Recommended", "Presented")] == [
        "first summary", "now also leads the data team"]
    # only staff present; not before a recommendation
    assert_problem(world.client_a.post(f"{BASE}/candidates/{candidate}/presentation", {}), 403)
    quiet = world.candidate_b
    problem = assert_problem(world.recruiter.post(
        f"{BASE}/candidates/{quiet}/presentation", {}), 409)
    assert problem["stage"] == "contacted"


def test_what_a_client_reads_of_a_candidate_is_only_what_was_presented(world: World) -> None:
    candidate = world.candidate_a
    present(world.recruiter, candidate)
    answer = world.recruiter.post(f"{BASE}/candidates/{candidate}/disqualification",
                                  {"reason": "x"})
    assert answer.status_code == 409  # (not after a recommendation: decided instead)
    answer = world.recruiter.post(f"{BASE}/candidates/{candidate}/decision", {
        "outcome": "reject", "reason": "Weighted score 53/100, below the bar of 60",
        "decided_by": "Hana Hiring"})
    assert answer.status_code == 200, answer.get_json()
    staff = world.recruiter.get(f"{BASE}/candidates/{candidate}")
    client = world.client_a.get(f"{BASE}/candidates/{candidate}")
    assert client.status_code == 200
    text = client.get_data(as_text=True)
    for secret in ("ann@example.com", "referral", "below the bar", "Take-home"):
        assert secret in staff.get_data(as_text=True), secret
        assert secret not in text, secret
    shown = client.get_json()
    assert (shown["stage"], shown["decision"]["outcome"]) == ("rejected", "reject")
    assert shown["allowed_steps"] == []  # the notice is the agency's step, not the client's
    # nor does a client's 409 list the agency's next steps (notice, reopening...)
    problem = assert_problem(world.client_a.post(
        f"{BASE}/candidates/{candidate}/decision",
        {"outcome": "reject", "reason": "again"}), 409)
    assert (problem["allowed_steps"], problem["allowed_arguments"]) == ([], {})
    assert "rejection-notice" not in problem["detail"]
    staff = assert_problem(world.recruiter.post(
        f"{BASE}/candidates/{candidate}/decision",
        {"outcome": "reject", "reason": "again", "decided_by": "Hana"}), 409)
    assert staff["allowed_steps"] == ["rejection-notice", "reopening"]

"""Mistakes corrected as facts (issue 12 §2): a decision or a disqualification made in error is
reopened by staff, recorded with its reason and actor, visible in the history and to
auditors, never rewriting what came before; the read models and reports follow it; on both
stores."""

from __future__ import annotations

from typing import Any

from flask import Flask

from domain.scope import AGENCY
from projections.reads import ReadSide
from tests.apiclient import World, assert_problem, present
from tests.fakes import FakeClock
from tests.readmodels import project_all

BASE = "/api/v1"


def path(candidate: str, step: str | None = None) -> str:
    return f"{BASE}/candidates/{candidate}" + (f"/{step}" if step else "")


def ok(world: World, candidate: str, step: str, body: dict[str, Any],
       api: Any = None) -> dict[str, Any]:
    answer = (api or world.recruiter).post(path(candidate, step), body)
    assert answer.status_code == 200, (step, answer.get_json())
    return answer.get_json()


def get(api: Any, url: str, **query: Any) -> Any:
    answer = api.get(url, query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_a_rejection_made_in_error_is_reopened_and_every_read_follows(
        app: Flask, world: World, clock: FakeClock) -> None:
    candidate = world.candidate_a
    present(world.recruiter, candidate)
    clock.advance(hours=1)
    ok(world, candidate, "decision", {"outcome": "reject", "reason": "meant for someone else"},
       api=world.client_a)
    clock.advance(hours=1)
    assert_problem(world.client_a.post(path(candidate, "reopening"), {"reason": "x"}), 403)
    receipt = ok(world, candidate, "reopening",
                 {"reason": "the client rejected the wrong candidate"})
    assert receipt["stage"] == "recommended"

    state = get(world.recruiter, path(candidate))
    assert (state["stage"], state["decision"]) == ("recommended", None)
    assert "reopening" not in state["allowed_steps"]
    # a fact of its own: the decision stays in the history, followed by its undoing
    history = get(world.auditor, path(candidate, "history"))
    decided, reopened = history[-2:]
    assert (decided["type"], decided["data"]["outcome"]) == ("Decided", "reject")
    assert reopened["type"] == "Reopened"
    assert reopened["data"] == {"undoes": "Decided", "back_to": "recommended",
                                "reason": "the client rejected the wrong candidate"}
    assert reopened["actor"]["role"] == "recruiter"
    logged = get(world.auditor, f"{BASE}/audit/events", event_type="Reopened")["events"]
    assert [e["aggregate_id"] for e in logged] == [candidate]

    project_all(app.extensions["hirelog"].recruitment)
    # nobody is owed a notice, no outcome stands against them, the funnel counts no drop
    assert get(world.recruiter, f"{BASE}/reports/notices-due") == []
    compliance = get(world.auditor, f"{BASE}/reports/compliance")
    assert compliance["outcomes"] == []
    assert [s["step"] for s in compliance["client_steps"]] == ["decision"]  # it happened
    funnel = get(world.recruiter, f"{BASE}/reports/funnel")["stages"]
    assert sum(stage["dropped"] for stage in funnel) == 0
    assert {s["stage"]: s["entered"] for s in funnel}["rejected"] == 0
    listed = get(world.client_a, f"{BASE}/candidates")["items"]
    assert [(c["id"], c["stage"]) for c in listed] == [(candidate, "recommended")]

    # the process goes on from where it was
    ok(world, candidate, "interview-request", {}, api=world.client_a)


def test_a_disqualification_made_in_error_is_reopened(world: World) -> None:
    candidate = world.candidate_a
    ok(world, candidate, "application", {})
    ok(world, candidate, "disqualification", {"reason": "no work permit"})
    receipt = ok(world, candidate, "reopening", {"reason": "the permit was on file"})
    assert receipt["stage"] == "applied"
    state = get(world.recruiter, path(candidate))
    assert (state["stage"], state["reasons"]) == ("applied", {})
    ok(world, candidate, "assessment", {"due_at": "2030-01-01T00:00:00+00:00"})


def test_what_the_candidate_was_told_is_not_reopened(world: World) -> None:
    candidate = world.candidate_a
    ok(world, candidate, "disqualification", {"reason": "no work permit"})
    ok(world, candidate, "rejection-notice", {"message": "thank you"})
    problem = assert_problem(world.recruiter.post(path(candidate, "reopening"),
                                                  {"reason": "oops"}), 409)
    assert problem["allowed_steps"] == []
    problem = assert_problem(world.recruiter.post(path(world.candidate_b, "reopening"),
                                                  {"reason": "nothing to undo"}), 409)
    assert problem["stage"] == "contacted"


def test_grades_recorded_in_error_are_corrected_and_the_client_keeps_what_it_was_shown(
        app: Flask, world: World) -> None:
    candidate = world.candidate_a
    present(world.recruiter, candidate)  # python yes, sql mixed: 67.9
    receipt = ok(world, candidate, "assessment/correction",
                 {"grades": {"python": "strong_yes", "sql": "yes"},
                  "reason": "graded from another candidate's sheet"})
    assert receipt["stage"] == "recommended"
    corrected = get(world.auditor, path(candidate, "history"))[-1]
    assert (corrected["type"], corrected["data"]["reason"]) == (
        "AssessmentCorrected", "graded from another candidate's sheet")
    staff = get(world.recruiter, path(candidate))
    assert (staff["grades"], staff["score"]) == ({"python": "strong_yes", "sql": "yes"}, 92.9)
    assert staff["presentation"]["score"] == 67.9  # what the client was shown stays
    assert get(world.client_a, path(candidate))["presentation"]["score"] == 67.9

    project_all(app.extensions["hirelog"].recruitment)
    shortlist = f"{BASE}/positions/{world.position_a}/shortlist"
    assert [c["score"] for c in get(world.recruiter, shortlist)["candidates"]] == [92.9]
    assert [c["score"] for c in get(world.client_a, shortlist)["candidates"]] == [67.9]
    assert [c["score"] for c in get(world.recruiter, f"{BASE}/candidates")["items"]
            if c["id"] == candidate] == [92.9]
    # every list a client reads shows the score it was shown, not the corrected one
    assert [c["score"] for c in get(world.client_a, f"{BASE}/candidates")["items"]] == [67.9]
    board = get(world.client_a, f"{BASE}/clients/{world.client_a_id}/dashboard")
    assert [c["score"] for c in board["picks_owed"]] == [67.9]
    # shown again, the client sees the corrected grades
    ok(world, candidate, "presentation", {})
    project_all(app.extensions["hirelog"].recruitment)
    assert get(world.client_a, path(candidate))["presentation"]["score"] == 92.9
    assert [c["score"] for c in get(world.client_a, f"{BASE}/candidates")["items"]] == [92.9]
    assert [c["score"] for c in get(world.client_a, shortlist)["candidates"]] == [92.9]
    # the same grades again correct nothing; a grade for a skill of no rubric is refused
    for body in ({"grades": {"python": "strong_yes", "sql": "yes"}, "reason": "again"},
                 {"grades": {"python": "yes", "go": "yes"}, "reason": "x"}):
        assert_problem(world.recruiter.post(path(candidate, "assessment/correction"), body),
                       422)


def test_contact_details_recorded_in_error_are_corrected(app: Flask, world: World) -> None:
    candidate = world.candidate_a  # Ann Lee, ann@example.com, position A
    other = world.recruiter.post(f"{BASE}/candidates", {
        "position_id": world.position_a, "name": "Ann Other", "email": "ann.other@example.com",
        "source": "referral"}).get_json()["id"]
    receipt = ok(world, candidate, "contact-details/correction",
                 {"email": "Ann.Lee@Example.com", "name": "Ann B. Lee",
                  "reason": "typed from a business card"})
    assert receipt["stage"] == "contacted"
    state = get(world.recruiter, path(candidate))
    assert (state["email"], state["name"], state["id"]) == ("ann.lee@example.com",
                                                            "Ann B. Lee", candidate)
    corrected = get(world.auditor, path(candidate, "history"))[-1]
    assert corrected["data"] == {"corrected": ["email", "name"], "name": "Ann B. Lee",
                                 "email": "ann.lee@example.com", "channel": None,
                                 "source": None, "reason": "typed from a business card"}
    ok(world, candidate, "contact-details/correction",
       {"source": "job_board", "reason": "she came through the job board"})
    assert get(world.recruiter, path(candidate))["source"] == "job_board"
    project_all(app.extensions["hirelog"].recruitment)
    found = get(world.recruiter, f"{BASE}/candidates", q="ann.lee@")["items"]
    assert [(c["id"], c["name"], c["email"], c["source"]) for c in found] == [
        (candidate, "Ann B. Lee", "ann.lee@example.com", "job_board")]
    assert get(world.recruiter, f"{BASE}/candidates", q="ann@example",
               position_id=world.position_a)["items"] == []  # (B's Ann keeps hers)
    # the funnel's sources (hires by source) follow the corrected source
    with ReadSide(app.extensions["hirelog"].recruitment.tables).view("funnel", AGENCY) as view:
        rows = [view.cursor.execute(f"SELECT DISTINCT source FROM {view.table(table)} "
                                    "WHERE candidate_id = %s", (candidate,)).all()
                for table in ("funnel_candidates", "funnel_visits")]
    assert rows == [[{"source": "job_board"}]] * 2

    # another candidacy's email for the same position is refused; nothing is recorded
    before = get(world.recruiter, path(candidate))["version"]
    problem = assert_problem(world.recruiter.post(
        path(candidate, "contact-details/correction"),
        {"email": "ann.other@example.com", "reason": "x"}), 409)
    assert other in problem["detail"]
    for body in ({"reason": "nothing given"}, {"name": "Ann B. Lee", "reason": "same"}):
        assert_problem(world.recruiter.post(path(candidate, "contact-details/correction"),
                                            body), 422)
    assert_problem(world.client_a.post(path(candidate, "contact-details/correction"),
                                       {"name": "X", "reason": "y"}), 403)
    assert get(world.recruiter, path(candidate))["version"] == before


def test_a_corrected_name_reaches_the_client_only_when_presented_again(
        app: Flask, world: World) -> None:
    candidate = world.candidate_a
    present(world.recruiter, candidate)
    ok(world, candidate, "contact-details/correction", {"name": "Ann B. Lee",
                                                         "reason": "her full name"})
    project_all(app.extensions["hirelog"].recruitment)
    pipeline = f"{BASE}/positions/{world.position_a}/pipeline"
    names = [c["name"] for s in get(world.client_a, pipeline)["stages"] for c in s["candidates"]]
    assert names == ["Ann Lee"]  # as shown
    assert [c["name"] for c in get(world.recruiter, f"{BASE}/candidates",
                                   position_id=world.position_a)["items"]] == ["Ann B. Lee"]
    ok(world, candidate, "presentation", {})
    project_all(app.extensions["hirelog"].recruitment)
    names = [c["name"] for s in get(world.client_a, pipeline)["stages"] for c in s["candidates"]]
    assert names == ["Ann B. Lee"]

"""GET /api/v1/reports/compliance over HTTP (issue 6, "Compliance"), on SQLite and PostgreSQL.

A scripted history, hours after the fake clock's start (h0 = 2026-01-05 09:00 UTC):

  Ann (client A)  client A's user requests the interview (h3), gives feedback (h25) and
                  decides to hire (h26); the recruiter sends the offer at h50: told in 1 day.
  Bo  (client A)  the recruiter requests the interview (h63), records the feedback (h81) and
                  the decision to reject (h82) on the client's behalf; the rejection notice
                  goes out at h202: told in 5 days, late.
  Ann (client B)  abandons the assessment (h101); told at h113: 0.5 days.
  Cy  (client A)  disqualified at h121; never told: at h202 owed for 3.4 days, overdue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from tests.apiclient import Api, World, assert_problem, contact
from tests.fakes import FakeClock
from tests.readmodels import project_all

URL = "/api/v1/reports/compliance"


@dataclass
class Scripted:
    t0: datetime
    ann: str
    bo: str
    cy: str
    ann_b: str
    last: int  # the log position of the last command

    def at(self, hours: float) -> datetime:
        return self.t0 + timedelta(hours=hours)


def step(api: Api, candidate: str, path: str, body: dict[str, Any] | None = None) -> int:
    answer = api.post(f"/api/v1/candidates/{candidate}/{path}", body or {})
    assert answer.status_code == 200, (path, answer.get_json())
    return answer.get_json()["position"]


def to_recommended(world: World, clock: FakeClock, candidate: str) -> None:
    step(world.recruiter, candidate, "application")
    step(world.recruiter, candidate, "assessment",
         {"due_at": (clock.now + timedelta(days=3)).isoformat()})
    step(world.recruiter, candidate, "assessment/result",
         {"grades": {"python": "yes", "sql": "yes"}})
    step(world.recruiter, candidate, "recommendation", {"summary": "solid"})


def interview(world: World, clock: FakeClock, candidate: str, hours_ahead: int) -> None:
    step(world.recruiter, candidate, "interview", {
        "scheduled_at": (clock.now + timedelta(hours=hours_ahead)).isoformat(),
        "interviewers": ["Ina Interviewer"]})


def script(world: World, clock: FakeClock) -> Scripted:
    t0, recruiter, client_a = clock.now, world.recruiter, world.client_a

    def at(hours: float) -> None:
        clock.now = t0 + timedelta(hours=hours)

    ann = world.candidate_a
    at(1)
    to_recommended(world, clock, ann)
    at(3)
    step(client_a, ann, "interview-request", {"note": "we would like to meet Ann"})
    at(4)
    interview(world, clock, ann, 20)
    at(25)
    step(client_a, ann, "interview/feedback", {"interviewer": "Ina Interviewer",
                                               "rating": "strong_yes"})
    at(26)
    step(client_a, ann, "decision", {"outcome": "hire", "reason": "best of the round"})
    at(50)
    step(recruiter, ann, "offer", {"salary": "85000", "currency": "EUR",
                                   "start_date": "2026-03-01",
                                   "expires_at": (clock.now + timedelta(days=7)).isoformat()})
    at(60)
    bo = contact(recruiter, world.position_a, "bo@example.com")
    to_recommended(world, clock, bo)
    at(63)
    step(recruiter, bo, "interview-request", {"note": "the client asked by phone",
                                              "requested_by": "Hana at Acme"})
    at(64)
    interview(world, clock, bo, 16)
    at(81)
    step(recruiter, bo, "interview/feedback", {"interviewer": "Ina Interviewer", "rating": "no"})
    at(82)
    step(recruiter, bo, "decision", {"outcome": "reject", "reason": "not senior enough",
                                     "decided_by": "Hana at Acme"})
    at(100)
    ann_b = world.candidate_b
    step(recruiter, ann_b, "application")
    step(recruiter, ann_b, "assessment", {"due_at": (clock.now + timedelta(days=3)).isoformat()})
    at(101)
    step(recruiter, ann_b, "assessment/abandonment", {"reason": "too_long"})
    at(113)
    step(recruiter, ann_b, "rejection-notice", {"message": "thank you"})
    at(120)
    cy = contact(recruiter, world.position_a, "cy@example.com")
    step(recruiter, cy, "application")
    at(121)
    step(recruiter, cy, "disqualification", {"reason": "no work permit"})
    at(202)
    last = step(recruiter, bo, "rejection-notice", {"message": "thank you for your time"})
    return Scripted(t0, ann, bo, cy, ann_b, last)


@pytest.fixture
def history(app, world: World, clock: FakeClock) -> Scripted:
    scripted = script(world, clock)
    project_all(app.extensions["hirelog"].recruitment)
    return scripted


def get(api: Api, **query: Any) -> dict[str, Any]:
    answer = api.get(URL, query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def outcomes(h: Scripted, body: dict[str, Any]) -> list[tuple[Any, ...]]:
    names = {h.ann: "ann", h.bo: "bo", h.cy: "cy", h.ann_b: "ann_b"}
    return [(names[o["candidate_id"]], o["kind"], when(o["at"]), o["taken_by"], o["status"],
             when(o["told_at"]), o["told_via"], o["days_to_tell"], o["days_waiting"], o["late"])
            for o in body["outcomes"]]


def steps(h: Scripted, body: dict[str, Any]) -> list[tuple[Any, ...]]:
    names = {h.ann: "ann", h.bo: "bo"}
    return [(names[s["candidate_id"]], s["step"], when(s["at"]), s["taken_by"],
             s["actor"]["role"]) for s in body["client_steps"]]


def test_who_was_told_and_who_took_each_step(world: World, history: Scripted) -> None:
    h = history
    answer = world.auditor.get(URL, query_string={"min_position": h.last})
    assert answer.status_code == 200, answer.get_json()
    assert answer.headers["X-Projection-Position"] == str(h.last)
    body = answer.get_json()
    assert set(body) == {"from", "to", "as_of", "notice_days", "outcomes", "client_steps",
                         "totals"}
    assert (body["from"], body["to"], when(body["as_of"]), body["notice_days"]) == (
        None, None, h.at(202), 3)
    assert outcomes(h, body) == [
        ("ann", "hire_decided", h.at(26), "client", "told", h.at(50), "offer", 1.0, None,
         False),
        ("bo", "rejected", h.at(82), "recruiter_on_behalf", "told", h.at(202),
         "rejection_notice", 5.0, None, True),
        ("ann_b", "abandoned", h.at(101), "recruiter_on_behalf", "told", h.at(113),
         "rejection_notice", 0.5, None, False),
        ("cy", "disqualified", h.at(121), "recruiter_on_behalf", "owed", None, None, None, 3.4,
         True)]
    ann = body["outcomes"][0]
    assert ann["actor"] == {"id": ann["actor"]["id"], "name": "test client", "role": "client",
                            "client_id": world.client_a_id}
    assert (ann["decided_by"], ann["reason"], ann["position_title"], ann["client_name"],
            ann["candidate_name"]) == ("test client", "best of the round", "Backend developer",
                                       "Acme", "Ann Lee")
    assert ann["told_by"]["role"] == "recruiter" and ann["told"] is True
    assert body["outcomes"][3]["told_by"] is None
    assert body["totals"]["outcomes"] == {
        "total": 4, "told": 3, "owed": 1, "withdrawn": 0, "told_late": 1, "overdue": 1,
        "by_kind": {"hire_decided": 1, "rejected": 1, "disqualified": 1, "abandoned": 1},
        "median_days_to_tell": 1.0}  # [0.5, 1, 5]

    assert steps(h, body) == [
        ("ann", "interview-request", h.at(3), "client", "client"),
        ("ann", "interview/feedback", h.at(25), "client", "client"),
        ("ann", "decision", h.at(26), "client", "client"),
        ("bo", "interview-request", h.at(63), "recruiter_on_behalf", "recruiter"),
        ("bo", "interview/feedback", h.at(81), "recruiter_on_behalf", "recruiter"),
        ("bo", "decision", h.at(82), "recruiter_on_behalf", "recruiter")]
    assert [s["outcome"] for s in body["client_steps"]] == [None, None, "hire", None, None,
                                                            "reject"]
    assert body["client_steps"][1]["rating"] == "strong_yes"
    assert body["totals"]["client_steps"] == {
        "total": 6, "client": 3, "recruiter_on_behalf": 3,
        "by_step": {step: {"client": 1, "recruiter_on_behalf": 1}
                    for step in ("interview-request", "interview/feedback", "decision")}}
    assert get(world.admin) == body


def test_from_and_to_pick_what_happened_in_the_period(world: World,
                                                      history: Scripted) -> None:
    h = history
    window = get(world.auditor, **{"from": h.at(27).isoformat(), "to": h.at(101).isoformat()})
    assert [o[0] for o in outcomes(h, window)] == ["bo"]  # h101 is not before `to`
    assert [(s[0], s[1]) for s in steps(h, window)] == [
        ("bo", "interview-request"), ("bo", "interview/feedback"), ("bo", "decision")]
    assert (when(window["from"]), when(window["to"])) == (h.at(27), h.at(101))
    # told after the period still counts as told: as of now
    assert window["outcomes"][0]["told_at"] is not None
    since = get(world.auditor, **{"from": h.at(101).isoformat()})
    assert [o[0] for o in outcomes(h, since)] == ["ann_b", "cy"]
    assert since["client_steps"] == []
    offset = h.at(26).astimezone(timezone(timedelta(hours=2)))
    until = get(world.auditor, to=offset.isoformat())  # the same moment, another offset
    assert outcomes(h, until) == [] and len(until["client_steps"]) == 2


def test_client_and_position_filters(world: World, history: Scripted) -> None:
    h = history
    a = get(world.auditor, client_id=world.client_a_id)
    assert [o[0] for o in outcomes(h, a)] == ["ann", "bo", "cy"]
    assert len(a["client_steps"]) == 6
    assert {o["client_id"] for o in a["outcomes"]} == {world.client_a_id}
    b = get(world.admin, client_id=world.client_b_id)
    assert [o[0] for o in outcomes(h, b)] == ["ann_b"] and b["client_steps"] == []
    assert [o[0] for o in outcomes(h, get(world.auditor, position_id=world.position_b))] == [
        "ann_b"]


@pytest.mark.parametrize("query", [
    {"from": "2026-01-06T09:00:00+00:00", "to": "2026-01-05T09:00:00+00:00"},
    {"from": "2026-01-05T09:00:00+00:00", "to": "2026-01-05T11:00:00+02:00"},  # the same
    {"from": "2026-01-05T09:00:00"},  # no time zone
    {"to": "yesterday"},
    {"client_id": "not-a-uuid"},
    {"min_position": "-1"},
])
@pytest.mark.store_independent
def test_a_bad_query_is_a_422_problem(world: World, query: dict[str, str]) -> None:
    body = assert_problem(world.auditor.get(URL, query_string=query), 422)
    assert body["errors"] and all({"pointer", "detail"} <= set(e) for e in body["errors"])


@pytest.mark.store_independent
def test_the_period_must_be_ordered(world: World) -> None:
    body = assert_problem(world.auditor.get(URL, query_string={
        "from": "2026-02-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}), 422)
    assert any(e["pointer"].endswith("to") and "before" in e["detail"] for e in body["errors"])


def test_only_auditors_and_admins_may_read_it(world: World) -> None:
    """The issue's auditors' features are for the auditor and admin roles."""
    for role in ("admin", "auditor"):
        answer = world.as_role(role).get(URL)
        assert answer.status_code == 200, (role, answer.get_json())
        assert answer.get_json()["outcomes"] == []  # the world's candidates are just contacted
    for role in ("recruiter", "client_a", "client_b"):
        assert_problem(world.as_role(role).get(URL), 403)
    assert_problem(world.admin.client.get(URL), 401)

"""The hiring pipeline over HTTP (issue 3, "Resources").

A candidate from first contact to hire, another through abandonment to the rejection notice,
the disqualification and withdrawal rules, the command answers, the history, position rubric
revisions and status, and reads of earlier versions.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.apiclient import Api, World
from tests.fakes import FakeClock

BASE = "/api/v1"
PROBLEM = "application/problem+json"
RECEIPT = {"id", "version", "stage", "position"}


def iso(when: datetime) -> str:
    return when.isoformat()


def at(value: str) -> datetime:
    """An ISO 8601 time from the API, which must carry its offset."""
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


def candidate_path(candidate_id: str, step: str | None = None) -> str:
    return f"{BASE}/candidates/{candidate_id}" + (f"/{step}" if step else "")


class Journey:
    """Sends steps for one candidate and checks every command answer on the way."""

    def __init__(self, world: World, candidate_id: str, version: int, position: int) -> None:
        self.world, self.id = world, candidate_id
        self.version, self.position = version, position
        self.stages: list[str] = []

    def step(self, name: str, body: dict[str, Any] | None = None, *, api: Api | None = None,
             request_id: str | None = None) -> dict[str, Any]:
        api = api or self.world.recruiter
        headers = {"X-Request-ID": request_id} if request_id else None
        answer = api.post(candidate_path(self.id, name), body or {}, headers=headers)
        assert answer.status_code == 200, (name, answer.get_data(as_text=True))
        assert answer.mimetype == "application/json"
        receipt = answer.json
        assert set(receipt) == RECEIPT, receipt
        assert receipt["id"] == self.id
        assert receipt["version"] == self.version + 1, (name, receipt)
        assert receipt["position"] > self.position, (name, receipt)
        if request_id:
            assert answer.headers["X-Request-ID"] == request_id
        self.version, self.position = receipt["version"], receipt["position"]
        self.stages.append(receipt["stage"])
        return receipt

    def refused(self, name: str, body: dict[str, Any] | None = None,
                api: Api | None = None) -> dict[str, Any]:
        """A 409 that names the current stage and the steps allowed now (those the caller may
        take: a client's own steps for a client's token); nothing recorded."""
        api = api or self.world.recruiter
        state = api.get(candidate_path(self.id)).json
        answer = api.post(candidate_path(self.id, name), body or {})
        assert answer.status_code == 409, answer.get_data(as_text=True)
        assert answer.mimetype == PROBLEM
        problem = answer.json
        assert problem["stage"] == state["stage"]
        assert state["stage"] in problem["detail"]
        assert problem["allowed_steps"] == state["allowed_steps"]
        for allowed in state["allowed_steps"]:
            assert allowed in problem["detail"]
        assert self.state()["version"] == self.version
        return problem

    def state(self, **query: Any) -> dict[str, Any]:
        answer = self.world.recruiter.get(candidate_path(self.id), query_string=query)
        assert answer.status_code == 200, answer.json
        assert answer.headers["ETag"] == f'"{answer.json["version"]}"'
        return answer.json


def contact(world: World, clock: FakeClock, email: str, position_id: str | None = None,
            **extra: Any) -> tuple[Journey, Any]:
    answer = world.recruiter.post(f"{BASE}/candidates", {
        "position_id": position_id or world.position_a, "name": "Kim Park", "email": email,
        "source": "referral", **extra})
    assert answer.status_code == 201, answer.json
    receipt = answer.json
    assert set(receipt) == RECEIPT
    assert receipt["version"] == 1
    assert receipt["stage"] == "contacted"
    return Journey(world, receipt["id"], 1, receipt["position"]), answer


def log_head(world: World) -> int:
    return world.recruiter.client.get("/readyz").json["log_head"]


# --- from first contact to hire --------------------------------------------------------------

def test_a_candidate_from_first_contact_to_hire(world: World, clock: FakeClock) -> None:
    contacted_at = clock.now
    kim, created = contact(world, clock, "kim@example.com", channel="linkedin",
                           message="Saw your talk on event sourcing")
    assert created.headers["Location"].endswith(f"/api/v1/candidates/{kim.id}")
    located = world.recruiter.get(created.headers["Location"].removeprefix("http://localhost"))
    assert located.status_code == 200
    assert located.json["id"] == kim.id
    assert log_head(world) == kim.position

    clock.advance(days=1)
    kim.step("application", {"note": "CV attached"})
    clock.advance(days=1)
    assessment_assigned_at = clock.now
    due_at = clock.now + timedelta(days=7)
    kim.step("assessment", {"due_at": iso(due_at)})
    clock.advance(days=3)
    kim.step("assessment/result", {"grades": {"python": "strong_yes", "sql": "mixed"},
                                   "notes": "clean code"})
    kim.step("recommendation", {"summary": "Strong Python, some SQL gaps"})
    clock.advance(days=1)
    kim.step("interview-request", {"note": "We'd like to meet Kim"}, api=world.client_a)
    interview_at = clock.now + timedelta(days=4)
    kim.step("interview", {"scheduled_at": iso(interview_at),
                           "interviewers": ["Grace Hopper", "Alan Turing"],
                           "location": "Video call"})
    clock.advance(days=5)
    kim.step("interview/feedback", {"interviewer": "Grace Hopper", "rating": "strong_yes",
                                    "notes": "excellent"}, api=world.client_a)
    kim.step("interview/feedback", {"interviewer": "Alan Turing", "rating": "yes"},
             api=world.client_a)
    clock.advance(days=1)
    decided_at = clock.now
    kim.step("decision", {"outcome": "hire", "reason": "Best of the shortlist"},
             api=world.client_a, request_id="req-decision-kim")
    offer_sent_at = clock.now
    kim.step("offer", {"salary": "95000.00", "currency": "EUR", "start_date": "2026-03-02",
                       "expires_at": iso(clock.now + timedelta(days=10))})
    clock.advance(days=2)
    kim.step("offer/response", {"accepted": True})
    hired_at = clock.now
    kim.step("placement", {"start_date": "2026-03-02"})

    assert kim.stages == [
        "applied", "assessment_assigned", "assessed", "recommended", "interview_requested",
        "interview_scheduled", "interviewed", "interviewed", "hire_decided", "offered",
        "offered", "hired"]
    assert kim.version == 13
    assert log_head(world) == kim.position

    answer = world.recruiter.get(candidate_path(kim.id))
    assert answer.status_code == 200
    assert answer.headers["ETag"] == '"13"'
    state = answer.json
    assert state["id"] == kim.id
    assert state["version"] == 13
    assert state["stage"] == "hired"
    assert at(state["stage_since"]) == hired_at
    assert state["allowed_steps"] == []
    assert state["position_id"] == world.position_a
    assert state["client_id"] == world.client_a_id
    assert (state["name"], state["email"], state["source"], state["channel"]) == (
        "Kim Park", "kim@example.com", "referral", "linkedin")
    assert at(state["created_at"]) == contacted_at
    assert at(state["updated_at"]) == hired_at
    # the assessment and the score: python weight 5 strong_yes (4), sql weight 2 mixed (2)
    assert state["assessment"]["name"] == "Take-home"
    assert state["assessment"]["duration_minutes"] == 120
    assert at(state["assessment"]["due_at"]) == due_at
    assert at(state["assessment"]["assigned_at"]) == assessment_assigned_at
    assert state["assessment"]["reschedules"] == 0
    assert state["grades"] == {"python": "strong_yes", "sql": "mixed"}
    assert state["rubric_revision"] == 1
    assert state["score"] == round(100 * (5 * 4 + 2 * 2) / ((5 + 2) * 4), 1) == 85.7
    assert state["failed_required_skills"] == []
    # the interview with its feedback
    assert len(state["interviews"]) == 1
    interview = state["interviews"][0]
    assert interview["round"] == 1
    assert at(interview["scheduled_at"]) == interview_at
    assert interview["interviewers"] == ["Grace Hopper", "Alan Turing"]
    assert interview["location"] == "Video call"
    assert interview["feedback"] == [
        {"interviewer": "Grace Hopper", "rating": "strong_yes", "notes": "excellent"},
        {"interviewer": "Alan Turing", "rating": "yes", "notes": None}]
    # the decision, the offer and the placement
    decision = state["decision"]
    assert (decision["outcome"], decision["reason"]) == ("hire", "Best of the shortlist")
    assert decision["decided_by"] == "test client"
    assert at(decision["decided_at"]) == decided_at
    offer = state["offer"]
    assert offer["salary"] == "95000.00"
    assert offer["currency"] == "EUR"
    assert offer["start_date"] == "2026-03-02"
    assert at(offer["sent_at"]) == offer_sent_at
    assert at(offer["expires_at"]) == offer_sent_at + timedelta(days=10)
    assert offer["response"] == "accepted"
    assert state["start_date"] == "2026-03-02"
    assert state["decision_sent_at"] is None
    assert state["reasons"] == {}

    # the client sees what was presented to it, where the process stands, and its own steps:
    # no email, source, channel, assessment, reasons, notes or the decision's reason
    seen_by_client = world.client_a.get(candidate_path(kim.id))
    assert seen_by_client.status_code == 200
    shown = seen_by_client.json
    assert set(shown) == {"id", "version", "position_id", "client_id", "name", "stage",
                          "stage_since", "start_date", "presentation", "allowed_steps",
                          "allowed_arguments", "interviews", "decision", "offer"}
    assert {k: shown[k] for k in ("id", "version", "stage", "stage_since", "start_date")} == {
        k: state[k] for k in ("id", "version", "stage", "stage_since", "start_date")}
    assert shown["presentation"] == state["presentation"]
    assert shown["presentation"]["summary"] == "Strong Python, some SQL gaps"
    assert (shown["presentation"]["grades"], shown["presentation"]["score"]) == (
        state["grades"], state["score"])
    assert shown["decision"] == {k: v for k, v in state["decision"].items() if k != "reason"}
    assert [f for i in shown["interviews"] for f in i["feedback"]] == [
        {"interviewer": f["interviewer"], "rating": f["rating"]}
        for i in state["interviews"] for f in i["feedback"]]
    assert "kim@example.com" not in seen_by_client.get_data(as_text=True)

    # history: every event in order, with its actor and request id
    history = world.auditor.get(candidate_path(kim.id, "history"))
    assert history.status_code == 200
    events = history.json
    assert [e["type"] for e in events] == [
        "Contacted", "Applied", "AssessmentAssigned", "Assessed", "Recommended",
        "SelectedForInterview", "InterviewScheduled", "Interviewed", "Interviewed", "Decided",
        "OfferSent", "OfferAccepted", "Hired"]
    assert [e["version"] for e in events] == list(range(1, 14))
    for event in events:
        assert set(event) >= {"type", "version", "recorded_at", "actor", "request_id", "data"}
        assert isinstance(event["data"], dict)
        assert event["request_id"]
        assert set(event["actor"]) >= {"id", "name", "role", "client_id"}
    recorded = [at(e["recorded_at"]) for e in events]
    assert recorded == sorted(recorded)
    assert recorded[0] == contacted_at and recorded[-1] == hired_at
    by_type = {e["type"]: e for e in events}
    for client_step in ("SelectedForInterview", "Interviewed", "Decided"):
        actor = by_type[client_step]["actor"]
        assert (actor["role"], actor["client_id"]) == ("client", world.client_a_id)
    for staff_step in ("Contacted", "Assessed", "OfferSent", "Hired"):
        actor = by_type[staff_step]["actor"]
        assert (actor["role"], actor["client_id"]) == ("recruiter", None)
    assert by_type["Decided"]["request_id"] == "req-decision-kim"
    assert by_type["Decided"]["data"]["outcome"] == "hire"
    assert by_type["Contacted"]["data"]["email"] == "kim@example.com"
    assert by_type["Contacted"]["data"]["message"] == "Saw your talk on event sourcing"
    assert by_type["Assessed"]["data"]["grades"] == {"python": "strong_yes", "sql": "mixed"}
    assert by_type["Assessed"]["data"]["rubric_revision"] == 1
    assert by_type["OfferSent"]["data"]["currency"] == "EUR"
    assert by_type["Hired"]["data"]["start_date"] == "2026-03-02"
    assert len({e["request_id"] for e in events}) == len(events)

    # earlier versions
    first = kim.state(version=1)
    assert (first["version"], first["stage"], first["grades"]) == (1, "contacted", None)
    assert first["allowed_steps"] == ["application", "disqualification", "withdrawal"]
    assessed = kim.state(version=4)
    assert (assessed["version"], assessed["stage"], assessed["score"]) == (4, "assessed", 85.7)
    assert assessed["interviews"] == []
    assert world.recruiter.get(candidate_path(kim.id), query_string={"version": 9}).headers[
        "ETag"] == '"9"'
    # and nothing more can happen to a hire
    kim.refused("withdrawal", {"reason": "changed mind"})
    kim.refused("rejection-notice")


# --- through abandonment to the rejection notice ---------------------------------------------

def test_a_candidate_through_abandonment_to_the_rejection_notice(world: World,
                                                                 clock: FakeClock) -> None:
    lee, _ = contact(world, clock, "lee@example.com")
    clock.advance(hours=2)
    lee.step("application")
    lee.step("assessment", {"due_at": iso(clock.now + timedelta(days=3))})
    clock.advance(days=1)
    new_due = clock.now + timedelta(days=10)
    lee.step("assessment/reschedule", {"due_at": iso(new_due), "reason": "family event"})
    state = lee.state()
    assert state["stage"] == "assessment_assigned"
    assert at(state["assessment"]["due_at"]) == new_due
    assert state["assessment"]["reschedules"] == 1
    clock.advance(days=2)
    abandoned_at = clock.now
    lee.step("assessment/abandonment", {"reason": "too_long", "note": "8 hours is too much"})
    state = lee.state()
    assert state["stage"] == "abandoned"
    assert state["reasons"] == {"abandoned": "too_long"}
    assert state["decision_sent_at"] is None
    assert state["allowed_steps"] == ["rejection-notice"]
    lee.refused("withdrawal", {"reason": "busy"})
    lee.refused("assessment/result", {"grades": {"python": "yes", "sql": "yes"}})

    clock.advance(days=1)
    told_at = clock.now
    lee.step("rejection-notice", {"message": "Thanks for your time"})
    assert lee.stages == ["applied", "assessment_assigned", "assessment_assigned", "abandoned",
                          "abandoned"]
    state = lee.state()
    assert state["stage"] == "abandoned"
    assert at(state["stage_since"]) == abandoned_at
    assert at(state["decision_sent_at"]) == told_at
    assert state["allowed_steps"] == []
    assert state["score"] is None
    lee.refused("rejection-notice")
    events = world.recruiter.get(candidate_path(lee.id, "history")).json
    assert [e["type"] for e in events] == [
        "Contacted", "Applied", "AssessmentAssigned", "AssessmentRescheduled",
        "AssessmentAbandoned", "RejectionSent"]
    assert events[3]["data"]["reason"] == "family event"
    assert events[4]["data"]["reason"] == "too_long"
    assert events[5]["data"]["message"] == "Thanks for your time"


# --- disqualification, withdrawal, rejection -------------------------------------------------

def test_withdrawal_after_disqualification_is_refused(world: World, clock: FakeClock) -> None:
    max_, _ = contact(world, clock, "max@example.com")
    max_.step("application")
    max_.step("disqualification", {"reason": "no work permit"})
    state = max_.state()
    assert state["stage"] == "disqualified"
    assert state["reasons"] == {"disqualified": "no work permit"}
    assert state["allowed_steps"] == ["rejection-notice", "reopening"]
    problem = max_.refused("withdrawal", {"reason": "found another job"})
    assert problem["allowed_steps"] == ["rejection-notice", "reopening"]
    max_.refused("disqualification", {"reason": "again"})
    max_.step("rejection-notice")
    assert max_.state()["decision_sent_at"] is not None
    max_.refused("withdrawal", {"reason": "found another job"})
    assert max_.stages == ["applied", "disqualified", "disqualified"]


def test_a_withdrawn_candidate_cannot_be_disqualified(world: World, clock: FakeClock) -> None:
    ivy, _ = contact(world, clock, "ivy@example.com")
    ivy.step("application")
    ivy.step("withdrawal", {"reason": "accepted another offer"})
    state = ivy.state()
    assert state["stage"] == "withdrawn"
    assert state["reasons"] == {"withdrawn": "accepted another offer"}
    assert state["allowed_steps"] == ["rejection-notice"]
    ivy.refused("disqualification", {"reason": "too late"})
    ivy.refused("withdrawal", {"reason": "twice"})
    ivy.step("rejection-notice")
    assert ivy.state()["stage"] == "withdrawn"


def test_withdrawal_is_allowed_until_the_process_is_over(world: World, clock: FakeClock) -> None:
    """Withdrawing from the interview stage is fine; then only the rejection notice is left."""
    zoe, _ = contact(world, clock, "zoe@example.com")
    zoe.step("application")
    zoe.step("assessment", {"due_at": iso(clock.now + timedelta(days=2))})
    zoe.step("assessment/result", {"grades": {"python": "no", "sql": "yes"}})
    state = zoe.state()
    assert state["failed_required_skills"] == ["python"]
    assert state["score"] == round(100 * (5 * 1 + 2 * 3) / 28, 1)
    zoe.step("recommendation", {"summary": "worth a chat"})
    zoe.step("interview-request", api=world.client_a)
    assert "withdrawal" in zoe.state()["allowed_steps"]
    zoe.step("withdrawal", {"reason": "relocating"})
    assert zoe.state()["stage"] == "withdrawn"


def test_a_client_rejection_then_the_notice(world: World, clock: FakeClock) -> None:
    ray, _ = contact(world, clock, "ray@example.com")
    ray.step("application")
    ray.step("assessment", {"due_at": iso(clock.now + timedelta(days=2))})
    ray.step("assessment/result", {"grades": {"python": "yes", "sql": "no_decision"}})
    assert ray.state()["score"] == 75.0  # sql's no_decision does not count
    ray.step("recommendation", {"summary": "ok"})
    ray.refused("decision", {"outcome": "hire", "reason": "no interview yet"},
                api=world.client_a)
    ray.step("decision", {"outcome": "reject", "reason": "not senior enough"},
             api=world.client_a)
    state = ray.state()
    assert state["stage"] == "rejected"
    assert state["decision"]["outcome"] == "reject"
    assert state["allowed_steps"] == ["rejection-notice", "reopening"]
    ray.step("rejection-notice", {"message": "Sorry"})
    state = ray.state()
    assert (state["stage"], state["allowed_steps"]) == ("rejected", [])
    assert state["decision_sent_at"] is not None


def test_a_declined_offer_can_be_followed_by_a_new_one(world: World, clock: FakeClock) -> None:
    eva, _ = contact(world, clock, "eva@example.com")
    eva.step("application")
    eva.step("assessment", {"due_at": iso(clock.now + timedelta(days=2))})
    eva.step("assessment/result", {"grades": {"python": "yes", "sql": "yes"}})
    eva.step("recommendation", {"summary": "ok"})
    eva.step("interview-request", api=world.client_a)
    eva.step("interview", {"scheduled_at": iso(clock.now + timedelta(days=1)),
                           "interviewers": ["Grace"]})
    clock.advance(days=1)
    eva.step("interview/feedback", {"interviewer": "Grace", "rating": "yes"})
    eva.step("decision", {"outcome": "hire", "reason": "good"}, api=world.client_a)
    offer = {"salary": 80000, "currency": "GBP", "start_date": "2026-04-01",
             "expires_at": iso(clock.now + timedelta(days=5))}
    eva.step("offer", offer)
    eva.refused("placement", {"start_date": "2026-04-01"})
    eva.step("offer/response", {"accepted": False, "reason": "salary"})
    state = eva.state()
    assert state["stage"] == "offer_declined"
    assert (state["offer"]["response"], state["offer"]["response_reason"]) == (
        "declined", "salary")
    eva.step("offer", {**offer, "salary": "90000"})
    eva.step("offer/response", {"accepted": True})
    eva.step("placement", {"start_date": "2026-04-01"})
    state = eva.state()
    assert (state["stage"], state["offer"]["salary"]) == ("hired", "90000")


# --- command answers -------------------------------------------------------------------------

def test_creates_answer_id_version_and_position(world: World) -> None:
    api = world.recruiter
    positions = [log_head(world)]
    client = api.post(f"{BASE}/clients", {"name": "Initech"})
    assert client.status_code == 201
    assert set(client.json) == {"id", "version", "position"}
    assert client.json["version"] == 1
    assert client.headers["Location"].endswith(f"/api/v1/clients/{client.json['id']}")
    positions.append(client.json["position"])
    opened = api.post(f"{BASE}/positions", {
        "client_id": client.json["id"], "title": "Data engineer", "headcount": 2,
        "skills": [{"name": "spark", "weight": 4, "required": True}],
        "assessment": {"name": "Pipeline exercise", "duration_minutes": 90}})
    assert opened.status_code == 201, opened.json
    assert set(opened.json) == {"id", "version", "position"}
    assert opened.headers["Location"].endswith(f"/api/v1/positions/{opened.json['id']}")
    positions.append(opened.json["position"])
    candidate = api.post(f"{BASE}/candidates", {
        "position_id": opened.json["id"], "name": "Sam", "email": "sam@example.com",
        "source": "job_board"})
    assert candidate.status_code == 201
    assert set(candidate.json) == RECEIPT
    positions.append(candidate.json["position"])
    assert positions == sorted(set(positions)), positions
    assert positions[-1] == log_head(world)
    got = api.get(f"{BASE}/clients/{client.json['id']}")
    assert (got.json["name"], got.json["version"]) == ("Initech", 1)


# --- positions -------------------------------------------------------------------------------

def position(world: World, position_id: str, **query: Any) -> dict[str, Any]:
    answer = world.recruiter.get(f"{BASE}/positions/{position_id}", query_string=query)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_a_rubric_revision_is_used_by_later_assessments(world: World,
                                                        clock: FakeClock) -> None:
    first = position(world, world.position_a)
    assert first["rubric_revision"] == 1
    assert first["rubrics"] == [{"revision": 1, "skills": first["skills"]}]
    assert first["skills"] == [{"name": "python", "weight": 5, "required": True},
                               {"name": "sql", "weight": 2, "required": False}]

    # graded before the revision: against revision 1
    early, _ = contact(world, clock, "early@example.com")
    early.step("application")
    early.step("assessment", {"due_at": iso(clock.now + timedelta(days=5))})
    early.step("assessment/result", {"grades": {"python": "yes", "sql": "yes"}})
    late, _ = contact(world, clock, "late@example.com")
    late.step("application")
    late.step("assessment", {"due_at": iso(clock.now + timedelta(days=5))})

    revised_skills = [{"name": "python", "weight": 3, "required": True},
                      {"name": "postgres", "weight": 4, "required": True},
                      {"name": "docker", "weight": 1, "required": False}]
    head = log_head(world)
    revised = world.recruiter.post(f"{BASE}/positions/{world.position_a}/rubric",
                                   {"skills": revised_skills})
    assert revised.status_code == 200, revised.json
    assert set(revised.json) == {"id", "version", "position"}
    assert revised.json["id"] == world.position_a
    assert revised.json["version"] == 2
    assert revised.json["position"] > head

    now = position(world, world.position_a)
    assert now["version"] == 2
    assert now["rubric_revision"] == 2
    assert now["skills"] == revised_skills
    assert now["rubrics"] == [{"revision": 1, "skills": first["skills"]},
                              {"revision": 2, "skills": revised_skills}]
    then = position(world, world.position_a, version=1)
    assert (then["rubric_revision"], then["skills"]) == (1, first["skills"])

    # the old rubric's skills no longer fit; the new ones do
    refused = world.recruiter.post(candidate_path(late.id, "assessment/result"),
                                   {"grades": {"python": "yes", "sql": "yes"}})
    assert refused.status_code == 422
    assert refused.mimetype == PROBLEM
    assert late.state()["version"] == late.version
    late.step("assessment/result",
              {"grades": {"python": "strong_yes", "postgres": "mixed", "docker": "no"}})
    state = late.state()
    assert state["rubric_revision"] == 2
    # python 3 x 4 + postgres 4 x 2 + docker 1 x 1 = 21 of (3 + 4 + 1) x 4 = 32
    assert state["score"] == round(100 * 21 / 32, 1) == 65.6
    assert state["failed_required_skills"] == []
    assessed = world.recruiter.get(candidate_path(late.id, "history")).json[-1]
    assert assessed["type"] == "Assessed"
    assert assessed["data"]["rubric_revision"] == 2
    assert assessed["data"]["skills"] == revised_skills

    # the earlier assessment keeps naming revision 1, and its score stands
    state = early.state()
    assert state["rubric_revision"] == 1
    assert state["score"] == 75.0


def test_position_status(world: World, clock: FakeClock) -> None:
    api, position_id = world.recruiter, world.position_a
    answer = api.post(f"{BASE}/positions/{position_id}/status",
                      {"status": "on_hold", "reason": "budget review"})
    assert answer.status_code == 200, answer.json
    assert set(answer.json) == {"id", "version", "position"}
    assert answer.json["version"] == 2
    assert position(world, position_id)["status"] == "on_hold"

    head = log_head(world)
    held = api.post(f"{BASE}/candidates", {"position_id": position_id, "name": "Bo",
                                           "email": "bo@example.com", "source": "inbound"})
    assert 400 <= held.status_code < 500
    assert held.mimetype == PROBLEM
    assert log_head(world) == head

    reopened = api.post(f"{BASE}/positions/{position_id}/status", {"status": "open"})
    assert reopened.status_code == 200, reopened.json
    assert reopened.json["version"] == 3
    bo, _ = contact(world, clock, "bo@example.com", position_id=position_id)
    assert bo.state()["position_id"] == position_id
    for status in ("filled", "closed"):
        assert api.post(f"{BASE}/positions/{position_id}/status",
                        {"status": status}).status_code == 200
    final = position(world, position_id)
    assert (final["status"], final["version"]) == ("closed", 5)
    assert position(world, position_id, version=2)["status"] == "on_hold"
    # the client sees its position, not the other client's
    assert world.client_a.get(f"{BASE}/positions/{position_id}").json["status"] == "closed"
    assert world.client_b.get(f"{BASE}/positions/{position_id}").status_code == 404


# --- reads of earlier versions ---------------------------------------------------------------

def test_get_with_version_returns_the_earlier_state(world: World, clock: FakeClock) -> None:
    joe, _ = contact(world, clock, "joe@example.com")
    clock.advance(days=1)
    joe.step("application", {"note": "hi"})
    clock.advance(days=1)
    joe.step("disqualification", {"reason": "no"})
    states = [joe.state(version=v) for v in (1, 2, 3)]
    assert [s["version"] for s in states] == [1, 2, 3]
    assert [s["stage"] for s in states] == ["contacted", "applied", "disqualified"]
    assert [s["allowed_steps"] for s in states] == [
        ["application", "disqualification", "withdrawal"],
        ["assessment", "disqualification", "withdrawal"],
        ["rejection-notice", "reopening"]]
    assert states[0]["reasons"] == {} and states[2]["reasons"] == {"disqualified": "no"}
    assert at(states[0]["updated_at"]) < at(states[1]["updated_at"]) < at(
        states[2]["updated_at"])
    assert joe.state() == states[2]

"""Hiring steps through the Recruitment service for store tests: a candidate contacted for a
new position, and one taken to the final interview."""

from __future__ import annotations

from datetime import timedelta

from domain.application import Recruitment
from domain.values import Skill
from tests.fakes import FakeClock, by, client_user


def open_candidate(app: Recruitment, email: str = "ann@example.com"):
    client = app.register_client("Acme", by())
    position = app.open_position(
        client_id=client.id, title="Backend developer", headcount=2,
        skills=[Skill("python", 5, True), Skill("sql", 2)], assessment_name="Take-home",
        assessment_minutes=120, caller=by())
    candidate = app.contact_candidate(position_id=position.id, name="Ann Lee", email=email,
                                      source="referral", caller=by())
    return client, position, candidate


def drive_to_interview(app: Recruitment, clock: FakeClock, candidate_id, client_id) -> None:
    app.apply(candidate_id, by())
    app.assign_assessment(candidate_id, by(), due_at=clock.now + timedelta(days=3))
    clock.advance(days=1)
    app.record_assessment(candidate_id, by(), grades={"python": "yes", "sql": "mixed"})
    app.recommend(candidate_id, by(), summary="Solid Python")
    app.request_interview(candidate_id, by(client_user(client_id)))
    app.schedule_interview(candidate_id, by(), scheduled_at=clock.now + timedelta(days=2),
                           interviewers=["Kim", "Lou", "Max", "Noa"])
    clock.advance(days=3)

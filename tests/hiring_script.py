"""A scripted hiring history for read model tests: one client's candidates taken through the
stages at known hours (History, script), and the same over HTTP (flask_app, agency)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from flask import Flask

from api import create_app
from domain.application import Recruitment
from domain.values import Skill
from hirelog.settings import Settings
from tests.apiclient import Api, contact, new_token, open_position
from tests.fakes import ADMIN, FakeClock, by, client_user

RUBRIC = [Skill("python", 5, required=True), Skill("sql", 2)]
REVISED = [*RUBRIC, Skill("pandas", 3)]


@dataclass
class History:
    t0: datetime
    acme: UUID
    globex: UUID
    p1: UUID
    p2: UUID
    p3: UUID
    people: dict[str, UUID]

    def at(self, hours: float) -> datetime:
        return self.t0 + timedelta(hours=hours)


def script(app: Recruitment, clock: FakeClock) -> History:
    """The history of the module docstring, driven through the application."""
    t0 = clock.now

    def at(hours: float) -> datetime:
        moment = t0 + timedelta(hours=hours)
        assert moment >= clock.now, "the script must move forward in time"
        clock.now = moment
        return moment

    acme, globex = (app.register_client(name, by(ADMIN)).id for name in ("Acme", "Globex"))

    def position(client: UUID, title: str, minutes: int) -> UUID:
        return app.open_position(client_id=client, title=title, headcount=3, skills=RUBRIC,
                                 assessment_name=f"{title} test", assessment_minutes=minutes,
                                 caller=by()).id

    p1, p2, p3 = position(acme, "Platform", 300), position(acme, "Analyst", 45), position(
        globex, "Backend", 90)
    people: dict[str, UUID] = {}

    def first_contact(name: str, pos: UUID, source: str, hour: float) -> UUID:
        at(hour)
        people[name] = app.contact_candidate(position_id=pos, name=name, source=source,
                                             email=f"{name.lower()}@example.com",
                                             caller=by()).id
        return people[name]

    def do(hour: float, command: Any, *args: Any, **kwargs: Any) -> None:
        at(hour)
        command(*args, **kwargs)

    hana = first_contact("Hana", p2, "referral", 1)
    do(3, app.apply, hana, by())
    do(5, app.assign_assessment, hana, by(), due_at=t0 + timedelta(hours=77))
    do(9, app.record_assessment, hana, by(), {"python": "strong_yes", "sql": "yes"})
    do(10, app.revise_rubric, p2, REVISED, by())
    do(11, app.recommend, hana, by(), "strong")
    hm = client_user(acme)
    do(35, app.request_interview, hana, by(hm))
    do(37, app.schedule_interview, hana, by(), scheduled_at=t0 + timedelta(hours=60),
                                   interviewers=["Ivy", "Ian"])
    do(61, app.record_interview_feedback, hana, by(hm), "Ivy", "yes")
    do(62, app.record_interview_feedback, hana, by(hm), "Ian", "strong_yes")
    do(65, app.decide, hana, by(hm), "hire", "best of the round")
    do(67, app.send_offer, hana, by(), Decimal("90000"), "EUR", date(2026, 2, 2),
                           expires_at=t0 + timedelta(hours=115))
    do(70, app.respond_to_offer, hana, by(), accepted=True)
    do(73, app.hire, hana, by(), date(2026, 2, 2))

    will = first_contact("Will", p1, "sourced", 100)
    do(102, app.apply, will, by())
    do(104, app.assign_assessment, will, by(), due_at=t0 + timedelta(hours=200))
    do(128, app.record_assessment, will, by(), {"python": "yes", "sql": "mixed"})
    do(130, app.recommend, will, by(), "solid")
    do(134, app.request_interview, will, by(hm))
    do(136, app.schedule_interview, will, by(), scheduled_at=t0 + timedelta(hours=160),
                                    interviewers=["Ivy"])
    do(140, app.schedule_interview, will, by(), scheduled_at=t0 + timedelta(hours=170),
                                    interviewers=["Ivy"])
    do(150, app.withdraw, will, by(), "took another offer")

    abe = first_contact("Abe", p1, "job_board", 200)
    do(201, app.apply, abe, by())
    do(203, app.assign_assessment, abe, by(), due_at=t0 + timedelta(hours=275))
    do(210, app.reschedule_assessment, abe, by(), due_at=t0 + timedelta(hours=300),
                                       reason="busy week")
    do(251, app.abandon_assessment, abe, by(), "too_long", "five hours is too much")
    do(260, app.send_rejection, abe, by())

    cara = first_contact("Cara", p2, "inbound", 300)
    do(304, app.apply, cara, by())
    do(306, app.assign_assessment, cara, by(), due_at=t0 + timedelta(hours=378))
    do(308, app.record_assessment, cara, by(), {"python": "yes", "sql": "yes",
                                                "pandas": "strong_yes"})
    do(309, app.recommend, cara, by(), "good")

    dan = first_contact("Dan", p2, "referral", 400)
    do(402, app.apply, dan, by())
    do(403, app.assign_assessment, dan, by(), due_at=t0 + timedelta(hours=475))
    do(409, app.record_assessment, dan, by(), {"python": "no", "sql": "yes", "pandas": "yes"})
    do(410, app.disqualify, dan, by(), "failed the required python")

    gus = first_contact("Gus", p3, "referral", 450)
    do(452, app.apply, gus, by())
    do(453, app.assign_assessment, gus, by(), due_at=t0 + timedelta(hours=525))
    do(460, app.withdraw, gus, by(), "no time this month")

    rita = first_contact("Rita", p1, "referral", 500)
    do(501, app.apply, rita, by())
    do(502, app.assign_assessment, rita, by(), due_at=t0 + timedelta(hours=574))
    do(550, app.record_assessment, rita, by(), {"python": "yes", "sql": "no"})
    do(552, app.recommend, rita, by(), "promising")
    do(560, app.request_interview, rita, by(hm))
    do(561, app.schedule_interview, rita, by(), scheduled_at=t0 + timedelta(hours=580),
                                    interviewers=["Ivy"])
    do(581, app.record_interview_feedback, rita, by(hm), "Ivy", "mixed")
    do(585, app.schedule_interview, rita, by(), scheduled_at=t0 + timedelta(hours=600),
                                    interviewers=["Ian"])
    do(601, app.record_interview_feedback, rita, by(hm), "Ian", "no")
    do(605, app.decide, rita, by(hm), "reject", "not senior enough")
    do(845, app.send_rejection, rita, by(), "thank you")
    return History(t0, acme, globex, p1, p2, p3, people)


def hour(history: History, text: str | None) -> float | None:
    """A stored time as hours after h0."""
    if text is None:
        return None
    return (datetime.fromisoformat(text.replace("Z", "+00:00")) - history.t0) / timedelta(hours=1)


@contextmanager
def flask_app(settings: Settings, clock: FakeClock) -> Iterator[Flask]:
    """tests/api's Flask app (here `app` is the application itself), waiting 0.2 s at most
    for a read model."""
    made = create_app(dataclasses.replace(settings, read_wait_seconds=0.2), clock=clock)
    made.config["TESTING"] = True
    try:
        yield made
    finally:
        made.extensions["hirelog"].close()


@dataclass
class Agency:
    """Two clients with a position (120-minute take-home) and a candidate each, a recruiter
    token and client A's token."""

    app: Flask
    recruiter: Api
    client_a: Api
    a: str
    b: str
    candidate_a: str
    candidate_b: str
    position_b: str

    def step(self, candidate: str, step: str, body: dict[str, Any] | None = None) -> int:
        answer = self.recruiter.post(f"/api/v1/candidates/{candidate}/{step}", body or {})
        assert answer.status_code == 200, answer.get_json()
        return answer.get_json()["position"]

    def head(self) -> int:
        return self.app.extensions["hirelog"].recruitment.recorder.max_notification_id()


def agency(made: Flask) -> Agency:
    recruiter = Api(made.test_client(), new_token(made, "recruiter"))
    a, b = (recruiter.post("/api/v1/clients", {"name": n}).get_json()["id"]
            for n in ("Acme", "Globex"))
    position_a, position_b = open_position(recruiter, a), open_position(recruiter, b)
    return Agency(made, recruiter, Api(made.test_client(), new_token(made, "client", a)), a, b,
                  contact(recruiter, position_a), contact(recruiter, position_b), position_b)

"""Candidate: the event each command records, the state it leaves, the order of the stages,
the values commands refuse, and how assessments are scored.

Every candidate is driven by hand with a FakeClock: each step happens one hour after the last,
so every event's timestamp is known exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from domain.base import Stamp
from domain.candidacy import Feedback, Interview, Offer, Presentation, candidate_id
from domain.candidate import Candidate
from domain.errors import DomainError, IllegalStep, InvalidValue
from domain.stages import ALLOWED, CLOSED, COMMANDS, Stage
from domain.values import Skill, weighted_score
from tests.fakes import RECRUITER, FakeClock, client_user

# --- fixed facts -----------------------------------------------------------------------------

KEY = b"unit-test-id-key"
POSITION_ID = UUID("00000000-0000-4000-8000-00000000a001")
OTHER_POSITION_ID = UUID("00000000-0000-4000-8000-00000000a002")
CLIENT_ID = UUID("00000000-0000-4000-8000-00000000c001")
HIRING_MANAGER = client_user(CLIENT_ID)
START = date(2026, 3, 2)

# python (weight 3, required) graded yes, sql (weight 1) graded no: (3*3 + 1*1) / (4*4) = 62.5
RUBRIC = (Skill("python", 3, required=True), Skill("sql", 1))
GRADES = {"python": "yes", "sql": "no"}


# --- helpers ---------------------------------------------------------------------------------

def stamp(clock: FakeClock, actor=RECRUITER, request_id: str = "req-test") -> Stamp:
    """The next command's stamp: one hour after the previous one."""
    return Stamp(clock.advance(hours=1), actor, request_id)


def contact(clock: FakeClock, **overrides: Any) -> Candidate:
    args: dict[str, Any] = dict(key=KEY, position_id=POSITION_ID, client_id=CLIENT_ID,
                                name="Ann Smith", email="ann@example.com", source="referral")
    args.update(overrides)
    return Candidate.contact(by=stamp(clock, request_id="req-contact"), **args)


def _next_interviewer(candidate: Candidate) -> str:
    """An interviewer of the latest interview who has not given feedback on it yet."""
    if not candidate.interviews:
        return "Ivy"
    round_ = len(candidate.interviews)
    given = {f.interviewer for f in candidate.feedback if f.round == round_}
    return next(n for n in candidate.interviews[-1].interviewers if n not in given)


def default_args(command: str, candidate: Candidate, at: datetime) -> dict[str, Any]:
    """Valid arguments for `command` given at `at` (dates relative to it)."""
    return {
        "apply": lambda: {},
        "assign_assessment": lambda: dict(name="Take-home", duration_minutes=180,
                                          due_at=at + timedelta(days=7)),
        "reschedule_assessment": lambda: dict(due_at=at + timedelta(days=10),
                                              reason="was ill"),
        "record_assessment": lambda: dict(grades=dict(GRADES), rubric_revision=1,
                                          rubric=RUBRIC),
        "abandon_assessment": lambda: dict(reason="too_long"),
        "recommend": lambda: dict(summary="Solid Python, weak SQL"),
        "disqualify": lambda: dict(reason="no work permit"),
        "request_interview": lambda: dict(requested_by="Hana Hiring"),
        "schedule_interview": lambda: dict(scheduled_at=at + timedelta(minutes=30),
                                           interviewers=["Ivy", "Ian"]),
        "record_interview_feedback": lambda: dict(interviewer=_next_interviewer(candidate),
                                                  rating="yes"),
        "decide": lambda: dict(outcome="reject", reason="another candidate fits better",
                               decided_by="Hana Hiring"),
        "send_offer": lambda: dict(salary=Decimal("85000"), currency="EUR", start_date=START,
                                   expires_at=at + timedelta(days=7)),
        "send_rejection": lambda: {},
        "respond_to_offer": lambda: dict(accepted=True),
        "hire": lambda: dict(start_date=START),
        "withdraw": lambda: dict(reason="took another job"),
        "present": lambda: {},
        "reopen": lambda: dict(reason="recorded for the wrong candidate"),
        "correct_assessment": lambda: dict(grades={"python": "strong_yes", "sql": "yes"},
                                           reason="graded from the wrong sheet"),
    }[command]()


def issue(candidate: Candidate, command: str, by: Stamp, **overrides: Any) -> None:
    """Give `command` with valid default arguments, some replaced by `overrides`."""
    args = default_args(command, candidate, by.at)
    args.update(overrides)
    getattr(candidate, command)(by=by, **args)


def step(command: str, **overrides: Any) -> tuple[str, dict[str, Any]]:
    return command, overrides


_ASSIGNED = (step("apply"), step("assign_assessment"))
_ASSESSED = (*_ASSIGNED, step("record_assessment"))
_RECOMMENDED = (*_ASSESSED, step("recommend"))
_SCHEDULED = (*_RECOMMENDED, step("request_interview"), step("schedule_interview"))
_INTERVIEWED = (*_SCHEDULED, step("record_interview_feedback"))  # Ivy's feedback, round 1
_OFFERED = (*_INTERVIEWED, step("decide", outcome="hire"), step("send_offer"))
_NOTICE = (step("send_rejection"),)

# The steps (after contact) that lead to each situation: one per stage, plus the situations
# where more than the stage decides what is allowed (an accepted offer, a notice sent).
SITUATIONS: dict[str, tuple[tuple[str, dict[str, Any]], ...]] = {
    "contacted": (),
    "applied": (step("apply"),),
    "assessment_assigned": _ASSIGNED,
    "assessed": _ASSESSED,
    "abandoned": (*_ASSIGNED, step("abandon_assessment")),
    "disqualified": (step("apply"), step("disqualify")),
    "recommended": _RECOMMENDED,
    "interview_requested": (*_RECOMMENDED, step("request_interview")),
    "interview_scheduled": _SCHEDULED,
    "interviewed": _INTERVIEWED,
    "hire_decided": (*_INTERVIEWED, step("decide", outcome="hire")),
    "rejected": (*_RECOMMENDED, step("decide", outcome="reject")),
    "offered": _OFFERED,
    "offer_declined": (*_OFFERED, step("respond_to_offer", accepted=False)),
    "hired": (*_OFFERED, step("respond_to_offer", accepted=True), step("hire")),
    "withdrawn": (step("withdraw"),),
    # refinements of a stage
    "offered_and_accepted": (*_OFFERED, step("respond_to_offer", accepted=True)),
    "abandoned_and_notified": (*_ASSIGNED, step("abandon_assessment"), *_NOTICE),
    "disqualified_and_notified": (step("disqualify"), *_NOTICE),
    "rejected_and_notified": (*_RECOMMENDED, step("decide", outcome="reject"), *_NOTICE),
    "withdrawn_and_notified": (step("withdraw"), *_NOTICE),
}

# What each situation allows, written out by hand (the rules, not a copy of stages.ALLOWED).
EXPECTED_ALLOWED: dict[str, set[str]] = {
    "contacted": {"apply", "disqualify", "withdraw"},
    "applied": {"assign_assessment", "disqualify", "withdraw"},
    "assessment_assigned": {"reschedule_assessment", "record_assessment", "abandon_assessment",
                            "withdraw"},
    "assessed": {"correct_assessment", "recommend", "disqualify", "withdraw"},
    "abandoned": {"send_rejection"},
    "disqualified": {"send_rejection", "reopen"},
    "recommended": {"correct_assessment", "request_interview", "decide", "withdraw", "present"},
    "interview_requested": {"correct_assessment", "schedule_interview", "decide", "withdraw",
                            "present"},
    "interview_scheduled": {"correct_assessment", "schedule_interview",
                            "record_interview_feedback", "decide", "withdraw", "present"},
    "interviewed": {"correct_assessment", "schedule_interview", "record_interview_feedback",
                    "decide", "withdraw", "present"},
    "hire_decided": {"correct_assessment", "send_offer", "withdraw", "present", "reopen"},
    "rejected": {"send_rejection", "reopen"},
    "offered": {"correct_assessment", "respond_to_offer", "withdraw", "present"},
    "offer_declined": {"correct_assessment", "send_offer", "withdraw", "present"},
    "hired": set(),
    "withdrawn": {"send_rejection"},
    "offered_and_accepted": {"correct_assessment", "hire", "withdraw", "present"},
    "abandoned_and_notified": set(),
    "disqualified_and_notified": set(),
    "rejected_and_notified": set(),
    "withdrawn_and_notified": set(),
}


def drive(situation: str, clock: FakeClock) -> Candidate:
    """A candidate in `situation`, its events collected so only new ones stay pending."""
    candidate = contact(clock)
    for command, overrides in SITUATIONS[situation]:
        issue(candidate, command, stamp(clock, request_id=f"req-{command}"), **overrides)
    candidate.collect_events()
    return candidate


def allowed_next(candidate: Candidate, clock: FakeClock) -> tuple[str, ...]:
    """The commands allowed at the next step's time (one hour on, as `stamp` gives it)."""
    return candidate.allowed_commands(clock.now + timedelta(hours=1))


def the_new_event(candidate: Candidate, event_class: type, by: Stamp, version: int) -> Any:
    """The one event the last command recorded, checked for what every event carries."""
    events = candidate.collect_events()
    assert len(events) == 1, events
    [event] = events
    assert type(event) is event_class
    assert event.originator_id == candidate.id
    assert event.originator_version == version
    assert candidate.version == version
    assert event.timestamp == by.at
    assert candidate.modified_on == by.at
    assert event.actor == by.actor
    assert event.request_id == by.request_id
    return event


# --- the helpers reach what they claim -------------------------------------------------------

@pytest.mark.parametrize("situation", SITUATIONS)
def test_each_situation_is_reached_in_its_stage(situation: str, clock: FakeClock) -> None:
    candidate = drive(situation, clock)
    assert candidate.stage == situation.split("_and_")[0]
    assert candidate.version == len(SITUATIONS[situation]) + 1


def test_the_situations_cover_every_stage() -> None:
    assert {s.value for s in Stage} <= set(SITUATIONS)


# --- contact ---------------------------------------------------------------------------------

def test_contact_records_contacted_with_normalised_values(clock: FakeClock) -> None:
    by = Stamp(clock.advance(hours=1), RECRUITER, "req-1")
    candidate = Candidate.contact(
        key=KEY, position_id=POSITION_ID, client_id=CLIENT_ID, name="  Ann Smith ",
        email="  Ann.Smith@Example.COM ", source="job_board", channel=" LinkedIn ",
        message=" Saw your talk ", by=by)

    event = the_new_event(candidate, Candidate.Contacted, by, version=1)
    assert event.originator_id == candidate_id(KEY, POSITION_ID, "ann.smith@example.com")
    assert event.position_id == POSITION_ID
    assert event.client_id == CLIENT_ID
    assert event.name == "Ann Smith"
    assert event.email == "ann.smith@example.com"
    assert event.source == "job_board"
    assert event.channel == "LinkedIn"
    assert event.message == "Saw your talk"


def test_a_contacted_candidate_starts_with_an_empty_record(clock: FakeClock) -> None:
    by = Stamp(clock.advance(hours=1), RECRUITER, "req-1")
    candidate = Candidate.contact(key=KEY, position_id=POSITION_ID, client_id=CLIENT_ID,
                                  name="Ann", email="ann@example.com", source="referral",
                                  channel="   ", by=by)

    assert candidate.stage == "contacted"
    assert candidate.stage_since == by.at
    assert candidate.created_on == by.at
    assert (candidate.position_id, candidate.client_id) == (POSITION_ID, CLIENT_ID)
    assert (candidate.name, candidate.email, candidate.source) == ("Ann", "ann@example.com",
                                                                   "referral")
    assert candidate.channel is None
    assert candidate.assessment is None
    assert candidate.grades is None
    assert candidate.score is None
    assert candidate.failed_required_skills == ()
    assert (candidate.rubric_revision, candidate.rubric) == (0, ())
    assert (candidate.interviews, candidate.feedback) == ((), ())
    assert candidate.offer is None
    assert candidate.decision is None
    assert candidate.decision_sent_at is None
    assert candidate.start_date is None
    assert candidate.reasons == {}
    assert candidate.owes_notice is False


# --- one test per command: the event and the state -------------------------------------------

def test_apply(clock: FakeClock) -> None:
    candidate = drive("contacted", clock)
    by = stamp(clock)
    candidate.apply(note="  via the careers page ", by=by)

    event = the_new_event(candidate, Candidate.Applied, by, version=2)
    assert event.note == "via the careers page"
    assert (candidate.stage, candidate.stage_since) == ("applied", by.at)


def test_assign_assessment(clock: FakeClock) -> None:
    candidate = drive("applied", clock)
    by = stamp(clock)
    due = by.at + timedelta(days=5)
    candidate.assign_assessment(name="Take-home", duration_minutes=240, due_at=due, by=by)

    event = the_new_event(candidate, Candidate.AssessmentAssigned, by, version=3)
    assert (event.assessment_name, event.duration_minutes, event.due_at) == (
        "Take-home", 240, due)
    assert (candidate.stage, candidate.stage_since) == ("assessment_assigned", by.at)
    assert candidate.assessment == {"name": "Take-home", "due_at": due,
                                    "duration_minutes": 240, "assigned_at": by.at,
                                    "reschedules": 0}


def test_reschedule_assessment_moves_the_due_date_and_counts(clock: FakeClock) -> None:
    candidate = drive("assessment_assigned", clock)
    assigned = dict(candidate.assessment)
    since = candidate.stage_since
    by = stamp(clock)
    due = by.at + timedelta(days=9)
    candidate.reschedule_assessment(due_at=due, reason="  family emergency ", by=by)

    event = the_new_event(candidate, Candidate.AssessmentRescheduled, by, version=4)
    assert (event.due_at, event.reason) == (due, "family emergency")
    assert (candidate.stage, candidate.stage_since) == ("assessment_assigned", since)
    assert candidate.assessment == {**assigned, "due_at": due, "reschedules": 1}

    later = stamp(clock)
    candidate.reschedule_assessment(due_at=due + timedelta(days=1), reason="again", by=later)
    assert candidate.assessment["reschedules"] == 2
    assert candidate.assessment["assigned_at"] == assigned["assigned_at"]


def test_record_assessment(clock: FakeClock) -> None:
    candidate = drive("assessment_assigned", clock)
    by = stamp(clock)
    candidate.record_assessment(grades={"sql": "no", "python": "yes"}, rubric_revision=2,
                                rubric=RUBRIC, notes=" tidy code ", by=by)

    event = the_new_event(candidate, Candidate.Assessed, by, version=4)
    assert event.grades == {"python": "yes", "sql": "no"}
    assert list(event.grades) == ["python", "sql"], "grades are kept in rubric order"
    assert event.rubric_revision == 2
    assert event.skills == list(RUBRIC)
    assert event.notes == "tidy code"
    assert (candidate.stage, candidate.stage_since) == ("assessed", by.at)
    assert candidate.grades == {"python": "yes", "sql": "no"}
    assert (candidate.rubric_revision, candidate.rubric) == (2, RUBRIC)
    assert candidate.score == 62.5
    assert candidate.failed_required_skills == ()


def test_abandon_assessment(clock: FakeClock) -> None:
    candidate = drive("assessment_assigned", clock)
    by = stamp(clock)
    candidate.abandon_assessment(reason="schedule_conflict", note=" moving house ", by=by)

    event = the_new_event(candidate, Candidate.AssessmentAbandoned, by, version=4)
    assert (event.reason, event.note) == ("schedule_conflict", "moving house")
    assert (candidate.stage, candidate.stage_since) == ("abandoned", by.at)
    assert candidate.reasons == {"abandoned": "schedule_conflict"}
    assert candidate.owes_notice is True


def test_recommend(clock: FakeClock) -> None:
    candidate = drive("assessed", clock)
    by = stamp(clock)
    candidate.recommend(summary="  Strong in Python ", by=by)

    event = the_new_event(candidate, Candidate.Recommended, by, version=5)
    assert event.summary == "Strong in Python"
    assert (candidate.stage, candidate.stage_since) == ("recommended", by.at)
    # the first presentation to the client, recorded as shown
    assert (event.name, event.score, event.grades, event.rubric_revision, event.skills) == (
        "Ann Smith", 62.5, GRADES, 1, list(RUBRIC))
    assert candidate.presentations == (Presentation(by.at, "Ann Smith", "Strong in Python",
                                                    62.5, GRADES, 1, RUBRIC),)


def test_a_presentation_again_is_a_new_fact_and_the_first_stays_as_shown(
        clock: FakeClock) -> None:
    candidate = drive("interview_requested", clock)
    first = candidate.presentation
    by = stamp(clock)
    candidate.present(by=by)
    kept = the_new_event(candidate, Candidate.Presented, by, version=candidate.version)
    assert (kept.summary, kept.grades, kept.score) == (first.summary, GRADES, 62.5)
    assert candidate.stage == "interview_requested"  # presenting moves no stage

    again = stamp(clock)
    candidate.present(summary=" Now also leads the team ", by=again)
    assert [p.summary for p in candidate.presentations] == [
        "Solid Python, weak SQL", "Solid Python, weak SQL", "Now also leads the team"]
    assert candidate.presentations[0] == first
    assert [p.at for p in candidate.presentations] == [first.at, by.at, again.at]
    with pytest.raises(InvalidValue, match="summary must not be empty"):
        candidate.present(summary="  ", by=stamp(clock))


def test_a_version_1_recommendation_is_upcast_with_nothing_invented() -> None:
    """A version 1 Recommended (the summary only) gets the new fields as None: replaying it
    derives what was shown from the events before it (tests/integration/
    test_old_databases.py replays real ones)."""
    state = {"summary": "Solid Python, weak SQL"}
    Candidate.Recommended.upcast_v1_v2(state)
    assert state == {"summary": "Solid Python, weak SQL", "name": None, "score": None,
                     "grades": None, "rubric_revision": None, "skills": None}


@pytest.mark.parametrize("situation", ["contacted", "applied", "assessed"])
def test_disqualify(situation: str, clock: FakeClock) -> None:
    candidate = drive(situation, clock)
    version = candidate.version
    by = stamp(clock)
    candidate.disqualify(reason=" needs a visa sponsor ", by=by)

    event = the_new_event(candidate, Candidate.Disqualified, by, version=version + 1)
    assert event.reason == "needs a visa sponsor"
    assert (candidate.stage, candidate.stage_since) == ("disqualified", by.at)
    assert candidate.reasons == {"disqualified": "needs a visa sponsor"}
    assert candidate.owes_notice is True


def test_request_interview(clock: FakeClock) -> None:
    candidate = drive("recommended", clock)
    by = stamp(clock, actor=HIRING_MANAGER)
    candidate.request_interview(note=" keen to meet ", by=by)

    event = the_new_event(candidate, Candidate.SelectedForInterview, by, version=6)
    assert event.note == "keen to meet"
    assert event.actor.role == "client"
    assert event.requested_by == HIRING_MANAGER.name  # the client's user, who asked
    assert (candidate.stage, candidate.stage_since) == ("interview_requested", by.at)


@pytest.mark.parametrize("command", ["request_interview", "decide"])
def test_a_clients_step_recorded_by_the_agency_names_the_person_at_the_client(
        command: str, clock: FakeClock) -> None:
    field = {"request_interview": "requested_by", "decide": "decided_by"}[command]
    candidate = drive("recommended", clock)
    args = default_args(command, candidate, clock.now)
    del args[field]
    with pytest.raises(InvalidValue, match=f"{field} must name the person at the client"):
        getattr(candidate, command)(by=stamp(clock), **args)  # the recruiter, naming nobody
    assert candidate.pending_events == []
    by = stamp(clock)
    getattr(candidate, command)(by=by, **args, **{field: " Hana Hiring "})
    event = candidate.collect_events()[-1]
    assert (getattr(event, field), event.actor) == ("Hana Hiring", by.actor)


def test_an_interview_request_recorded_before_it_named_anyone_is_upcast_to_nobody() -> None:
    state = {"note": "keen"}
    Candidate.SelectedForInterview.upcast_v1_v2(state)
    assert state == {"note": "keen", "requested_by": None}


def test_schedule_interview(clock: FakeClock) -> None:
    candidate = drive("interview_requested", clock)
    by = stamp(clock)
    when = by.at + timedelta(days=2)
    candidate.schedule_interview(scheduled_at=when, interviewers=[" Ivy ", "Ian"],
                                 location=" Room 4 ", by=by)

    event = the_new_event(candidate, Candidate.InterviewScheduled, by, version=7)
    assert event.scheduled_at == when
    assert event.interviewers == ["Ivy", "Ian"]
    assert event.location == "Room 4"
    assert (candidate.stage, candidate.stage_since) == ("interview_scheduled", by.at)
    assert candidate.interviews == (Interview(when, ("Ivy", "Ian"), "Room 4"),)


def test_rescheduling_an_interview_adds_one_and_keeps_the_stage_since(clock: FakeClock) -> None:
    candidate = drive("interview_scheduled", clock)
    since = candidate.stage_since
    by = stamp(clock)
    when = by.at + timedelta(days=4)
    candidate.schedule_interview(scheduled_at=when, interviewers=["Ivy"], by=by)

    the_new_event(candidate, Candidate.InterviewScheduled, by, version=8)
    assert (candidate.stage, candidate.stage_since) == ("interview_scheduled", since)
    assert len(candidate.interviews) == 2
    assert candidate.interviews[-1] == Interview(when, ("Ivy",), None)


def test_record_interview_feedback(clock: FakeClock) -> None:
    candidate = drive("interview_scheduled", clock)
    by = stamp(clock)
    candidate.record_interview_feedback(interviewer="Ivy", rating="strong_yes",
                                        notes=" great design talk ", by=by)

    event = the_new_event(candidate, Candidate.Interviewed, by, version=8)
    assert (event.round, event.interviewer, event.rating, event.notes) == (
        1, "Ivy", "strong_yes", "great design talk")
    assert (candidate.stage, candidate.stage_since) == ("interviewed", by.at)
    assert candidate.feedback == (Feedback(1, "Ivy", "strong_yes", "great design talk"),)


def test_a_second_interviewer_adds_feedback_in_the_same_stage(clock: FakeClock) -> None:
    candidate = drive("interviewed", clock)  # Ivy gave feedback on round 1
    since = candidate.stage_since
    by = stamp(clock)
    candidate.record_interview_feedback(interviewer="Ian", rating="mixed", by=by)

    event = the_new_event(candidate, Candidate.Interviewed, by, version=9)
    assert (event.round, event.interviewer, event.notes) == (1, "Ian", None)
    assert (candidate.stage, candidate.stage_since) == ("interviewed", since)
    assert [(f.round, f.interviewer) for f in candidate.feedback] == [(1, "Ivy"), (1, "Ian")]


def test_feedback_on_a_second_round_is_numbered_two(clock: FakeClock) -> None:
    candidate = drive("interviewed", clock)
    candidate.schedule_interview(scheduled_at=clock.now + timedelta(minutes=90),
                                 interviewers=["Ivy", "Otto"], by=stamp(clock))
    by = stamp(clock)
    candidate.record_interview_feedback(interviewer="Ivy", rating="yes", by=by)

    assert candidate.collect_events()[-1].round == 2
    assert [(f.round, f.interviewer) for f in candidate.feedback] == [(1, "Ivy"), (2, "Ivy")]
    assert (candidate.stage, candidate.stage_since) == ("interviewed", by.at)


def test_decide_to_hire_after_the_interview(clock: FakeClock) -> None:
    candidate = drive("interviewed", clock)
    by = stamp(clock, actor=HIRING_MANAGER)  # the client's user, who decided themselves
    candidate.decide(outcome="hire", reason="  best of the round ", by=by)

    event = the_new_event(candidate, Candidate.Decided, by, version=9)
    assert (event.outcome, event.reason, event.decided_by) == (
        "hire", "best of the round", HIRING_MANAGER.name)
    assert (candidate.stage, candidate.stage_since) == ("hire_decided", by.at)
    assert candidate.decision == {"outcome": "hire", "reason": "best of the round",
                                  "decided_by": HIRING_MANAGER.name, "decided_at": by.at}
    assert candidate.owes_notice is False


@pytest.mark.parametrize(
    "situation", ["recommended", "interview_requested", "interview_scheduled", "interviewed"])
def test_decide_to_reject(situation: str, clock: FakeClock) -> None:
    candidate = drive(situation, clock)
    version = candidate.version
    by = stamp(clock, actor=HIRING_MANAGER)
    candidate.decide(outcome="reject", reason="salary expectations", decided_by=" Hank H. ",
                     by=by)

    event = the_new_event(candidate, Candidate.Decided, by, version=version + 1)
    assert (event.outcome, event.decided_by) == ("reject", "Hank H.")
    assert (candidate.stage, candidate.stage_since) == ("rejected", by.at)
    assert candidate.decision == {"outcome": "reject", "reason": "salary expectations",
                                  "decided_by": "Hank H.", "decided_at": by.at}
    assert candidate.owes_notice is True


def test_send_offer(clock: FakeClock) -> None:
    candidate = drive("hire_decided", clock)
    by = stamp(clock)
    expires = by.at + timedelta(days=7)
    candidate.send_offer(salary=Decimal("85000.50"), currency="EUR", start_date=START,
                         expires_at=expires, by=by)

    event = the_new_event(candidate, Candidate.OfferSent, by, version=10)
    assert (event.salary, event.currency, event.start_date, event.expires_at) == (
        Decimal("85000.50"), "EUR", START, expires)
    assert (candidate.stage, candidate.stage_since) == ("offered", by.at)
    assert candidate.offer == Offer(Decimal("85000.50"), "EUR", START, expires, sent_at=by.at)
    assert candidate.offer.response is None


def test_accepting_an_offer_keeps_the_stage_and_opens_hire(clock: FakeClock) -> None:
    candidate = drive("offered", clock)
    since, offer = candidate.stage_since, candidate.offer
    by = stamp(clock)
    candidate.respond_to_offer(accepted=True, reason="ignored when accepting", by=by)

    the_new_event(candidate, Candidate.OfferAccepted, by, version=11)
    assert (candidate.stage, candidate.stage_since) == ("offered", since)
    assert candidate.offer.response == "accepted"
    assert candidate.offer.response_reason is None
    assert (candidate.offer.salary, candidate.offer.sent_at) == (offer.salary, offer.sent_at)
    assert set(allowed_next(candidate, clock)) == {"hire", "withdraw", "present",
                                                   "correct_assessment"}


def test_declining_an_offer(clock: FakeClock) -> None:
    candidate = drive("offered", clock)
    by = stamp(clock)
    candidate.respond_to_offer(accepted=False, reason=" counter-offer ", by=by)

    event = the_new_event(candidate, Candidate.OfferDeclined, by, version=11)
    assert event.reason == "counter-offer"
    assert (candidate.stage, candidate.stage_since) == ("offer_declined", by.at)
    assert (candidate.offer.response, candidate.offer.response_reason) == (
        "declined", "counter-offer")


def test_an_expired_offer_is_answered_by_a_revised_offer_only(clock: FakeClock) -> None:
    candidate = drive("offered", clock)
    expired = candidate.offer
    late = Stamp(expired.expires_at + timedelta(seconds=1), RECRUITER, "late")
    assert expired.status(expired.expires_at) == "open"
    assert expired.status(late.at) == "expired"
    assert candidate.allowed_steps(late.at) == {"send_offer": {}, "present": {},
                                                "correct_assessment": {}, "withdraw": {}}

    for accepted in (True, False):
        with pytest.raises(IllegalStep, match=re.escape(
                f"the offer expired at {expired.expires_at.isoformat()}; a revised offer is "
                "the way on); allowed now: send_offer, present, correct_assessment, "
                "withdraw")):
            candidate.respond_to_offer(accepted=accepted, by=late)
    assert candidate.pending_events == []

    revised = Stamp(late.at + timedelta(hours=1), RECRUITER, "revised")
    candidate.send_offer(salary=Decimal("90000"), currency="EUR", start_date=START,
                         expires_at=revised.at + timedelta(days=7), by=revised)
    the_new_event(candidate, Candidate.OfferSent, revised, version=len(SITUATIONS["offered"]) + 2)
    assert (candidate.stage, candidate.offer.salary) == ("offered", Decimal("90000"))
    assert candidate.offer.status(revised.at) == "open"
    assert set(candidate.allowed_commands(revised.at)) == {
        "respond_to_offer", "withdraw", "present", "correct_assessment"}


def test_a_new_offer_after_a_declined_one_replaces_it(clock: FakeClock) -> None:
    candidate = drive("offer_declined", clock)
    by = stamp(clock)
    expires = by.at + timedelta(days=3)
    candidate.send_offer(salary=Decimal("95000"), currency="USD", start_date=START,
                         expires_at=expires, by=by)

    the_new_event(candidate, Candidate.OfferSent, by, version=12)
    assert (candidate.stage, candidate.stage_since) == ("offered", by.at)
    assert candidate.offer == Offer(Decimal("95000"), "USD", START, expires, sent_at=by.at)
    assert "respond_to_offer" in allowed_next(candidate, clock)


def test_hire(clock: FakeClock) -> None:
    candidate = drive("offered_and_accepted", clock)
    by = stamp(clock)
    candidate.hire(start_date=date(2026, 4, 1), by=by)

    event = the_new_event(candidate, Candidate.Hired, by, version=12)
    assert (event.client_id, event.start_date) == (CLIENT_ID, date(2026, 4, 1))
    assert (candidate.stage, candidate.stage_since) == ("hired", by.at)
    assert candidate.start_date == date(2026, 4, 1)
    assert allowed_next(candidate, clock) == ()
    assert candidate.owes_notice is False


@pytest.mark.parametrize("situation", ["abandoned", "disqualified", "rejected", "withdrawn"])
def test_send_rejection_settles_the_notice_once(situation: str, clock: FakeClock) -> None:
    candidate = drive(situation, clock)
    stage, since, version = candidate.stage, candidate.stage_since, candidate.version
    # a withdrawn candidate ended it themselves: a closing message may be recorded, not owed
    assert candidate.owes_notice is (situation != "withdrawn")
    by = stamp(clock)
    candidate.send_rejection(message=" Thank you for your time ", by=by)

    event = the_new_event(candidate, Candidate.RejectionSent, by, version=version + 1)
    assert event.message == "Thank you for your time"
    assert (candidate.stage, candidate.stage_since) == (stage, since)
    assert candidate.decision_sent_at == by.at
    assert candidate.owes_notice is False
    assert allowed_next(candidate, clock) == ()
    with pytest.raises(IllegalStep):
        candidate.send_rejection(by=stamp(clock))


@pytest.mark.parametrize("situation", sorted(s.value for s in set(Stage) - CLOSED))
def test_withdraw_from_every_open_stage(situation: str, clock: FakeClock) -> None:
    candidate = drive(situation, clock)
    version = candidate.version
    by = stamp(clock)
    candidate.withdraw(reason="  accepted another offer ", by=by)

    event = the_new_event(candidate, Candidate.Withdrawn, by, version=version + 1)
    assert event.reason == "accepted another offer"
    assert (candidate.stage, candidate.stage_since) == ("withdrawn", by.at)
    assert candidate.reasons["withdrawn"] == "accepted another offer"
    assert candidate.owes_notice is False  # they ended it themselves
    assert allowed_next(candidate, clock) == ("send_rejection",)  # a closing message, once


def test_replaying_the_events_rebuilds_the_same_candidate(clock: FakeClock) -> None:
    candidate = contact(clock)
    for command, overrides in SITUATIONS["hired"]:
        issue(candidate, command, stamp(clock), **overrides)
    events = candidate.collect_events()

    replayed = None
    for event in events:
        replayed = event.mutate(replayed)

    assert replayed == candidate
    assert replayed.stage == "hired"
    assert replayed.score == candidate.score == 62.5


# --- the order of the stages -----------------------------------------------------------------

@pytest.mark.parametrize("situation", EXPECTED_ALLOWED)
def test_allowed_commands(situation: str, clock: FakeClock) -> None:
    candidate = drive(situation, clock)
    allowed = allowed_next(candidate, clock)
    assert set(allowed) == EXPECTED_ALLOWED[situation]
    assert len(allowed) == len(set(allowed))


# (situation, command, overrides, stage afterwards): every entry of stages.ALLOWED, plus
# withdraw from every stage not CLOSED, plus both outcomes where they differ.
LEGAL = [
    ("contacted", "apply", {}, "applied"),
    ("contacted", "disqualify", {}, "disqualified"),
    ("contacted", "withdraw", {}, "withdrawn"),
    ("applied", "assign_assessment", {}, "assessment_assigned"),
    ("applied", "disqualify", {}, "disqualified"),
    ("applied", "withdraw", {}, "withdrawn"),
    ("assessment_assigned", "reschedule_assessment", {}, "assessment_assigned"),
    ("assessment_assigned", "record_assessment", {}, "assessed"),
    ("assessment_assigned", "abandon_assessment", {}, "abandoned"),
    ("assessment_assigned", "withdraw", {}, "withdrawn"),
    ("assessed", "recommend", {}, "recommended"),
    ("assessed", "disqualify", {}, "disqualified"),
    ("assessed", "withdraw", {}, "withdrawn"),
    ("abandoned", "send_rejection", {}, "abandoned"),
    ("disqualified", "send_rejection", {}, "disqualified"),
    ("recommended", "request_interview", {}, "interview_requested"),
    ("recommended", "decide", {"outcome": "reject"}, "rejected"),
    ("recommended", "withdraw", {}, "withdrawn"),
    ("interview_requested", "schedule_interview", {}, "interview_scheduled"),
    ("interview_requested", "decide", {"outcome": "reject"}, "rejected"),
    ("interview_requested", "withdraw", {}, "withdrawn"),
    ("interview_scheduled", "schedule_interview", {}, "interview_scheduled"),
    ("interview_scheduled", "record_interview_feedback", {}, "interviewed"),
    ("interview_scheduled", "decide", {"outcome": "reject"}, "rejected"),
    ("interview_scheduled", "withdraw", {}, "withdrawn"),
    ("interviewed", "schedule_interview", {}, "interview_scheduled"),
    ("interviewed", "record_interview_feedback", {}, "interviewed"),
    ("interviewed", "decide", {"outcome": "hire"}, "hire_decided"),
    ("interviewed", "decide", {"outcome": "reject"}, "rejected"),
    ("interviewed", "withdraw", {}, "withdrawn"),
    ("hire_decided", "send_offer", {}, "offered"),
    ("hire_decided", "withdraw", {}, "withdrawn"),
    ("rejected", "send_rejection", {}, "rejected"),
    ("offered", "respond_to_offer", {"accepted": True}, "offered"),
    ("offered", "respond_to_offer", {"accepted": False}, "offer_declined"),
    ("offered", "withdraw", {}, "withdrawn"),
    ("offered_and_accepted", "hire", {}, "hired"),
    ("offered_and_accepted", "withdraw", {}, "withdrawn"),
    ("offer_declined", "send_offer", {}, "offered"),
    ("offer_declined", "withdraw", {}, "withdrawn"),
    ("withdrawn", "send_rejection", {}, "withdrawn"),
    *[(situation, "present", {}, situation) for situation in (
        "recommended", "interview_requested", "interview_scheduled", "interviewed",
        "hire_decided", "offered", "offer_declined")],
    ("offered_and_accepted", "present", {}, "offered"),
    ("hire_decided", "reopen", {}, "interviewed"),
    ("rejected", "reopen", {}, "recommended"),
    ("disqualified", "reopen", {}, "applied"),
]


def test_the_legal_transitions_are_exactly_the_table() -> None:
    table = {(stage.value, command) for stage, commands in ALLOWED.items()
             for command in commands}
    table |= {(stage.value, "withdraw") for stage in Stage if stage not in CLOSED}
    covered = {(situation.split("_and_")[0], command) for situation, command, _, _ in LEGAL}
    assert covered == table


@pytest.mark.parametrize(("situation", "command", "overrides", "stage_after"), LEGAL,
                         ids=[f"{s}-{c}-{'-'.join(map(str, o.values()))}".rstrip("-")
                              for s, c, o, _ in LEGAL])
def test_legal_transition(situation: str, command: str, overrides: dict[str, Any],
                          stage_after: str, clock: FakeClock) -> None:
    candidate = drive(situation, clock)
    version = candidate.version
    issue(candidate, command, stamp(clock), **overrides)

    assert candidate.stage == stage_after
    assert candidate.version == version + 1
    assert len(candidate.pending_events) == 1


ILLEGAL = [(situation, command) for situation, allowed in EXPECTED_ALLOWED.items()
           for command in COMMANDS if command not in allowed]


@pytest.mark.parametrize(("situation", "command"), ILLEGAL,
                         ids=[f"{s}-{c}" for s, c in ILLEGAL])
def test_illegal_step_is_refused_and_records_nothing(situation: str, command: str,
                                                      clock: FakeClock) -> None:
    candidate = drive(situation, clock)
    version, stage = candidate.version, candidate.stage

    with pytest.raises(IllegalStep) as caught:
        issue(candidate, command, stamp(clock))

    error = caught.value
    assert isinstance(error, DomainError)
    assert (error.command, error.stage) == (command, stage)
    assert error.allowed == candidate.allowed_commands(clock.now)
    message = str(error)
    assert f"cannot {command.replace('_', ' ')} in stage '{stage}'" in message
    assert f"allowed now: {', '.join(error.allowed) or 'none'}" in message
    assert candidate.pending_events == []
    assert (candidate.version, candidate.stage) == (version, stage)


@pytest.mark.parametrize("situation",
                         ["recommended", "interview_requested", "interview_scheduled"])
def test_deciding_to_hire_before_the_final_interview_is_refused(situation: str,
                                                                 clock: FakeClock) -> None:
    candidate = drive(situation, clock)
    version = candidate.version

    with pytest.raises(IllegalStep, match="once the final interview has taken place") as caught:
        candidate.decide(outcome="hire", reason="looks great", by=stamp(clock))

    assert f"in stage '{situation}'" in str(caught.value)
    assert "decide" in caught.value.allowed
    assert caught.value.limits == {"decide": {"outcome": ("reject",)}}
    assert candidate.pending_events == []
    assert (candidate.version, candidate.stage) == (version, situation)


def test_an_offer_cannot_be_answered_twice(clock: FakeClock) -> None:
    candidate = drive("offered_and_accepted", clock)
    with pytest.raises(IllegalStep,
                       match="allowed now: hire, present, correct_assessment, withdraw"):
        candidate.respond_to_offer(accepted=False, by=stamp(clock))


# --- what time allows: interviews, feedback, a hire, offers ---------------------------------

def test_feedback_waits_for_the_interview_and_a_past_interview_can_be_recorded(
        clock: FakeClock) -> None:
    candidate = drive("interview_requested", clock)
    future = stamp(clock)
    candidate.schedule_interview(scheduled_at=future.at + timedelta(days=20),
                                 interviewers=["Ivy"], by=future)
    before = Stamp(future.at + timedelta(days=19), RECRUITER, "early")
    assert "record_interview_feedback" not in candidate.allowed_commands(before.at)
    with pytest.raises(IllegalStep, match="feedback is recorded once it has taken place"):
        candidate.record_interview_feedback(interviewer="Ivy", rating="yes", by=before)
    with pytest.raises(IllegalStep, match="once the final interview has taken place"):
        candidate.decide(outcome="hire", reason="great", by=before, decided_by="Hana")

    # the interview took place three days ago, and is recorded (rescheduled) now, after the fact
    now = Stamp(future.at + timedelta(days=21), RECRUITER, "now")
    candidate.schedule_interview(scheduled_at=now.at - timedelta(days=3),
                                 interviewers=["Ivy"], by=now)
    assert candidate.interviews[-1].scheduled_at == now.at - timedelta(days=3)
    assert candidate.allowed_steps(now.at)["record_interview_feedback"] == {}
    candidate.record_interview_feedback(interviewer="Ivy", rating="yes", by=now)
    assert candidate.allowed_steps(now.at)["decide"] == {}
    candidate.decide(outcome="hire", reason="great", by=now, decided_by="Hana")
    assert candidate.stage == "hire_decided"


def test_an_interview_at_the_moment_of_recording_counts_as_taken_place(
        clock: FakeClock) -> None:
    candidate = drive("interview_requested", clock)
    by = stamp(clock)
    candidate.schedule_interview(scheduled_at=by.at, interviewers=["Ivy"], by=by)
    candidate.record_interview_feedback(interviewer="Ivy", rating="no", by=by)
    assert candidate.stage == "interviewed"


@pytest.mark.parametrize("situation", ["recommended", "interview_requested",
                                       "interview_scheduled"])
def test_before_the_final_interview_only_a_rejection_is_a_decision(situation: str,
                                                                   clock: FakeClock) -> None:
    candidate = drive(situation, clock)
    steps = candidate.allowed_steps(clock.now)
    assert steps["decide"] == {"outcome": ("reject",)}
    assert all(limit == {} for command, limit in steps.items() if command != "decide")


@pytest.mark.parametrize(("situation", "undone", "back_to"), [
    ("rejected", "Decided", "recommended"), ("hire_decided", "Decided", "interviewed"),
    ("disqualified", "Disqualified", "applied")])
def test_a_decision_or_disqualification_made_in_error_is_reopened(
        situation: str, undone: str, back_to: str, clock: FakeClock) -> None:
    candidate = drive(situation, clock)
    version = candidate.version
    by = stamp(clock)
    candidate.reopen(reason=" rejected the wrong Ann ", by=by)

    event = the_new_event(candidate, Candidate.Reopened, by, version=version + 1)
    assert (event.undoes, event.back_to, event.reason) == (undone, back_to,
                                                            "rejected the wrong Ann")
    assert (candidate.stage, candidate.stage_since) == (back_to, by.at)
    assert candidate.decision is None and "disqualified" not in candidate.reasons
    assert candidate.owes_notice is False
    assert "reopen" not in allowed_next(candidate, clock)  # nothing to undo now


@pytest.mark.parametrize("situation", ["contacted", "interview_requested", "hired",
                                       "rejected_and_notified"])
def test_contact_details_recorded_in_error_are_corrected_in_any_stage(
        situation: str, clock: FakeClock) -> None:
    candidate = drive(situation, clock)
    stage, presented = candidate.stage, candidate.presentations
    by = stamp(clock)
    candidate.correct_contact_details(email=" ANN.SMITH@Example.com ", name="Ann Smith",
                                      channel="LinkedIn", reason="typo in the email", by=by)
    event = the_new_event(candidate, Candidate.ContactDetailsCorrected, by,
                          version=candidate.version)
    # the name was already right: only what changed is corrected
    assert (event.corrected, event.name, event.email, event.channel) == (
        ["channel", "email"], None, "ann.smith@example.com", "LinkedIn")
    assert (candidate.email, candidate.channel, candidate.name) == (
        "ann.smith@example.com", "LinkedIn", "Ann Smith")
    assert (candidate.stage, candidate.presentations) == (stage, presented)
    with pytest.raises(InvalidValue, match="nothing to correct"):
        candidate.correct_contact_details(email="ann.smith@example.com", reason="again",
                                          by=stamp(clock))
    with pytest.raises(InvalidValue, match="reason must not be empty"):
        candidate.correct_contact_details(name="Ann B. Smith", reason=" ", by=stamp(clock))
    candidate.correct_contact_details(source="job_board", reason="came from the job board",
                                      by=stamp(clock))
    assert (candidate.source, candidate.collect_events()[-1].corrected) == ("job_board",
                                                                             ["source"])
    with pytest.raises(InvalidValue, match="source"):
        candidate.correct_contact_details(source="carrier pigeon", reason="x", by=stamp(clock))


def test_grades_recorded_in_error_are_corrected_and_what_was_presented_stays(
        clock: FakeClock) -> None:
    candidate = drive("interview_requested", clock)
    shown = candidate.presentation
    by = stamp(clock)
    candidate.correct_assessment(grades={"python": "no", "sql": "yes"}, reason=" mixed up ",
                                 by=by)
    event = the_new_event(candidate, Candidate.AssessmentCorrected, by,
                          version=candidate.version)
    assert (event.grades, event.rubric_revision, event.skills, event.reason) == (
        {"python": "no", "sql": "yes"}, 1, list(RUBRIC), "mixed up")
    assert candidate.grades == {"python": "no", "sql": "yes"}
    assert candidate.score == weighted_score({"python": "no", "sql": "yes"}, RUBRIC)
    assert candidate.failed_required_skills == ("python",)
    assert candidate.presentation == shown  # presented as it was
    assert candidate.stage == "interview_requested"
    with pytest.raises(InvalidValue, match="nothing to correct"):
        candidate.correct_assessment(grades={"python": "no", "sql": "yes"}, reason="again",
                                     by=stamp(clock))
    with pytest.raises(InvalidValue, match="skills not graded: sql"):
        candidate.correct_assessment(grades={"python": "yes"}, reason="x", by=stamp(clock))


@pytest.mark.parametrize("situation", ["rejected_and_notified", "disqualified_and_notified"])
def test_an_outcome_the_candidate_was_told_is_not_reopened(situation: str,
                                                           clock: FakeClock) -> None:
    candidate = drive(situation, clock)
    with pytest.raises(IllegalStep):
        candidate.reopen(reason="oops", by=stamp(clock))
    assert candidate.pending_events == []


def test_no_hire_before_the_offer_is_accepted(clock: FakeClock) -> None:
    candidate = drive("offered", clock)
    with pytest.raises(IllegalStep, match="allowed now: respond_to_offer, present, "
                                          "correct_assessment, withdraw"):
        candidate.hire(start_date=START, by=stamp(clock))


# --- values commands refuse ------------------------------------------------------------------

def _past(days: float = 1) -> Callable[[datetime], datetime]:
    return lambda at: at - timedelta(days=days)


NAIVE = datetime(2027, 1, 1, 9, 0)  # far in the future, but without a time zone

# (situation, command, arguments given `at`, fragment of the message)
VALUE_ERRORS = [
    pytest.param("assessment_assigned", "record_assessment",
                 lambda at: dict(grades={"python": "great", "sql": "no"}),
                 "grade of 'python' must be one of", id="unknown-grade"),
    pytest.param("assessment_assigned", "record_assessment",
                 lambda at: dict(grades={"python": "YES", "sql": "no"}),
                 "grade of 'python'", id="grade-is-case-sensitive"),
    pytest.param("assessment_assigned", "record_assessment",
                 lambda at: dict(grades={"python": "yes", "sql": "no", "rust": "yes"}),
                 "not skills of the rubric: rust", id="unknown-rubric-skill"),
    pytest.param("assessment_assigned", "record_assessment",
                 lambda at: dict(grades={"python": "yes"}),
                 "skills not graded: sql", id="missing-rubric-skill"),
    pytest.param("assessment_assigned", "abandon_assessment",
                 lambda at: dict(reason="bored"),
                 "unknown reason 'bored'; expected one of too_long", id="bad-abandon-reason"),
    pytest.param("assessment_assigned", "reschedule_assessment",
                 lambda at: dict(reason="   "), "reason must not be empty",
                 id="empty-reschedule-reason"),
    pytest.param("assessment_assigned", "reschedule_assessment",
                 lambda at: dict(due_at=_past()(at)), "due_at must be in the future",
                 id="reschedule-due-in-the-past"),
    pytest.param("assessment_assigned", "reschedule_assessment",
                 lambda at: dict(due_at=NAIVE), "due_at must carry a time zone",
                 id="reschedule-naive-due"),
    pytest.param("applied", "assign_assessment", lambda at: dict(due_at=_past()(at)),
                 "due_at must be in the future", id="assign-due-in-the-past"),
    pytest.param("applied", "assign_assessment", lambda at: dict(due_at=at),
                 "due_at must be in the future", id="assign-due-now"),
    pytest.param("applied", "assign_assessment", lambda at: dict(due_at=NAIVE),
                 "due_at must carry a time zone", id="assign-naive-due"),
    pytest.param("assessed", "recommend", lambda at: dict(summary=" "),
                 "summary must not be empty", id="empty-summary"),
    pytest.param("applied", "disqualify", lambda at: dict(reason=""),
                 "reason must not be empty", id="empty-disqualify-reason"),
    pytest.param("contacted", "withdraw", lambda at: dict(reason="  \n "),
                 "reason must not be empty", id="empty-withdraw-reason"),
    pytest.param("recommended", "decide", lambda at: dict(reason=" "),
                 "reason must not be empty", id="empty-decision-reason"),
    pytest.param("recommended", "decide", lambda at: dict(outcome="maybe"),
                 "unknown outcome 'maybe'", id="unknown-outcome"),
    pytest.param("interview_requested", "schedule_interview",
                 lambda at: dict(scheduled_at=NAIVE), "scheduled_at must carry a time zone",
                 id="interview-naive"),
    pytest.param("interview_requested", "schedule_interview",
                 lambda at: dict(interviewers=[]), "one or more distinct interviewers",
                 id="no-interviewers"),
    pytest.param("interview_requested", "schedule_interview",
                 lambda at: dict(interviewers=["Ivy", " Ivy "]),
                 "one or more distinct interviewers", id="same-interviewer-twice"),
    pytest.param("interview_requested", "schedule_interview",
                 lambda at: dict(interviewers=["Ivy", " "]), "interviewer must not be empty",
                 id="blank-interviewer"),
    pytest.param("interview_scheduled", "record_interview_feedback",
                 lambda at: dict(interviewer="Mallory"),
                 "'Mallory' is not an interviewer of this interview; expected one of Ivy, Ian",
                 id="interviewer-not-scheduled"),
    pytest.param("interviewed", "record_interview_feedback",
                 lambda at: dict(interviewer="Ivy"), "'Ivy' already gave feedback",
                 id="duplicate-feedback"),
    pytest.param("interview_scheduled", "record_interview_feedback",
                 lambda at: dict(rating="no_decision"),
                 "rating must be strong_no to strong_yes", id="no-decision-rating"),
    pytest.param("interview_scheduled", "record_interview_feedback",
                 lambda at: dict(rating="great"), "unknown rating 'great'",
                 id="unknown-rating"),
    pytest.param("hire_decided", "send_offer", lambda at: dict(salary=Decimal("0")),
                 "salary must be more than zero", id="zero-salary"),
    pytest.param("hire_decided", "send_offer", lambda at: dict(salary=Decimal("-1")),
                 "salary must be more than zero", id="negative-salary"),
    pytest.param("hire_decided", "send_offer", lambda at: dict(salary="lots"),
                 "salary must be a number", id="salary-not-a-number"),
    pytest.param("hire_decided", "send_offer", lambda at: dict(salary=Decimal("NaN")),
                 "salary must be a number", id="salary-nan"),
    pytest.param("hire_decided", "send_offer", lambda at: dict(currency="eur"),
                 "is not an ISO 4217 code", id="lower-case-currency"),
    pytest.param("hire_decided", "send_offer", lambda at: dict(currency="EURO"),
                 "is not an ISO 4217 code", id="four-letter-currency"),
    pytest.param("hire_decided", "send_offer", lambda at: dict(currency="ABC"),
                 "is not an ISO 4217 code", id="not-a-currency"),
    pytest.param("hire_decided", "send_offer", lambda at: dict(currency=""),
                 "is not an ISO 4217 code", id="empty-currency"),
    pytest.param("hire_decided", "send_offer", lambda at: dict(expires_at=_past()(at)),
                 "expires_at must be in the future", id="offer-already-expired"),
    pytest.param("hire_decided", "send_offer", lambda at: dict(expires_at=NAIVE),
                 "expires_at must carry a time zone", id="offer-naive-expiry"),
]


@pytest.mark.parametrize(("situation", "command", "make_args", "match"), VALUE_ERRORS)
def test_bad_values_are_refused_and_record_nothing(
        situation: str, command: str, make_args: Callable[[datetime], dict[str, Any]],
        match: str, clock: FakeClock) -> None:
    candidate = drive(situation, clock)
    version, stage = candidate.version, candidate.stage
    by = stamp(clock)

    with pytest.raises(InvalidValue) as caught:
        issue(candidate, command, by, **make_args(by.at))

    assert match in str(caught.value)
    assert candidate.pending_events == []
    assert (candidate.version, candidate.stage) == (version, stage)


def test_an_infinite_salary_is_refused(clock: FakeClock) -> None:
    candidate = drive("hire_decided", clock)
    with pytest.raises(InvalidValue):
        issue(candidate, "send_offer", stamp(clock), salary=Decimal("Infinity"))
    assert candidate.pending_events == []


def test_an_offer_can_be_accepted_just_before_it_expires(clock: FakeClock) -> None:
    candidate = drive("offered", clock)
    in_time = Stamp(candidate.offer.expires_at - timedelta(seconds=1), RECRUITER, "just")
    candidate.respond_to_offer(accepted=True, by=in_time)
    assert candidate.offer.response == "accepted"


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("source", "linkedin", "unknown source 'linkedin'; expected one of referral"),
        ("source", "", "unknown source ''"),
        ("email", "not-an-email", "not an email address"),
        ("email", "ann@example", "not an email address"),
        ("name", "   ", "name must not be empty"),
        ("name", "x" * 201, "name is longer than 200 characters"),
        ("channel", "c" * 101, "channel is longer than 100 characters"),
    ],
)
def test_contact_refuses_bad_values(field: str, value: str, match: str,
                                    clock: FakeClock) -> None:
    with pytest.raises(InvalidValue, match=match):
        contact(clock, **{field: value})


def test_stamps_need_a_time_zone() -> None:
    with pytest.raises(InvalidValue, match="times must carry a time zone"):
        Stamp(datetime(2026, 1, 5, 9, 0), RECRUITER)


# --- scoring ---------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("graded", "expected"),
    [
        # (3*yes=3*3 + 1*no=1*1) / (4 * (3+1)) = 10/16
        pytest.param([(3, "yes"), (1, "no")], 62.5, id="3yes-1no"),
        pytest.param([(2, "strong_yes"), (5, "strong_yes")], 100.0, id="all-strong-yes"),
        pytest.param([(2, "strong_no"), (5, "strong_no")], 0.0, id="all-strong-no"),
        # the no_decision skill counts neither earned nor possible: (2*2 + 1*4) / (4*3) = 8/12
        pytest.param([(2, "mixed"), (5, "no_decision"), (1, "strong_yes")], 66.7,
                     id="no-decision-is-left-out"),
        # (3 + 2 + 1) / 12
        pytest.param([(1, "yes"), (1, "mixed"), (1, "no")], 50.0, id="equal-weights"),
        # (5*4 + 1*0) / 24 = 20/24
        pytest.param([(5, "strong_yes"), (1, "strong_no")], 83.3, id="5-strong-yes-1-strong-no"),
        pytest.param([(4, "no_decision"), (1, "no_decision")], None, id="all-no-decision"),
    ],
)
def test_weighted_score(graded: list[tuple[int, str]], expected: float | None,
                        clock: FakeClock) -> None:
    rubric = tuple(Skill(f"skill{i}", weight) for i, (weight, _) in enumerate(graded))
    grades = {f"skill{i}": grade for i, (_, grade) in enumerate(graded)}
    assert weighted_score(grades, rubric) == expected

    candidate = drive("assessment_assigned", clock)
    candidate.record_assessment(grades=grades, rubric_revision=1, rubric=rubric,
                                by=stamp(clock))
    assert candidate.score == expected


@pytest.mark.parametrize(
    ("grade", "flagged"),
    [("strong_no", True), ("no", True), ("mixed", False), ("yes", False),
     ("strong_yes", False), ("no_decision", False)],
)
def test_a_required_skill_graded_no_or_strong_no_is_flagged(grade: str, flagged: bool,
                                                            clock: FakeClock) -> None:
    rubric = (Skill("python", 1, required=True), Skill("sql", 5))
    candidate = drive("assessment_assigned", clock)
    candidate.record_assessment(grades={"python": grade, "sql": "strong_yes"},
                                rubric_revision=1, rubric=rubric, by=stamp(clock))
    assert candidate.failed_required_skills == (("python",) if flagged else ())


def test_flags_name_every_failed_required_skill_and_only_those(clock: FakeClock) -> None:
    rubric = (Skill("go", 2, required=True), Skill("sql", 5), Skill("k8s", 1, required=True),
              Skill("aws", 3, required=True))
    candidate = drive("assessment_assigned", clock)
    candidate.record_assessment(
        grades={"go": "no", "sql": "strong_no", "k8s": "strong_no", "aws": "strong_yes"},
        rubric_revision=1, rubric=rubric, by=stamp(clock))
    # sql fails but is not required; a high score elsewhere does not hide the flags
    assert candidate.failed_required_skills == ("go", "k8s")


# --- candidate ids ---------------------------------------------------------------------------

def test_candidate_id_is_deterministic() -> None:
    first = candidate_id(KEY, POSITION_ID, "ann@example.com")
    assert first == candidate_id(KEY, POSITION_ID, "ann@example.com")
    assert isinstance(first, UUID)
    assert first.variant == "specified in RFC 4122"
    assert first.version == 8


def test_candidate_id_ignores_case_and_surrounding_blanks() -> None:
    assert candidate_id(KEY, POSITION_ID, "  Ann@Example.COM\t") == candidate_id(
        KEY, POSITION_ID, "ann@example.com")


def test_candidate_id_differs_per_position_per_email_and_per_key() -> None:
    base = candidate_id(KEY, POSITION_ID, "ann@example.com")
    assert candidate_id(KEY, OTHER_POSITION_ID, "ann@example.com") != base
    assert candidate_id(KEY, POSITION_ID, "bob@example.com") != base
    assert candidate_id(b"another-key", POSITION_ID, "ann@example.com") != base


def test_contact_uses_the_candidate_id(clock: FakeClock) -> None:
    candidate = contact(clock, email=" ANN@example.com ")
    assert candidate.id == candidate_id(KEY, POSITION_ID, "ann@example.com")
    assert contact(clock, email="ann@example.com").id == candidate.id
    assert contact(clock, position_id=OTHER_POSITION_ID).id != candidate.id


def test_candidate_id_refuses_a_bad_email() -> None:
    with pytest.raises(InvalidValue, match="not an email address"):
        candidate_id(KEY, POSITION_ID, "ann at example dot com")


def test_times_in_other_zones_compare_by_instant(clock: FakeClock) -> None:
    """Every other test uses UTC; a due date written in another zone is judged by its instant."""
    candidate = drive("applied", clock)
    by = stamp(clock)
    plus_two = timezone(timedelta(hours=2))
    # one hour after `by.at`, written in UTC+2
    due = (by.at + timedelta(hours=1)).astimezone(plus_two)
    candidate.assign_assessment(name="Take-home", duration_minutes=60, due_at=due, by=by)
    assert candidate.assessment["due_at"] == due
    with pytest.raises(InvalidValue, match="in the future"):
        candidate.reschedule_assessment(due_at=by.at.astimezone(plus_two), reason="x",
                                        by=by)

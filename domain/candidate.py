"""Candidate: one person's candidacy for one position, from first contact to placement.

Command methods check the rules and record one event; the nested events only apply facts,
so replaying history never re-runs a guard.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from domain.base import HiringAggregate, Stamp
from domain.bounds import check_day, check_moment
from domain.candidacy import (
    Feedback,
    Interview,
    Offer,
    Presentation,
    answered,
    candidate_id,
    check_grades,
    in_the_future,
    person_at_client,
    salary_amount,
)
from domain.candidate_rules import CandidateRules
from domain.currencies import ISO_4217
from domain.errors import IllegalStep, InvalidValue
from domain.stages import Stage
from domain.values import (
    AbandonReason,
    Grade,
    Outcome,
    Skill,
    Source,
    normalise_email,
    optional_text,
    parse_choice,
    require_text,
)


class Candidate(CandidateRules, HiringAggregate):
    """State, set by the events: position_id, client_id, name, email, source, channel, stage,
    stage_since, assessment, grades, rubric_revision, rubric, interviews, feedback, decision,
    offer, decision_sent_at, start_date, reasons (why it ended: abandoned/disqualified/withdrawn),
    presentations (what the client was shown, each time, oldest first), stage_before (the
    stage it was in before the current one).
    """

    if TYPE_CHECKING:  # declared for the type checker only: eventsourcing would make them fields
        position_id: UUID
        client_id: UUID
        name: str
        email: str
        source: str
        channel: str | None
        stage: str
        stage_since: datetime
        assessment: dict[str, Any] | None
        grades: dict[str, str] | None
        rubric_revision: int
        rubric: tuple[Skill, ...]
        interviews: tuple[Interview, ...]
        feedback: tuple[Feedback, ...]
        decision: dict[str, Any] | None
        offer: Offer | None
        decision_sent_at: datetime | None
        start_date: date | None
        reasons: dict[str, str]
        presentations: tuple[Presentation, ...]
        stage_before: str

    class Event(HiringAggregate.Event):
        next_stage: ClassVar[Stage | None] = None

        def apply(self, aggregate: Candidate) -> None:
            stage = self.stage_after()
            if stage is not None and aggregate.stage != stage.value:
                aggregate.stage_before = aggregate.stage
                aggregate.stage, aggregate.stage_since = stage.value, self.timestamp
            self.update(aggregate)

        def stage_after(self) -> Stage | None:
            return self.next_stage

        def update(self, aggregate: Candidate) -> None:
            """What the event changes besides the stage."""

    class Contacted(HiringAggregate.Created, Event):
        next_stage = Stage.CONTACTED
        position_id: UUID
        client_id: UUID
        name: str
        email: str
        source: str
        channel: str | None
        message: str | None

        def apply(self, aggregate: Candidate) -> None:
            aggregate.stage = ""
            aggregate.position_id, aggregate.client_id = self.position_id, self.client_id
            aggregate.name, aggregate.email = self.name, self.email
            aggregate.source, aggregate.channel = self.source, self.channel
            aggregate.assessment = aggregate.grades = aggregate.offer = None
            aggregate.rubric_revision, aggregate.rubric = 0, ()
            aggregate.interviews, aggregate.feedback, aggregate.reasons = (), (), {}
            aggregate.decision = aggregate.decision_sent_at = aggregate.start_date = None
            aggregate.presentations = ()
            aggregate.stage_before = ""
            super().apply(aggregate)

    class Applied(Event):
        next_stage = Stage.APPLIED
        note: str | None

    class AssessmentAssigned(Event):
        next_stage = Stage.ASSESSMENT_ASSIGNED
        assessment_name: str
        duration_minutes: int
        due_at: datetime

        def update(self, aggregate: Candidate) -> None:
            aggregate.assessment = {"name": self.assessment_name, "due_at": self.due_at,
                                    "duration_minutes": self.duration_minutes,
                                    "assigned_at": self.timestamp, "reschedules": 0}

    class AssessmentRescheduled(Event):
        due_at: datetime
        reason: str

        def update(self, aggregate: Candidate) -> None:
            assessment = dict(aggregate.assessment or {})
            assessment.update(due_at=self.due_at, reschedules=assessment["reschedules"] + 1)
            aggregate.assessment = assessment

    class Assessed(Event):
        next_stage = Stage.ASSESSED
        grades: dict[str, str]
        rubric_revision: int
        skills: list[Skill]
        notes: str | None

        def update(self, aggregate: Candidate) -> None:
            aggregate.grades = dict(self.grades)
            aggregate.rubric_revision, aggregate.rubric = self.rubric_revision, tuple(self.skills)

    class AssessmentCorrected(Event):
        """Grades recorded in error, corrected against the same rubric revision: the score
        follows; what was already presented to the client stays as it was shown."""

        grades: dict[str, str]
        rubric_revision: int
        skills: list[Skill]
        reason: str

        def update(self, aggregate: Candidate) -> None:
            aggregate.grades = dict(self.grades)

    class AssessmentAbandoned(Event):
        next_stage = Stage.ABANDONED
        reason: str
        note: str | None

        def update(self, aggregate: Candidate) -> None:
            aggregate.reasons = {**aggregate.reasons, "abandoned": self.reason}

    class Shown(Event):
        """What the client is shown of the candidate, as the event records it."""

        summary: str
        name: str | None
        score: float | None
        grades: dict[str, str] | None
        rubric_revision: int | None
        skills: list[Skill] | None

        def update(self, aggregate: Candidate) -> None:
            aggregate.presentations = (*aggregate.presentations, self.shown(aggregate))

        def shown(self, aggregate: Candidate) -> Presentation:
            if self.grades is None:  # recorded before presentations were: as the shortlist
                return Presentation(self.timestamp, aggregate.name, self.summary,
                                    aggregate.score, dict(aggregate.grades or {}),
                                    aggregate.rubric_revision, aggregate.rubric)
            return Presentation(self.timestamp, self.name or aggregate.name, self.summary,
                                self.score, dict(self.grades), self.rubric_revision or 0,
                                tuple(self.skills or ()))

    class Recommended(Shown):
        """The recruiter recommends the candidate: the first presentation to the client,
        recording exactly what the client is shown (version 2; version 1 recorded the
        summary only, and what was shown follows from the events before it)."""

        next_stage = Stage.RECOMMENDED
        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state.update(name=None, score=None, grades=None, rubric_revision=None, skills=None)

    class Presented(Shown):
        """The candidate shown to the client again (a new summary, say): a new fact; the
        earlier presentations stay as they were."""
    class Disqualified(Event):
        next_stage = Stage.DISQUALIFIED
        reason: str

        def update(self, aggregate: Candidate) -> None:
            aggregate.reasons = {**aggregate.reasons, "disqualified": self.reason}

    class SelectedForInterview(Event):
        """The client picked the candidate for a final interview: `requested_by` names the
        person at the client who did (version 2; version 1 did not, and is upcast to None)."""

        next_stage = Stage.INTERVIEW_REQUESTED
        class_version = 2
        note: str | None
        requested_by: str | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["requested_by"] = None

    class InterviewScheduled(Event):
        next_stage = Stage.INTERVIEW_SCHEDULED
        scheduled_at: datetime
        interviewers: list[str]
        location: str | None

        def update(self, aggregate: Candidate) -> None:
            interview = Interview(self.scheduled_at, tuple(self.interviewers), self.location)
            aggregate.interviews = (*aggregate.interviews, interview)

    class Interviewed(Event):
        next_stage = Stage.INTERVIEWED
        round: int
        interviewer: str
        rating: str
        notes: str | None

        def update(self, aggregate: Candidate) -> None:
            feedback = Feedback(self.round, self.interviewer, self.rating, self.notes)
            aggregate.feedback = (*aggregate.feedback, feedback)

    class Decided(Event):
        outcome: str
        reason: str
        decided_by: str

        def stage_after(self) -> Stage:
            return Stage.HIRE_DECIDED if self.outcome == Outcome.HIRE.value else Stage.REJECTED

        def update(self, aggregate: Candidate) -> None:
            aggregate.decision = {"outcome": self.outcome, "reason": self.reason,
                                  "decided_by": self.decided_by, "decided_at": self.timestamp}

    class OfferSent(Event):
        next_stage = Stage.OFFERED
        salary: Decimal
        currency: str
        start_date: date
        expires_at: datetime

        def update(self, aggregate: Candidate) -> None:
            aggregate.offer = Offer(self.salary, self.currency, self.start_date,
                                    self.expires_at, self.timestamp)

    class OfferAccepted(Event):
        def update(self, aggregate: Candidate) -> None:
            assert aggregate.offer is not None  # only a sent offer is answered
            aggregate.offer = answered(aggregate.offer, "accepted", None)

    class OfferDeclined(Event):
        next_stage = Stage.OFFER_DECLINED
        reason: str | None

        def update(self, aggregate: Candidate) -> None:
            assert aggregate.offer is not None  # only a sent offer is answered
            aggregate.offer = answered(aggregate.offer, "declined", self.reason)

    class RejectionSent(Event):
        message: str | None

        def update(self, aggregate: Candidate) -> None:
            aggregate.decision_sent_at = self.timestamp

    class Hired(Event):
        next_stage = Stage.HIRED
        client_id: UUID
        start_date: date

        def update(self, aggregate: Candidate) -> None:
            aggregate.start_date = self.start_date

    class ContactDetailsCorrected(Event):
        """Contact details or profile fields recorded in error, corrected: the fields named
        in `corrected` take the values given (the others are None and unchanged)."""

        corrected: list[str]
        name: str | None
        email: str | None
        channel: str | None
        source: str | None
        reason: str

        def update(self, aggregate: Candidate) -> None:
            for field in self.corrected:
                setattr(aggregate, field, getattr(self, field))

    class Reopened(Event):
        """A decision or a disqualification made in error, undone: the candidate is back in
        the stage it was in before (`back_to`); the undone event stays in the history."""

        undoes: str  # "Decided" or "Disqualified"
        back_to: str
        reason: str

        def stage_after(self) -> Stage:
            return Stage(self.back_to)

        def update(self, aggregate: Candidate) -> None:
            if self.undoes == "Decided":
                aggregate.decision = None
            else:
                aggregate.reasons = {k: v for k, v in aggregate.reasons.items()
                                     if k != "disqualified"}

    class Withdrawn(Event):
        next_stage = Stage.WITHDRAWN
        reason: str

        def update(self, aggregate: Candidate) -> None:
            aggregate.reasons = {**aggregate.reasons, "withdrawn": self.reason}

    # --- commands: recruiting ---
    @classmethod
    def contact(cls, *, key: bytes, position_id: UUID, client_id: UUID, name: str, email: str,
                source: str, by: Stamp, channel: str | None = None,
                message: str | None = None) -> Candidate:
        return cls.start(
            cls.Contacted, by, id=candidate_id(key, position_id, email),
            position_id=position_id, client_id=client_id, name=require_text(name, "name", 200),
            email=normalise_email(email), source=parse_choice(Source, source, "source"),
            channel=optional_text(channel, "channel", 100),
            message=optional_text(message, "message"))

    def apply(self, *, by: Stamp, note: str | None = None) -> None:
        self._check("apply", by)
        self.record(self.Applied, by, note=optional_text(note, "note"))

    # --- assessments ---
    def assign_assessment(self, *, name: str, duration_minutes: int, due_at: datetime,
                          by: Stamp) -> None:
        self._check("assign_assessment", by)
        self.record(self.AssessmentAssigned, by, assessment_name=name,
                    duration_minutes=duration_minutes, due_at=in_the_future(due_at, by, "due_at"))

    def reschedule_assessment(self, *, due_at: datetime, reason: str, by: Stamp) -> None:
        self._check("reschedule_assessment", by)
        self.record(self.AssessmentRescheduled, by, due_at=in_the_future(due_at, by, "due_at"),
                    reason=require_text(reason, "reason"))

    def record_assessment(self, *, grades: Mapping[str, str], rubric_revision: int,
                          rubric: Iterable[Skill], by: Stamp, notes: str | None = None) -> None:
        self._check("record_assessment", by)
        skills = list(rubric)
        self.record(self.Assessed, by, grades=check_grades(grades, skills),
                    rubric_revision=rubric_revision, skills=skills,
                    notes=optional_text(notes, "notes"))

    def abandon_assessment(self, *, reason: str, by: Stamp, note: str | None = None) -> None:
        self._check("abandon_assessment", by)
        self.record(self.AssessmentAbandoned, by,
                    reason=parse_choice(AbandonReason, reason, "reason"),
                    note=optional_text(note, "note"))

    # --- recommendations: what the client is shown ---
    def recommend(self, *, summary: str, by: Stamp) -> None:
        self._check("recommend", by)
        self.record(self.Recommended, by, **self._shown(require_text(summary, "summary")))

    def present(self, *, by: Stamp, summary: str | None = None) -> None:
        """Show the candidate to the client again, as they stand now (the summary kept
        unless a new one is given)."""
        self._check("present", by)
        assert self.presentation is not None  # recommended before
        text = self.presentation.summary if summary is None else require_text(summary,
                                                                              "summary")
        self.record(self.Presented, by, **self._shown(text))

    def _shown(self, summary: str) -> dict[str, Any]:
        return {"summary": summary, "name": self.name, "score": self.score,
                "grades": dict(self.grades or {}), "rubric_revision": self.rubric_revision,
                "skills": list(self.rubric)}

    def disqualify(self, *, reason: str, by: Stamp) -> None:
        self._check("disqualify", by)
        self.record(self.Disqualified, by, reason=require_text(reason, "reason"))

    # --- final interviews ---
    def request_interview(self, *, by: Stamp, note: str | None = None,
                          requested_by: str | None = None) -> None:
        self._check("request_interview", by)
        self.record(self.SelectedForInterview, by, note=optional_text(note, "note"),
                    requested_by=person_at_client(by, requested_by, "requested_by",
                                                   "asked for the interview"))

    def schedule_interview(self, *, scheduled_at: datetime, interviewers: Iterable[str],
                           by: Stamp, location: str | None = None) -> None:
        self._check("schedule_interview", by)
        names = [require_text(n, "interviewer", 200) for n in interviewers]
        if not names or len(set(names)) != len(names):
            raise InvalidValue("an interview needs one or more distinct interviewers",
                               "interviewers")
        self.record(self.InterviewScheduled, by, interviewers=names,
                    scheduled_at=check_moment(scheduled_at, "scheduled_at"),
                    location=optional_text(location, "location", 500))

    def record_interview_feedback(self, *, interviewer: str, rating: str, by: Stamp,
                                  notes: str | None = None) -> None:
        self._check("record_interview_feedback", by)
        latest = self.interviews[-1]
        round_ = len(self.interviews)
        interviewer = interviewer.strip()
        if interviewer not in latest.interviewers:
            raise InvalidValue(f"{interviewer!r} is not an interviewer of this interview; "
                               f"expected one of {', '.join(latest.interviewers)}",
                               "interviewer")
        if any(f.round == round_ and f.interviewer == interviewer for f in self.feedback):
            raise InvalidValue(f"{interviewer!r} already gave feedback on this interview",
                               "interviewer")
        if rating == Grade.NO_DECISION.value:
            raise InvalidValue("an interviewer's rating must be strong_no to strong_yes", "rating")
        self.record(self.Interviewed, by, round=round_, interviewer=interviewer,
                    rating=parse_choice(Grade, rating, "rating"),
                    notes=optional_text(notes, "notes"))

    # --- decision ---
    def decide(self, *, outcome: str, reason: str, by: Stamp,
               decided_by: str | None = None) -> None:
        self._check("decide", by)
        outcome = parse_choice(Outcome, outcome, "outcome")
        steps = self.allowed_steps(by.at)
        if outcome not in steps["decide"].get("outcome", (outcome,)):
            raise IllegalStep("decide", self.stage, steps,
                              "a hire is decided once the final interview has taken place")
        self.record(self.Decided, by, outcome=outcome, reason=require_text(reason, "reason"),
                    decided_by=person_at_client(by, decided_by, "decided_by", "decided"))

    # --- offers ---
    def send_offer(self, *, salary: Decimal, currency: str, start_date: date,
                   expires_at: datetime, by: Stamp) -> None:
        self._check("send_offer", by)
        amount = salary_amount(salary)
        if currency not in ISO_4217:
            raise InvalidValue(f"currency {currency!r} is not an ISO 4217 code (EUR, USD...)",
                               "currency")
        self.record(self.OfferSent, by, salary=amount, currency=currency,
                    start_date=check_day(start_date, "start_date"),
                    expires_at=in_the_future(expires_at, by, "expires_at"))

    def respond_to_offer(self, *, accepted: bool, by: Stamp, reason: str | None = None) -> None:
        self._check("respond_to_offer", by)
        if accepted:
            self.record(self.OfferAccepted, by)
        else:
            self.record(self.OfferDeclined, by, reason=optional_text(reason, "reason"))

    def send_rejection(self, *, by: Stamp, message: str | None = None) -> None:
        self._check("send_rejection", by)
        self.record(self.RejectionSent, by, message=optional_text(message, "message"))

    def hire(self, *, start_date: date, by: Stamp) -> None:
        """The placement: the official link between the client and the new hire."""
        self._check("hire", by)
        self.record(self.Hired, by, client_id=self.client_id,
                    start_date=check_day(start_date, "start_date"))

    # --- corrections ---
    def correct_contact_details(self, *, reason: str, by: Stamp, name: str | None = None,
                                email: str | None = None, channel: str | None = None,
                                source: str | None = None) -> None:
        """Correct the name, email, channel or source recorded in error, in any stage (the
        candidate keeps its id, which was derived from the first email)."""
        given = {"name": None if name is None else require_text(name, "name", 200),
                 "email": None if email is None else normalise_email(email),
                 "channel": None if channel is None else require_text(channel, "channel", 100),
                 "source": None if source is None else parse_choice(Source, source, "source")}
        changed = {field: value for field, value in given.items()
                   if value is not None and value != getattr(self, field)}
        if not changed:
            raise InvalidValue("give a name, email, channel or source that differs from the "
                               "one recorded: nothing to correct")
        self.record(self.ContactDetailsCorrected, by, corrected=sorted(changed),
                    reason=require_text(reason, "reason"),
                    **{field: changed.get(field) for field in given})

    def correct_assessment(self, *, grades: Mapping[str, str], reason: str, by: Stamp) -> None:
        """Correct grades recorded in error, against the rubric revision they were given on;
        while the candidate is still in the process."""
        self._check("correct_assessment", by)
        corrected = check_grades(grades, self.rubric)
        if corrected == self.grades:
            raise InvalidValue("these are the grades already recorded: nothing to correct",
                               "grades")
        self.record(self.AssessmentCorrected, by, grades=corrected,
                    rubric_revision=self.rubric_revision, skills=list(self.rubric),
                    reason=require_text(reason, "reason"))

    def reopen(self, *, reason: str, by: Stamp) -> None:
        """Undo a decision (hire, before any offer; or reject) or a disqualification made in
        error, before the candidate was told: back to the stage before it."""
        self._check("reopen", by)
        undoes = "Disqualified" if self.stage == Stage.DISQUALIFIED.value else "Decided"
        self.record(self.Reopened, by, undoes=undoes, back_to=self.stage_before,
                    reason=require_text(reason, "reason"))

    def withdraw(self, *, reason: str, by: Stamp) -> None:
        self._check("withdraw", by)
        self.record(self.Withdrawn, by, reason=require_text(reason, "reason"))


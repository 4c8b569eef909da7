"""One candidacy driven through Recruitment by hypothesis, against a reference model.

Every command rule tries one of the 16 candidate commands with arguments hypothesis draws,
whether or not the process allows it now; another revises the position's rubric. `Model` is
our own reading of the rules of domain/stages.py and domain/candidate.py (it never asks the
aggregate's allowed_commands()): it says whether a command must succeed or which DomainError
it must raise, and what the candidacy looks like afterwards. Two guided rules, `advance` and
`allowed_step`, pick commands the model allows, or deep stages would hardly ever be reached.
After every step the candidate is compared with the one rebuilt from the stored events.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain import stages
from domain.application import Caller, Receipt
from domain.candidate import Candidate
from domain.errors import DomainError, IllegalStep, InvalidValue, NotFound, VersionConflict
from domain.scope import AGENCY
from domain.stages import Stage
from domain.values import AbandonReason, Actor, Skill, Source
from hirelog.settings import Settings
from storage.event_store import open_recruitment
from tests.fakes import ADMIN, RECRUITER, FakeClock, client_user

S = Stage
CLIENT_ID = UUID("0c1e0000-0000-4000-8000-000000000001")
STRANGER = client_user(UUID("0c1e0000-0000-4000-8000-000000000002"))  # another client's user
ACTORS = (RECRUITER, ADMIN, client_user(CLIENT_ID))
INTERVIEWERS = ("Ada", "Bo", "Cy", "Di")
SKILL_NAMES = ("python", "sql", "testing", "go", "docker")
RATINGS = ("strong_no", "no", "mixed", "yes", "strong_yes")
POINTS = {"strong_no": 0, "no": 1, "mixed": 2, "yes": 3, "strong_yes": 4}
STEP = timedelta(minutes=30)
COMMANDS = (
    "apply", "assign_assessment", "reschedule_assessment", "record_assessment",
    "abandon_assessment", "recommend", "disqualify", "request_interview", "schedule_interview",
    "record_interview_feedback", "decide", "send_offer", "send_rejection", "respond_to_offer",
    "hire", "withdraw", "present", "reopen", "correct_assessment",
)

# --- the model: our reading of the rules of the process ---
OWED_A_NOTICE = {S.ABANDONED, S.DISQUALIFIED, S.REJECTED, S.WITHDRAWN}
MAY_BE_TOLD = OWED_A_NOTICE  # send_rejection is allowed once in these
OVER = OWED_A_NOTICE | {S.HIRED}  # no withdrawing from these
DISQUALIFIABLE = {S.CONTACTED, S.APPLIED, S.ASSESSED}
REJECTABLE = {S.RECOMMENDED, S.INTERVIEW_REQUESTED, S.INTERVIEW_SCHEDULED, S.INTERVIEWED}
SCHEDULABLE = {S.INTERVIEW_REQUESTED, S.INTERVIEW_SCHEDULED, S.INTERVIEWED}
FEEDBACK_STAGES = {S.INTERVIEW_SCHEDULED, S.INTERVIEWED}
OFFERABLE = {S.HIRE_DECIDED, S.OFFER_DECLINED}
# a decision or disqualification undone as an error (before the candidate is told)
REOPENABLE = {S.HIRE_DECIDED, S.REJECTED, S.DISQUALIFIED}
# shown to the client again: from recommended until the process ends
PRESENTABLE = {S.RECOMMENDED, S.INTERVIEW_REQUESTED, S.INTERVIEW_SCHEDULED, S.INTERVIEWED,
               S.HIRE_DECIDED, S.OFFERED, S.OFFER_DECLINED}
# The way to a hire, and the next step towards it by stage (OFFERED: accept, then hire).
PATH = (S.CONTACTED, S.APPLIED, S.ASSESSMENT_ASSIGNED, S.ASSESSED, S.RECOMMENDED,
        S.INTERVIEW_REQUESTED, S.INTERVIEW_SCHEDULED, S.INTERVIEWED, S.HIRE_DECIDED, S.OFFERED,
        S.HIRED)
RANK = {stage: i for i, stage in enumerate(PATH)} | {S.OFFER_DECLINED: PATH.index(S.OFFERED) - 1}
FORWARD = {
    S.CONTACTED: "apply", S.APPLIED: "assign_assessment",
    S.ASSESSMENT_ASSIGNED: "record_assessment", S.ASSESSED: "recommend",
    S.RECOMMENDED: "request_interview", S.INTERVIEW_REQUESTED: "schedule_interview",
    S.INTERVIEW_SCHEDULED: "record_interview_feedback", S.INTERVIEWED: "decide",
    S.HIRE_DECIDED: "send_offer", S.OFFER_DECLINED: "send_offer",
}


def expected_score(grades: dict[str, str], rubric: tuple[Skill, ...]) -> float | None:
    """0-100 weighted by the rubric, to one decimal, halves rounded up (6.25 -> 6.3);
    no_decision grades do not count; None if nothing counts."""
    counted = [(s.weight, POINTS[grades[s.name]]) for s in rubric
               if grades[s.name] != "no_decision"]
    if not counted:
        return None
    earned = sum(weight * points for weight, points in counted)
    possible = sum(weight * 4 for weight, _ in counted)
    tenths = math.floor(Fraction(1000 * earned, possible) + Fraction(1, 2))
    return float(Fraction(tenths, 10))


@dataclass
class Model:
    stage: Stage
    stage_since: datetime
    rubric: tuple[Skill, ...]  # the position's newest rubric revision
    revision: int = 1
    # (event class name, timestamp, actor, request id) of every event we expect stored
    events: list[tuple[str, datetime, Actor, str | None]] = field(default_factory=list)
    due_at: datetime | None = None
    reschedules: int = 0
    grades: dict[str, str] | None = None
    graded_rubric: tuple[Skill, ...] = ()
    graded_revision: int = 0
    rounds: list[tuple[str, ...]] = field(default_factory=list)  # interviewers of each round
    feedback: set[tuple[int, str]] = field(default_factory=set)  # (round, interviewer)
    decision: tuple[str, str] | None = None  # (outcome, decided_by)
    offer_expires: datetime | None = None
    interview_at: datetime | None = None  # the latest round's time
    offer_response: str | None = None
    notice_sent: bool = False
    reasons: dict[str, str] = field(default_factory=dict)
    start_date: date | None = None
    stage_before: Stage | None = None  # the stage it was in before the current one
    # what the client was shown, each time: (when, summary, grades)
    presented: list[tuple[datetime, str, dict[str, str] | None]] = field(default_factory=list)

    @property
    def version(self) -> int:
        return len(self.events)

    def in_order(self, command: str, now: datetime) -> bool:
        """Whether the order of the process allows `command` at `now` (decide: to reject).
        Feedback (and a hire) wait for the latest interview's time; an unanswered offer past
        its expiry is answered by a revised offer only."""
        s = self.stage
        held = self.interview_at is not None and now >= self.interview_at
        expired = (s is S.OFFERED and self.offer_response is None
                   and self.offer_expires is not None and now > self.offer_expires)
        return {
            "apply": s is S.CONTACTED,
            "assign_assessment": s is S.APPLIED,
            "reschedule_assessment": s is S.ASSESSMENT_ASSIGNED,
            "record_assessment": s is S.ASSESSMENT_ASSIGNED,
            "abandon_assessment": s is S.ASSESSMENT_ASSIGNED,
            "recommend": s is S.ASSESSED,
            "disqualify": s in DISQUALIFIABLE,
            "request_interview": s is S.RECOMMENDED,
            "schedule_interview": s in SCHEDULABLE,
            "record_interview_feedback": s in FEEDBACK_STAGES and held,
            "decide": s in REJECTABLE,
            "send_offer": s in OFFERABLE or expired,
            "send_rejection": s in MAY_BE_TOLD and not self.notice_sent,
            "respond_to_offer": s is S.OFFERED and self.offer_response is None and not expired,
            "hire": s is S.OFFERED and self.offer_response == "accepted",
            "withdraw": s not in OVER,
            "present": s in PRESENTABLE,
            "reopen": s in REOPENABLE and not self.notice_sent,
            "correct_assessment": (self.grades is not None and s not in OVER
                                   and s is not S.ASSESSMENT_ASSIGNED),
        }[command]


def refused_unless(in_order: bool, *invalid: bool) -> type[DomainError] | None:
    """IllegalStep when the order forbids it, else InvalidValue when a value is refused."""
    if not in_order:
        return IllegalStep
    return InvalidValue if any(invalid) else None


# --- argument strategies (valid values; times may land in the past to hit the time checks) ---
# storable text: no NUL, no lone surrogates (domain.bounds refuses those; tested apart)
storable = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
text = st.text(storable, min_size=1, max_size=20).filter(str.strip)
optional_text = st.none() | st.text(storable, max_size=20)
request_ids = st.none() | st.text(max_size=16)
# (actor, request id, expected version: mostly none, else the current one or a stale one)
callers = st.tuples(st.sampled_from(ACTORS * 3 + (STRANGER,)), request_ids,
                    st.sampled_from((None,) * 8 + ("current", "stale")))
gaps = st.integers(0, 96).map(lambda n: n * STEP)  # the clock moves 0 to 48 h per command
zones = st.sampled_from((UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))))
# now + n * 30 min in some time zone, n in 1..120, or rarely -5..0 (not in the future)
whens = st.tuples(st.integers(0, 125).map(lambda n: n + 1 if n < 120 else 120 - n), zones)
days = st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31))


@st.composite
def rubrics(draw: st.DrawFn) -> tuple[Skill, ...]:
    names = draw(st.lists(st.sampled_from(SKILL_NAMES), min_size=1, max_size=3, unique=True))
    return tuple(Skill(name, draw(st.integers(1, 5)), draw(st.booleans())) for name in names)


COMMON = {"gap": gaps, "who": callers}
ARGS: dict[str, dict[str, st.SearchStrategy[Any]]] = {
    "apply": {"note": optional_text},
    "assign_assessment": {"due": whens},
    "reschedule_assessment": {"due": whens, "reason": text},
    "record_assessment": {"grades": st.lists(st.sampled_from((*RATINGS, "no_decision")),
                                             min_size=3, max_size=3),
                          "notes": optional_text},
    "abandon_assessment": {"reason": st.sampled_from([r.value for r in AbandonReason]),
                           "note": optional_text},
    "recommend": {"summary": text},
    "disqualify": {"reason": text},
    "request_interview": {"note": optional_text, "requested_by": st.none() | text},
    "schedule_interview": {"when": whens,
                           "interviewers": st.lists(st.sampled_from(INTERVIEWERS), min_size=1,
                                                    max_size=3, unique=True),
                           "location": optional_text},
    "record_interview_feedback": {"interviewer": st.sampled_from(INTERVIEWERS),
                                  "rating": st.sampled_from(RATINGS), "notes": optional_text},
    "decide": {"outcome": st.sampled_from(("hire", "reject")), "reason": text,
               "decided_by": st.none() | text},
    "send_offer": {"salary": st.decimals(min_value=1, max_value=10**6, places=2),
                   "currency": st.sampled_from(("EUR", "USD", "GBP", "CHF")),
                   "start_date": days, "expires": whens},
    "send_rejection": {"message": optional_text},
    "respond_to_offer": {"accepted": st.booleans(), "reason": optional_text},
    "hire": {"start_date": days},
    "withdraw": {"reason": text},
    "present": {"summary": st.none() | text},
    "reopen": {"reason": text},
    "correct_assessment": {"grades": st.lists(st.sampled_from((*RATINGS, "no_decision")),
                                              min_size=3, max_size=3),
                           "reason": text},
}
assert set(ARGS) == set(COMMANDS) == set(stages.COMMANDS)  # all 19 commands have a rule


class CandidateMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.app = open_recruitment(Settings(database_url="sqlite:///:memory:", id_key="k"),
                                    clock=self.clock)
        # The aggregates the application saves, as they were in memory (never serialised).
        self.saved: dict[UUID, Any] = {}
        save = self.app.save

        def capturing_save(*objs: Any, **kwargs: Any) -> Any:
            for obj in objs:
                self.saved[obj.id] = obj
            return save(*objs, **kwargs)

        self.app.save = capturing_save  # type: ignore[method-assign]

    def teardown(self) -> None:
        self.app.close()

    # --- helpers ---
    @property
    def now(self) -> datetime:
        return self.clock.now

    def allows(self, command: str) -> bool:
        """Whether the model allows `command` now."""
        return self.m.in_order(command, self.now)

    def _tick(self, gap: timedelta) -> None:
        self.clock.now += gap

    def _at(self, when: tuple[int, timezone]) -> datetime:
        steps, zone = when
        return (self.now + steps * STEP).astimezone(zone)

    def _max_position(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def _attempt(self, who: tuple[Actor, str | None, str | None],
                 refusal: type[DomainError] | None, event: str,
                 call: Callable[[Caller], Receipt], *, to: Stage | None = None,
                 update: Callable[[], None] | None = None) -> None:
        """Run `call`; it must raise `refusal` and record nothing, or record `event`."""
        actor, request_id, pin = who
        m = self.m
        expected_version = {None: None, "current": m.version, "stale": m.version - 1}[pin]
        if pin == "stale":
            refusal = VersionConflict  # checked before any rule of the process
        if actor == STRANGER:
            refusal = NotFound  # another client's candidate is not even shown to them
        elif actor.role == "client" and not m.presented:
            refusal = NotFound  # nor is a candidate the agency has not presented to them
        caller = Caller(actor, request_id, expected_version)
        before = self._max_position()
        if refusal is not None:
            with pytest.raises(DomainError) as raised:
                call(caller)
            assert type(raised.value) is refusal, raised.value
            if refusal is IllegalStep:
                assert raised.value.stage == m.stage.value  # type: ignore[attr-defined]
            assert self._max_position() == before
            assert self.app.get_candidate(self.cid, AGENCY).version == m.version
            return
        receipt = call(caller)
        assert isinstance(receipt, Receipt)
        assert receipt.id == self.cid
        assert receipt.version == m.version + 1
        assert receipt.position > before
        assert receipt.position == self._max_position()
        m.events.append((event, self.now, actor, request_id))
        if to is not None and to != m.stage:
            m.stage_before = m.stage
            m.stage, m.stage_since = to, self.now
        if update is not None:
            update()
        assert receipt.stage == m.stage.value
        self.live = self.saved[self.cid]

    # --- setup ---
    @initialize(weights=st.lists(st.integers(1, 5), min_size=3, max_size=3),
                required=st.integers(0, 2), source=st.sampled_from([s.value for s in Source]),
                actor=st.sampled_from(ACTORS), request_id=request_ids,
                head_start=st.sampled_from(PATH[::-1]), data=st.data())
    def open_candidacy(self, weights: list[int], required: int, source: str, actor: Actor,
                       request_id: str | None, head_start: Stage, data: st.DataObject) -> None:
        """A client, a position with a 3-skill rubric, a candidate; then (checked like any
        step) the candidate is taken to the stage `head_start`, so that every stage is
        explored."""
        admin = Caller(ADMIN, "setup")
        self.app.register_client("Acme GmbH", admin, id=CLIENT_ID)
        rubric = tuple(Skill(name, weight, i == required)
                       for i, (name, weight) in enumerate(zip(SKILL_NAMES, weights, strict=False)))
        self.pid = self.app.open_position(
            client_id=CLIENT_ID, title="Backend developer", headcount=1, skills=rubric,
            assessment_name="Take-home", assessment_minutes=90, caller=admin).id
        receipt = self.app.contact_candidate(
            position_id=self.pid, name="Ann Example", email=" Ann@Example.com ", source=source,
            caller=Caller(actor, request_id))
        assert (receipt.version, receipt.stage, receipt.position) == (1, "contacted", 3)
        self.cid = receipt.id
        self.m = Model(stage=S.CONTACTED, stage_since=self.now, rubric=rubric,
                       events=[("Contacted", self.now, actor, request_id)])
        self.live = self.saved[self.cid]
        assert self.live.email == "ann@example.com"
        self.advance(data, head_start)

    # --- the 16 candidate commands, tried whatever the stage ---
    @rule(**COMMON, **ARGS["apply"])
    def apply(self, gap: timedelta, who: Any, note: str | None) -> None:
        self._tick(gap)
        self._attempt(who, refused_unless(self.allows("apply")), "Applied",
                      lambda c: self.app.apply(self.cid, c, note=note), to=S.APPLIED)

    @rule(**COMMON, **ARGS["assign_assessment"])
    def assign_assessment(self, gap: timedelta, who: Any, due: Any) -> None:
        self._tick(gap)
        due_at = self._at(due)

        def update() -> None:
            self.m.due_at, self.m.reschedules = due_at, 0

        self._attempt(who, refused_unless(self.allows("assign_assessment"),
                                          due_at <= self.now),
                      "AssessmentAssigned",
                      lambda c: self.app.assign_assessment(self.cid, c, due_at=due_at),
                      to=S.ASSESSMENT_ASSIGNED, update=update)

    @rule(**COMMON, **ARGS["reschedule_assessment"])
    def reschedule_assessment(self, gap: timedelta, who: Any, due: Any, reason: str) -> None:
        self._tick(gap)
        due_at = self._at(due)

        def update() -> None:
            self.m.due_at, self.m.reschedules = due_at, self.m.reschedules + 1

        self._attempt(who, refused_unless(self.allows("reschedule_assessment"),
                                          due_at <= self.now),
                      "AssessmentRescheduled",
                      lambda c: self.app.reschedule_assessment(self.cid, c, due_at=due_at,
                                                               reason=reason),
                      update=update)

    @rule(**COMMON, **ARGS["record_assessment"])
    def record_assessment(self, gap: timedelta, who: Any, grades: list[str],
                          notes: str | None) -> None:
        self._tick(gap)
        rubric, revision = self.m.rubric, self.m.revision
        graded = {s.name: g for s, g in zip(rubric, grades, strict=False)}  # the newest rubric

        def update() -> None:
            self.m.grades, self.m.graded_rubric, self.m.graded_revision = graded, rubric, revision

        self._attempt(who, refused_unless(self.allows("record_assessment")), "Assessed",
                      lambda c: self.app.record_assessment(self.cid, c, grades=graded,
                                                           notes=notes),
                      to=S.ASSESSED, update=update)

    @rule(**COMMON, **ARGS["abandon_assessment"])
    def abandon_assessment(self, gap: timedelta, who: Any, reason: str,
                           note: str | None) -> None:
        self._tick(gap)

        def update() -> None:
            self.m.reasons["abandoned"] = reason

        self._attempt(who, refused_unless(self.allows("abandon_assessment")),
                      "AssessmentAbandoned",
                      lambda c: self.app.abandon_assessment(self.cid, c, reason=reason,
                                                            note=note),
                      to=S.ABANDONED, update=update)

    @rule(**COMMON, **ARGS["recommend"])
    def recommend(self, gap: timedelta, who: Any, summary: str) -> None:
        self._tick(gap)

        def update() -> None:
            self.m.presented.append((self.now, summary.strip(), self.m.grades))

        self._attempt(who, refused_unless(self.allows("recommend")), "Recommended",
                      lambda c: self.app.recommend(self.cid, c, summary=summary),
                      to=S.RECOMMENDED, update=update)

    @rule(**COMMON, **ARGS["correct_assessment"])
    def correct_assessment(self, gap: timedelta, who: Any, grades: list[str],
                           reason: str) -> None:
        self._tick(gap)
        m = self.m
        # a grade for each skill of the rubric revision the assessment used
        corrected = {skill.name: grades[i % len(grades)]
                     for i, skill in enumerate(m.graded_rubric)}
        unchanged = corrected == m.grades

        def update() -> None:
            m.grades = corrected

        self._attempt(who, refused_unless(self.allows("correct_assessment"), unchanged),
                      "AssessmentCorrected",
                      lambda c: self.app.correct_assessment(self.cid, c, grades=corrected,
                                                            reason=reason),
                      update=update)

    @rule(**COMMON, **ARGS["reopen"])
    def reopen(self, gap: timedelta, who: Any, reason: str) -> None:
        self._tick(gap)
        m = self.m
        back_to, was = m.stage_before, m.stage

        def update() -> None:
            if was is S.DISQUALIFIED:
                m.reasons.pop("disqualified", None)
            else:
                m.decision = None

        self._attempt(who, refused_unless(self.allows("reopen")), "Reopened",
                      lambda c: self.app.reopen(self.cid, c, reason=reason),
                      to=back_to, update=update)

    @rule(**COMMON, **ARGS["present"])
    def present(self, gap: timedelta, who: Any, summary: str | None) -> None:
        self._tick(gap)

        def update() -> None:
            shown = self.m.presented[-1][1] if summary is None else summary.strip()
            self.m.presented.append((self.now, shown, self.m.grades))

        self._attempt(who, refused_unless(self.allows("present")), "Presented",
                      lambda c: self.app.present(self.cid, c, summary=summary), update=update)

    @rule(**COMMON, **ARGS["disqualify"])
    def disqualify(self, gap: timedelta, who: Any, reason: str) -> None:
        self._tick(gap)

        def update() -> None:
            self.m.reasons["disqualified"] = reason.strip()

        self._attempt(who, refused_unless(self.allows("disqualify")), "Disqualified",
                      lambda c: self.app.disqualify(self.cid, c, reason=reason),
                      to=S.DISQUALIFIED, update=update)

    @rule(**COMMON, **ARGS["request_interview"])
    def request_interview(self, gap: timedelta, who: Any, note: str | None,
                          requested_by: str | None) -> None:
        self._tick(gap)
        # the agency records it on the client's behalf only naming who at the client asked
        unnamed = who[0].role != "client" and requested_by is None
        self._attempt(who, refused_unless(self.allows("request_interview"), unnamed),
                      "SelectedForInterview",
                      lambda c: self.app.request_interview(self.cid, c, note=note,
                                                           requested_by=requested_by),
                      to=S.INTERVIEW_REQUESTED)

    @rule(**COMMON, **ARGS["schedule_interview"])
    def schedule_interview(self, gap: timedelta, who: Any, when: Any, interviewers: list[str],
                           location: str | None) -> None:
        self._tick(gap)
        scheduled_at = self._at(when)

        def update() -> None:
            self.m.rounds.append(tuple(interviewers))
            self.m.interview_at = scheduled_at

        # an interview that already took place may be recorded after the fact
        self._attempt(who, refused_unless(self.allows("schedule_interview")),
                      "InterviewScheduled",
                      lambda c: self.app.schedule_interview(
                          self.cid, c, scheduled_at=scheduled_at, interviewers=interviewers,
                          location=location),
                      to=S.INTERVIEW_SCHEDULED, update=update)

    @rule(**COMMON, **ARGS["record_interview_feedback"])
    def record_interview_feedback(self, gap: timedelta, who: Any, interviewer: str,
                                  rating: str, notes: str | None) -> None:
        self._tick(gap)
        m = self.m
        in_order = m.in_order("record_interview_feedback", self.now)
        round_ = len(m.rounds)
        # only a scheduled interviewer of the latest round, once per round
        not_theirs = in_order and interviewer not in m.rounds[-1]
        given = (round_, interviewer) in m.feedback

        def update() -> None:
            m.feedback.add((round_, interviewer))

        self._attempt(who, refused_unless(in_order, not_theirs, given), "Interviewed",
                      lambda c: self.app.record_interview_feedback(
                          self.cid, c, interviewer=interviewer, rating=rating, notes=notes),
                      to=S.INTERVIEWED, update=update)

    @rule(**COMMON, **ARGS["decide"])
    def decide(self, gap: timedelta, who: Any, outcome: str, reason: str,
               decided_by: str | None) -> None:
        self._tick(gap)
        m = self.m
        hire = outcome == "hire"
        # reject from recommended up to interviewed; hire only once interviewed, and not
        # before the interview's time
        held = m.interview_at is not None and self.now >= m.interview_at
        in_order = (m.stage is S.INTERVIEWED and held) if hire else m.in_order("decide",
                                                                               self.now)
        decider = (decided_by or who[0].name).strip()
        unnamed = who[0].role != "client" and decided_by is None  # who at the client decided

        def update() -> None:
            m.decision = (outcome, decider)

        self._attempt(who, refused_unless(in_order, unnamed), "Decided",
                      lambda c: self.app.decide(self.cid, c, outcome=outcome, reason=reason,
                                                decided_by=decided_by),
                      to=S.HIRE_DECIDED if hire else S.REJECTED, update=update)

    @rule(**COMMON, **ARGS["send_offer"])
    def send_offer(self, gap: timedelta, who: Any, salary: Decimal, currency: str,
                   start_date: date, expires: Any) -> None:
        self._tick(gap)
        expires_at = self._at(expires)

        def update() -> None:
            self.m.offer_expires, self.m.offer_response = expires_at, None

        self._attempt(who, refused_unless(self.allows("send_offer"), expires_at <= self.now),
                      "OfferSent",
                      lambda c: self.app.send_offer(self.cid, c, salary=salary,
                                                    currency=currency, start_date=start_date,
                                                    expires_at=expires_at),
                      to=S.OFFERED, update=update)

    @rule(**COMMON, **ARGS["send_rejection"])
    def send_rejection(self, gap: timedelta, who: Any, message: str | None) -> None:
        self._tick(gap)

        def update() -> None:
            self.m.notice_sent = True

        self._attempt(who, refused_unless(self.allows("send_rejection")), "RejectionSent",
                      lambda c: self.app.send_rejection(self.cid, c, message=message),
                      update=update)

    @rule(**COMMON, **ARGS["respond_to_offer"])
    def respond_to_offer(self, gap: timedelta, who: Any, accepted: bool,
                         reason: str | None) -> None:
        self._tick(gap)
        m = self.m
        # answering after expires_at is refused (a revised offer is the way on); at
        # expires_at it is still in time
        in_order = m.in_order("respond_to_offer", self.now)

        def update() -> None:
            m.offer_response = "accepted" if accepted else "declined"

        self._attempt(who, refused_unless(in_order),
                      "OfferAccepted" if accepted else "OfferDeclined",
                      lambda c: self.app.respond_to_offer(self.cid, c, accepted=accepted,
                                                          reason=reason),
                      to=None if accepted else S.OFFER_DECLINED, update=update)

    @rule(**COMMON, **ARGS["hire"])
    def hire(self, gap: timedelta, who: Any, start_date: date) -> None:
        self._tick(gap)

        def update() -> None:
            self.m.start_date = start_date
            # the position (headcount 1) counted the hire, in the same transaction: filled
            position = self.app.get_position(self.pid, AGENCY)
            assert (position.placements, position.status) == ((self.cid,), "filled")

        self._attempt(who, refused_unless(self.allows("hire")), "Hired",
                      lambda c: self.app.hire(self.cid, c, start_date=start_date),
                      to=S.HIRED, update=update)

    @rule(**COMMON, **ARGS["withdraw"])
    def withdraw(self, gap: timedelta, who: Any, reason: str) -> None:
        self._tick(gap)

        def update() -> None:
            self.m.reasons["withdrawn"] = reason.strip()

        self._attempt(who, refused_unless(self.allows("withdraw")), "Withdrawn",
                      lambda c: self.app.withdraw(self.cid, c, reason=reason),
                      to=S.WITHDRAWN, update=update)

    # --- the position's rubric changes under the candidate ---
    @rule(gap=gaps, who=callers, rubric=rubrics())
    def revise_rubric(self, gap: timedelta, who: Any, rubric: tuple[Skill, ...]) -> None:
        self._tick(gap)
        actor, request_id, _ = who
        before = self._max_position()
        if actor == STRANGER:
            with pytest.raises(NotFound):
                self.app.revise_rubric(self.pid, rubric, Caller(actor, request_id))
            assert self._max_position() == before
            return
        version = self.app.get_position(self.pid, AGENCY).version
        receipt = self.app.revise_rubric(self.pid, rubric, Caller(actor, request_id))
        self.m.rubric, self.m.revision = rubric, self.m.revision + 1
        assert (receipt.id, receipt.version) == (self.pid, version + 1)
        assert receipt.position == self._max_position() > before
        position = self.app.get_position(self.pid, AGENCY)
        assert (position.rubric_revision, position.rubric) == (self.m.revision, rubric)

    # --- guided rules: commands the model allows, so that every stage gets visited ---
    @rule(data=st.data(), until=st.sampled_from(PATH[:0:-1]))
    def advance(self, data: st.DataObject, until: Stage) -> None:
        """Towards a hire, up to the stage `until` (stops at the first refusal)."""
        while RANK.get(self.m.stage, len(PATH)) < RANK[until]:
            forward = self._forward()
            if forward is None or not self._step(data, forward, forward):
                return

    @rule(data=st.data())
    def allowed_step(self, data: st.DataObject) -> None:
        """Any one command the model allows now, with arguments drawn as for its rule: a
        reschedule, another interview round, a rejection, a declined offer, a withdrawal..."""
        moves = [c for c in COMMANDS if self.allows(c)]
        if moves:
            self._step(data, data.draw(st.sampled_from(moves), label="command"), None)

    def _forward(self) -> str | None:
        m = self.m
        if m.stage is S.OFFERED:
            if m.offer_response is None:
                return "send_offer" if m.in_order("send_offer", self.now) else "respond_to_offer"
            return "hire"
        return FORWARD.get(m.stage)

    def _step(self, data: st.DataObject, command: str, forward: str | None) -> bool:
        """Run `command` through its rule with drawn arguments; False if it was refused."""
        fixed = self._forward_args(command, data) if command == forward else {}
        args = {name: data.draw(strategy, label=f"{command}.{name}")
                for name, strategy in {**COMMON, **ARGS[command]}.items() if name not in fixed}
        actor, request_id, _ = args["who"]
        args["who"] = (RECRUITER if actor == STRANGER else actor, request_id, None)
        version = self.m.version
        getattr(self, command)(**args, **fixed)
        self.check_against_store()
        return self.m.version > version

    def _forward_args(self, command: str, data: st.DataObject) -> dict[str, Any]:
        m = self.m
        if command == "record_interview_feedback":
            pending = [i for i in m.rounds[-1] if (len(m.rounds), i) not in m.feedback]
            assert m.interview_at is not None
            # at the interview's time or after it (feedback waits for the interview)
            wait = max(m.interview_at - self.now, timedelta(0))
            gap = data.draw(st.sampled_from((wait, wait + STEP)), label="gap")
            return {"interviewer": data.draw(st.sampled_from(pending), label="interviewer"),
                    "gap": gap}
        if command == "decide":
            return {"outcome": "hire", "decided_by": "Hana Hiring"}
        if command == "request_interview":
            return {"requested_by": "Hana Hiring"}
        if command == "respond_to_offer":
            assert m.offer_expires is not None
            left = m.offer_expires - self.now
            if left < timedelta(0):  # expired: only a revised offer moves on (refused here)
                return {"accepted": False}
            # answer at once, exactly when the offer expires, or just after
            gap = data.draw(st.sampled_from((timedelta(0), left,
                                             left + timedelta(microseconds=1))), label="gap")
            return {"accepted": True, "gap": gap}
        return {}

    # --- invariants ---
    @invariant()
    def check_against_store(self) -> None:
        got = self.app.get_candidate(self.cid, AGENCY)
        stored = list(self.app.events.get(self.cid))
        replayed = None
        for event in stored:
            replayed = event.mutate(replayed)
        # the candidate we hold (as last saved, or last got) = got from the store = a replay
        assert got == replayed
        assert got == self.live
        self.live = got
        assert got.version == len(stored) == self.m.version
        assert [e.originator_version for e in stored] == list(range(1, len(stored) + 1))
        # every event has the time, actor and request id of the command that recorded it
        assert [(type(e).__name__, e.timestamp, e.actor, e.request_id)
                for e in stored] == self.m.events
        assert got.modified_on == self.m.events[-1][1]

    @invariant()
    def check_the_order_of_the_process(self) -> None:
        names = [name for name, *_ in self.m.events]
        if "Hired" in names:  # nothing happens after hired
            assert names.index("Hired") == len(names) - 1
        if "Withdrawn" in names:  # after withdrawn, only the notice, once
            assert names[names.index("Withdrawn") + 1:] in ([], ["RejectionSent"])
        assert names.count("RejectionSent") <= 1
        assert names.count("Withdrawn") <= 1

    @invariant()
    def check_state_matches_model(self) -> None:
        m, got = self.m, self.live
        assert isinstance(got, Candidate)
        assert (got.stage, got.stage_since) == (m.stage.value, m.stage_since)
        assert got.owes_notice == (m.stage in OWED_A_NOTICE - {S.WITHDRAWN}
                                   and not m.notice_sent)
        assert (got.decision_sent_at is not None) == m.notice_sent
        assert got.reasons == m.reasons
        assert got.start_date == m.start_date
        if m.due_at is None:
            assert got.assessment is None
        else:
            assert (got.assessment["due_at"], got.assessment["reschedules"]) == (m.due_at,
                                                                                  m.reschedules)
        assert [i.interviewers for i in got.interviews] == m.rounds
        # what the client was shown, frozen each time (later changes do not alter it)
        assert [(p.at, p.summary, dict(p.grades)) for p in got.presentations] == m.presented
        assert all(p.name == "Ann Example" for p in got.presentations)
        assert {(f.round, f.interviewer) for f in got.feedback} == m.feedback
        assert len(got.feedback) == len(m.feedback)
        if m.decision is None:
            assert got.decision is None
        else:
            assert (got.decision["outcome"], got.decision["decided_by"]) == m.decision
        if m.offer_expires is None:
            assert got.offer is None
        else:
            assert (got.offer.expires_at, got.offer.response) == (m.offer_expires,
                                                                  m.offer_response)

    @invariant()
    def check_score(self) -> None:
        m, got = self.m, self.live
        if m.grades is None:  # not assessed: no grades, no score
            assert got.grades is None
            assert got.score is None
            assert got.failed_required_skills == ()
            return
        assert got.grades == m.grades
        assert (got.rubric_revision, got.rubric) == (m.graded_revision, m.graded_rubric)
        score = expected_score(m.grades, m.graded_rubric)
        assert got.score == score
        # assessed: a score of 0..100, unless every skill was graded no_decision (unknown)
        if score is None:
            assert set(m.grades.values()) == {"no_decision"}
        else:
            assert 0 <= got.score <= 100
        assert got.failed_required_skills == tuple(
            s.name for s in m.graded_rubric if s.required and m.grades[s.name] in ("no",
                                                                                   "strong_no"))


CandidateMachine.TestCase.settings = settings(
    max_examples=200, stateful_step_count=40, deadline=None)
# slow: 200 examples of 40 steps; in the README's test command, not in `-m "not slow"`
TestCandidateStateMachine = pytest.mark.slow(CandidateMachine.TestCase)

"""Recruitment: the application service. Each command gets an aggregate, calls it, saves it,
and returns a Receipt with the new version and the event's place in the global log."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol, TypeVar, cast
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from domain.base import HiringAggregate, Stamp
from domain.candidacy import candidate_id as candidacy_of
from domain.candidate import Candidate
from domain.client import Client
from domain.errors import DuplicateCandidate, InvalidValue, NotFound, TooBusy, VersionConflict
from domain.position import Position
from domain.scope import AGENCY, Scope
from domain.values import Actor, Skill, normalise_email

A = TypeVar("A", bound=HiringAggregate)
Clock = Callable[[], datetime]


class AnswerOnce(Protocol):
    """What the caller's request must answer, recorded in the same transaction as the
    command's events (an idempotency key): given the receipt, it returns what the store
    writes with them."""

    def bound(self, receipt: Receipt) -> object: ...


@dataclass(frozen=True)
class Caller:
    """Who gives a command, in which request, (optionally) the version they last saw, and
    (optionally) the answer to record with the command's events."""

    actor: Actor
    request_id: str | None = None
    expected_version: int | None = None
    once: AnswerOnce | None = None


@dataclass(frozen=True)
class Receipt:
    """The answer to a command: position is the event's place in the global log."""

    id: UUID
    version: int
    position: int
    stage: str | None = None


def owner_of(aggregate: HiringAggregate) -> UUID | None:
    """The client an aggregate belongs to (what a Scope is checked against)."""
    if isinstance(aggregate, Client):
        return aggregate.id
    return aggregate.client_id if isinstance(aggregate, Position | Candidate) else None


def utc_now() -> datetime:
    return datetime.now(UTC)


class Recruitment(Application[UUID]):
    """The hiring process of the agency, recorded as events of clients, positions, candidates."""

    name = "hirelog"
    # A lost race is re-checked against the new state this many times before giving up.
    retries = 30

    def __init__(self, env: Mapping[str, str] | None = None, *, id_key: bytes,
                 clock: Clock = utc_now) -> None:
        super().__init__(env)
        if not id_key:
            raise ValueError("id_key must not be empty")
        self.id_key = id_key
        self.clock = clock
        self._save_listeners: list[Callable[[list[HiringAggregate.Event]], None]] = []

    def on_save(self, listener: Callable[[list[HiringAggregate.Event]], None]) -> None:
        """Call `listener(events)` after each save in this process, with the events just
        recorded (followers wake at once, figures count them)."""
        self._save_listeners.append(listener)

    def _notify(self, recordings: list[Any]) -> None:
        if recordings:
            events = [recording.domain_event for recording in recordings]
            for listener in self._save_listeners:
                listener(events)

    # --- reads, each within a Scope (a client's users see only their own client) ---
    # `version` or `as_of` (a time) give the aggregate exactly as it stood then.
    def get_client(self, client_id: UUID, scope: Scope, version: int | None = None,
                   as_of: datetime | None = None) -> Client:
        return self._get(Client, client_id, scope, version, as_of)

    def get_position(self, position_id: UUID, scope: Scope, version: int | None = None,
                     as_of: datetime | None = None) -> Position:
        return self._get(Position, position_id, scope, version, as_of)

    def get_candidate(self, candidate_id: UUID, scope: Scope, version: int | None = None,
                      as_of: datetime | None = None) -> Candidate:
        return self._get(Candidate, candidate_id, scope, version, as_of)

    def history(self, aggregate_id: UUID, scope: Scope) -> list[HiringAggregate.Event]:
        """Every event of one aggregate, oldest first."""
        events = cast(list[HiringAggregate.Event], list(self.events.get(aggregate_id)))
        if not events or not scope.sees(_owner_recorded(events[0])):
            raise NotFound(f"nothing has id {aggregate_id}")
        return events

    def candidate_history(self, candidate_id: UUID,
                          scope: Scope) -> list[HiringAggregate.Event]:
        events = self.history(candidate_id, scope)
        presented = any(isinstance(event, Candidate.Shown) for event in events)
        if not isinstance(events[0], Candidate.Contacted) or not scope.sees_candidate(
                events[0].client_id, presented):
            raise NotFound(f"no candidate with id {candidate_id}")
        return events

    # --- clients and positions ---
    def register_client(self, name: str, caller: Caller, id: UUID | None = None) -> Receipt:
        client = Client.register(name, by=self._stamp(caller), id=id)
        return self._save(client, caller)

    def open_position(self, *, client_id: UUID, title: str, headcount: int,
                      skills: Iterable[Skill], assessment_name: str, assessment_minutes: int,
                      caller: Caller, id: UUID | None = None) -> Receipt:
        self.get_client(client_id, AGENCY)
        position = Position.open(client_id=client_id, title=title, headcount=headcount,
                                 skills=skills, assessment_name=assessment_name,
                                 assessment_minutes=assessment_minutes, by=self._stamp(caller),
                                 id=id)
        return self._save(position, caller)

    def revise_rubric(self, position_id: UUID, skills: Iterable[Skill], caller: Caller) -> Receipt:
        skills = list(skills)
        return self._change(Position, position_id, caller,
                            lambda p, by: p.revise_rubric(skills, by=by))

    def change_position_status(self, position_id: UUID, status: str, caller: Caller,
                               reason: str | None = None) -> Receipt:
        return self._change(Position, position_id, caller,
                            lambda p, by: p.change_status(status, reason=reason, by=by))

    # --- candidates ---
    def contact_candidate(self, *, position_id: UUID, name: str, email: str, source: str,
                          caller: Caller, channel: str | None = None,
                          message: str | None = None) -> Receipt:
        position = self.get_position(position_id, AGENCY)
        if not position.is_open:
            raise InvalidValue(f"position is {position.status}, not open for new candidates")
        candidate = Candidate.contact(
            key=self.id_key, position_id=position_id, client_id=position.client_id, name=name,
            email=email, source=source, channel=channel, message=message,
            by=self._stamp(caller))
        try:
            return self._save(candidate, caller)
        except IntegrityError:
            raise DuplicateCandidate(
                f"{candidate.email} is already a candidate for this position "
                f"(candidate {candidate.id})") from None

    def apply(self, candidate_id: UUID, caller: Caller, note: str | None = None) -> Receipt:
        return self._step(candidate_id, caller, "apply", note=note)

    def assign_assessment(self, candidate_id: UUID, caller: Caller, due_at: datetime) -> Receipt:
        def assign(candidate: Candidate, by: Stamp) -> None:
            position = self.get_position(candidate.position_id, AGENCY)
            candidate.assign_assessment(name=position.assessment_name, due_at=due_at,
                                        duration_minutes=position.assessment_minutes, by=by)
        return self._change(Candidate, candidate_id, caller, assign)

    def reschedule_assessment(self, candidate_id: UUID, caller: Caller, due_at: datetime,
                              reason: str) -> Receipt:
        return self._step(candidate_id, caller, "reschedule_assessment", due_at=due_at,
                          reason=reason)

    def record_assessment(self, candidate_id: UUID, caller: Caller, grades: Mapping[str, str],
                          notes: str | None = None) -> Receipt:
        """Graded against the position's current rubric revision, which the event names."""
        def assess(candidate: Candidate, by: Stamp) -> None:
            position = self.get_position(candidate.position_id, AGENCY)
            candidate.record_assessment(grades=grades, rubric_revision=position.rubric_revision,
                                        rubric=position.rubric, notes=notes, by=by)
        return self._change(Candidate, candidate_id, caller, assess)

    def abandon_assessment(self, candidate_id: UUID, caller: Caller, reason: str,
                           note: str | None = None) -> Receipt:
        return self._step(candidate_id, caller, "abandon_assessment", reason=reason, note=note)

    def recommend(self, candidate_id: UUID, caller: Caller, summary: str) -> Receipt:
        return self._step(candidate_id, caller, "recommend", summary=summary)

    def present(self, candidate_id: UUID, caller: Caller, summary: str | None = None) -> Receipt:
        return self._step(candidate_id, caller, "present", summary=summary)

    def disqualify(self, candidate_id: UUID, caller: Caller, reason: str) -> Receipt:
        return self._step(candidate_id, caller, "disqualify", reason=reason)

    def request_interview(self, candidate_id: UUID, caller: Caller, note: str | None = None,
                          requested_by: str | None = None) -> Receipt:
        return self._step(candidate_id, caller, "request_interview", note=note,
                          requested_by=requested_by)

    def schedule_interview(self, candidate_id: UUID, caller: Caller, scheduled_at: datetime,
                           interviewers: Iterable[str], location: str | None = None) -> Receipt:
        return self._step(candidate_id, caller, "schedule_interview", scheduled_at=scheduled_at,
                          interviewers=list(interviewers), location=location)

    def record_interview_feedback(self, candidate_id: UUID, caller: Caller, interviewer: str,
                                  rating: str, notes: str | None = None) -> Receipt:
        return self._step(candidate_id, caller, "record_interview_feedback",
                          interviewer=interviewer, rating=rating, notes=notes)

    def decide(self, candidate_id: UUID, caller: Caller, outcome: str, reason: str,
               decided_by: str | None = None) -> Receipt:
        return self._step(candidate_id, caller, "decide", outcome=outcome, reason=reason,
                          decided_by=decided_by)

    def send_offer(self, candidate_id: UUID, caller: Caller, salary: Decimal, currency: str,
                   start_date: date, expires_at: datetime) -> Receipt:
        return self._step(candidate_id, caller, "send_offer", salary=salary, currency=currency,
                          start_date=start_date, expires_at=expires_at)

    def send_rejection(self, candidate_id: UUID, caller: Caller,
                       message: str | None = None) -> Receipt:
        return self._step(candidate_id, caller, "send_rejection", message=message)

    def respond_to_offer(self, candidate_id: UUID, caller: Caller, accepted: bool,
                         reason: str | None = None) -> Receipt:
        return self._step(candidate_id, caller, "respond_to_offer", accepted=accepted,
                          reason=reason)

    def hire(self, candidate_id: UUID, caller: Caller, start_date: date) -> Receipt:
        """The candidate's Hired and the position's count of hires (and, when that fills its
        headcount, its status) are recorded in one transaction."""
        def place(candidate: Candidate, by: Stamp) -> tuple[HiringAggregate, ...]:
            position = self.get_position(candidate.position_id, AGENCY)
            candidate.hire(start_date=start_date, by=by)
            position.record_placement(candidate.id, by=by)
            return (position,)
        return self._change(Candidate, candidate_id, caller, place)

    def correct_contact_details(self, candidate_id: UUID, caller: Caller, reason: str,
                                name: str | None = None, email: str | None = None,
                                channel: str | None = None,
                                source: str | None = None) -> Receipt:
        """A corrected email must not be another candidacy's for the same position (checked
        against the candidacy that email would have started; see the README)."""
        def correct(candidate: Candidate, by: Stamp) -> None:
            if email is not None:
                other = candidacy_of(self.id_key, candidate.position_id, email)
                if other != candidate.id and other in self.repository:
                    raise DuplicateCandidate(f"{normalise_email(email)} is already a "
                                             f"candidate for this position (candidate {other})")
            candidate.correct_contact_details(reason=reason, name=name, email=email,
                                              channel=channel, source=source, by=by)
        return self._change(Candidate, candidate_id, caller, correct)

    def correct_assessment(self, candidate_id: UUID, caller: Caller, grades: Mapping[str, str],
                           reason: str) -> Receipt:
        return self._step(candidate_id, caller, "correct_assessment", grades=dict(grades),
                          reason=reason)

    def reopen(self, candidate_id: UUID, caller: Caller, reason: str) -> Receipt:
        return self._step(candidate_id, caller, "reopen", reason=reason)

    def withdraw(self, candidate_id: UUID, caller: Caller, reason: str) -> Receipt:
        return self._step(candidate_id, caller, "withdraw", reason=reason)

    # --- the one way every command runs ---
    def _step(self, candidate_id: UUID, caller: Caller, command: str, **args: Any) -> Receipt:
        return self._change(Candidate, candidate_id, caller,
                            lambda c, by: getattr(c, command)(by=by, **args))

    def _change(self, kind: type[A], aggregate_id: UUID, caller: Caller,
                change: Callable[[A, Stamp], Iterable[HiringAggregate] | None]) -> Receipt:
        """Get, check the expected version, change, save (with any other aggregates the change
        returns, in the same transaction); a lost race is retried on the new state (or
        refused, when the caller named the version it expected)."""
        for attempt in range(self.retries):
            aggregate = self._get(kind, aggregate_id, Scope.of(caller.actor))
            expected = caller.expected_version
            if expected is not None and aggregate.version != expected:
                raise VersionConflict(expected, aggregate.version)
            others = change(aggregate, self._stamp(caller)) or ()
            try:
                return self._save(aggregate, caller, *others)
            except IntegrityError:
                time.sleep(random.uniform(0, 0.005 * (attempt + 1)))
        raise TooBusy(f"{kind.__name__.lower()} {aggregate_id} changed {self.retries} times "
                      "while this command was retried; try again")

    def _save(self, aggregate: HiringAggregate, caller: Caller,
              *others: HiringAggregate) -> Receipt:
        """Save, the others first: the aggregate's own last event is the last recorded, so its
        position is the receipt's (and that of the answer recorded with it)."""
        stage = getattr(aggregate, "stage", None)
        receipt = Receipt(aggregate.id, aggregate.version, 0, stage)
        options = {} if caller.once is None else {"answer": caller.once.bound(receipt)}
        recordings = self.save(*others, aggregate, **options)
        return Receipt(aggregate.id, aggregate.version, recordings[-1].notification.id, stage)

    def _get(self, kind: type[A], aggregate_id: UUID, scope: Scope,
             version: int | None = None, as_of: datetime | None = None) -> A:
        """The aggregate, or NotFound: also when it lies outside the scope (another client's,
        or a candidate not presented to the client), so that nobody learns what exists."""
        if as_of is not None:
            version = self._version_at(kind, aggregate_id, as_of)
        aggregate: object
        try:
            aggregate = self.repository.get(aggregate_id, version=version,
                                            projector_func=replay)
        except AggregateNotFoundError:
            aggregate = None
        if not isinstance(aggregate, kind) or not scope.sees(owner_of(aggregate)) or (
                isinstance(aggregate, Candidate)
                and not scope.sees_candidate(aggregate.client_id, bool(aggregate.presentations))):
            raise NotFound(f"no {kind.__name__.lower()} with id {aggregate_id}")
        if version is not None and aggregate.version != version:
            raise NotFound(f"{kind.__name__.lower()} {aggregate_id} has no version {version}")
        return aggregate

    def _version_at(self, kind: type[A], aggregate_id: UUID, as_of: datetime) -> int:
        """The last version recorded at or before `as_of`."""
        if as_of.tzinfo is None:
            raise InvalidValue("as_of must carry a time zone", "as_of")
        version = 0
        for event in self.events.get(aggregate_id):
            assert isinstance(event, HiringAggregate.Event)
            if event.timestamp > as_of:
                break
            version = event.originator_version
        if version == 0:
            raise NotFound(f"no {kind.__name__.lower()} with id {aggregate_id} at {as_of}")
        return version

    def _stamp(self, caller: Caller) -> Stamp:
        return Stamp(self.clock(), caller.actor, caller.request_id)


def _owner_recorded(first: HiringAggregate.Event) -> UUID | None:
    """The client an aggregate belongs to, from its first event."""
    if isinstance(first, Client.Registered):
        return first.originator_id
    owner = getattr(first, "client_id", None)
    return owner if isinstance(owner, UUID) else None


def replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """An aggregate from its events: eventsourcing's project_aggregate without its check of
    each event against a runtime Protocol (a third of the time to load a candidate on Python
    3.11); our stored events are HiringAggregate events, whose mutate does the work."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate

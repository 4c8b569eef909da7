"""Values of a candidacy: its id, its interviews, feedback and offers, and grade checks."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from uuid import UUID

from domain.base import Stamp
from domain.bounds import check_moment, out_of_range_salary
from domain.errors import InvalidValue
from domain.values import Grade, Role, Skill, normalise_email, optional_text


def candidate_id(key: bytes, position_id: UUID, email: str) -> UUID:
    """The same person (by email) for the same position always gets the same id.

    That makes "one candidacy per email per position" atomic: a second Contacted event
    for that id collides in the event store. The hash is keyed so that ids reveal no emails.
    """
    digest = hmac.new(key, f"{position_id}:{normalise_email(email)}".encode(), hashlib.sha256)
    raw = bytearray(digest.digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x80  # version 8: custom
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return UUID(bytes=bytes(raw))


@dataclass(frozen=True)
class Interview:
    scheduled_at: datetime
    interviewers: tuple[str, ...]
    location: str | None


@dataclass(frozen=True)
class Feedback:
    round: int
    interviewer: str
    rating: str
    notes: str | None


@dataclass(frozen=True)
class Offer:
    salary: Decimal
    currency: str
    start_date: date
    expires_at: datetime
    sent_at: datetime
    response: str | None = None  # "accepted" or "declined"
    response_reason: str | None = None

    def status(self, at: datetime) -> str:
        """One of OFFER_STATUSES: an unanswered offer past its expiry is expired."""
        if self.response is not None:
            return self.response
        return "expired" if at > self.expires_at else "open"


OFFER_STATUSES = ("open", "accepted", "declined", "expired")


@dataclass(frozen=True)
class Presentation:
    """What the client was shown of a candidate, and when, frozen as shown: the profile (the
    name), the recruiter's summary, the weighted score and the grade of each skill of the
    rubric revision the assessment used. Later changes do not alter it; showing the
    candidate again is a new presentation."""

    at: datetime
    name: str
    summary: str
    score: float | None
    grades: Mapping[str, str]
    rubric_revision: int
    skills: tuple[Skill, ...]


def answered(offer: Offer, response: str, reason: str | None) -> Offer:
    return replace(offer, response=response, response_reason=reason)


def check_grades(grades: Mapping[str, str], rubric: Iterable[Skill]) -> dict[str, str]:
    """Every rubric skill graded, no unknown skill, each grade on the scale."""
    names = [s.name for s in rubric]
    unknown = sorted(set(grades) - set(names))
    missing = [n for n in names if n not in grades]
    if unknown:
        raise InvalidValue(f"not skills of the rubric: {', '.join(unknown)}", "grades")
    if missing:
        raise InvalidValue(f"skills not graded: {', '.join(missing)}", "grades")
    valid = {g.value for g in Grade}
    for skill, grade in grades.items():
        if grade not in valid:
            raise InvalidValue(f"grade of {skill!r} must be one of {', '.join(sorted(valid))}",
                               "grades")
    return {n: grades[n] for n in names}


def person_at_client(by: Stamp, named: str | None, field: str, did: str) -> str:
    """Who at the client gave a client's step: a client's user themselves (or the colleague
    they name); when the agency records it on the client's behalf, the person it names."""
    person = optional_text(named, field, 200)
    if person:
        return person
    if by.actor.role == Role.CLIENT.value:
        return by.actor.name
    raise InvalidValue(f"{field} must name the person at the client who {did}: the step is "
                       "recorded on the client's behalf", field)


def salary_amount(salary: Decimal | str | int) -> Decimal:
    """An offer's salary, given exactly (no float), positive and storable."""
    if isinstance(salary, (bool, float)):
        raise InvalidValue("salary must be a whole or decimal number, given exactly", "salary")
    try:
        amount = Decimal(salary)
    except (InvalidOperation, TypeError, ValueError):
        raise InvalidValue("salary must be a number", "salary") from None
    problem = out_of_range_salary(amount)
    if problem is not None:
        raise InvalidValue(f"salary {problem}", "salary")
    return amount


def in_the_future(when: datetime, by: Stamp, field: str) -> datetime:
    """A due date or expiry, which must come after the command."""
    check_moment(when, field)
    if when <= by.at:
        raise InvalidValue(f"{field} must be in the future", field)
    return when

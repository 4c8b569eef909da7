"""Value objects of the hiring process: who acted, how candidates are graded, and against what."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum, StrEnum
from uuid import UUID

import idna

from domain import bounds
from domain.errors import InvalidValue


class Role(StrEnum):
    ADMIN = "admin"
    RECRUITER = "recruiter"
    CLIENT = "client"
    AUDITOR = "auditor"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who did it: recorded on every event so auditors never see a step without a name."""

    id: str
    name: str
    role: str
    client_id: UUID | None = None

    def __post_init__(self) -> None:
        if self.role not in {r.value for r in Role}:
            raise InvalidValue(f"unknown role {self.role!r}")
        if self.role == Role.CLIENT.value and self.client_id is None:
            raise InvalidValue("a client user must be bound to a client id")


class Grade(StrEnum):
    """The five-level scale (plus no_decision) used for assessments and interviews."""

    STRONG_NO = "strong_no"
    NO = "no"
    MIXED = "mixed"
    YES = "yes"
    STRONG_YES = "strong_yes"
    NO_DECISION = "no_decision"


GRADE_POINTS = {
    Grade.STRONG_NO: 0,
    Grade.NO: 1,
    Grade.MIXED: 2,
    Grade.YES: 3,
    Grade.STRONG_YES: 4,
}
FAILING_GRADES = {Grade.STRONG_NO, Grade.NO}


class Source(StrEnum):
    REFERRAL = "referral"
    SOURCED = "sourced"
    JOB_BOARD = "job_board"
    AGENCY_NETWORK = "agency_network"
    INBOUND = "inbound"
    OTHER = "other"


class AbandonReason(StrEnum):
    TOO_LONG = "too_long"
    SCHEDULE_CONFLICT = "schedule_conflict"
    NOT_REPRESENTATIVE = "not_representative"
    NO_RESPONSE = "no_response"
    OTHER = "other"


class Outcome(StrEnum):
    HIRE = "hire"
    REJECT = "reject"


class PositionStatus(StrEnum):
    OPEN = "open"
    ON_HOLD = "on_hold"
    FILLED = "filled"
    CLOSED = "closed"


@dataclass(frozen=True)
class Skill:
    """A beneficial skill of a position's rubric: its weight (1-5) and whether it is required."""

    name: str
    weight: int
    required: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InvalidValue("a skill needs a name")
        object.__setattr__(self, "name", bounds.check_text(self.name.strip(), "skills"))
        if isinstance(self.weight, bool) or not isinstance(self.weight, int):
            raise InvalidValue(f"weight of {self.name!r} must be a whole number")
        if not 1 <= self.weight <= 5:
            raise InvalidValue(f"weight of {self.name!r} must be 1 to 5, not {self.weight}")


def validate_rubric(skills: Iterable[Skill]) -> tuple[Skill, ...]:
    """A rubric has at least one skill and no skill twice (names compared case-insensitively)."""
    rubric = tuple(skills)
    if not rubric:
        raise InvalidValue("a rubric needs at least one skill")
    names = [s.name.strip().casefold() for s in rubric]
    if len(set(names)) != len(names):
        raise InvalidValue("a rubric lists a skill twice")
    return rubric


def parse_grade(value: str) -> Grade:
    try:
        return Grade(value)
    except ValueError:
        allowed = ", ".join(g.value for g in Grade)
        raise InvalidValue(f"unknown grade {value!r}; expected one of {allowed}") from None


def parse_choice(enum: type[Enum], value: str, what: str) -> str:
    """The enum's value for `value`, or an InvalidValue naming the allowed ones."""
    try:
        return str(enum(value).value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in enum)
        raise InvalidValue(f"unknown {what} {value!r}; expected one of {allowed}") from None


def weighted_score(grades: Mapping[str, str], rubric: Iterable[Skill]) -> float | None:
    """0-100 from the grades, weighted by the rubric; skills with no_decision do not count.

    None when no skill was graded at all: an unknown score is not a zero.
    """
    earned = possible = 0
    for skill in rubric:
        grade = Grade(grades[skill.name])
        if grade is Grade.NO_DECISION:
            continue
        earned += skill.weight * GRADE_POINTS[grade]
        possible += skill.weight * GRADE_POINTS[Grade.STRONG_YES]
    if possible == 0:
        return None
    exact = Decimal(100 * earned) / Decimal(possible)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))  # 6.25 -> 6.3


def failed_required_skills(grades: Mapping[str, str], rubric: Iterable[Skill]) -> tuple[str, ...]:
    """Required skills graded no or strong_no: flagged for the client, whatever the score."""
    return tuple(
        s.name for s in rubric if s.required and Grade(grades[s.name]) in FAILING_GRADES
    )


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    """An address as mail systems compare it, so that one mailbox is one candidate:
    surrounding blanks trimmed; Unicode compatibility forms folded (NFKC: the fullwidth
    letters of "ann" typed on an East Asian keyboard are "ann"); the local part lowercased;
    the domain in its internationalised (IDNA, UTS 46) ASCII form, so "bücher.example" and
    "xn--bcher-kva.example" are one domain. This is also the form that is stored."""
    text = unicodedata.normalize("NFKC", (email or "").strip())
    local, at, domain = text.rpartition("@")
    if not at or not local or not domain or len(text) > 254:
        raise InvalidValue(f"not an email address: {email!r}", "email")
    try:
        ascii_domain = idna.encode(domain, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise InvalidValue(f"not an email address: {email!r}", "email") from None
    normal = f"{local.lower()}@{ascii_domain.lower()}"
    if not _EMAIL.match(normal) or bounds.unstorable_text(normal):
        raise InvalidValue(f"not an email address: {email!r}", "email")
    return normal


def require_text(value: str, what: str, max_length: int = 10_000) -> str:
    """Stripped text that must not be empty (names, reasons, summaries)."""
    text = bounds.check_text((value or "").strip(), what)
    if not text:
        raise InvalidValue(f"{what} must not be empty")
    if len(text) > max_length:
        raise InvalidValue(f"{what} is longer than {max_length} characters")
    return text


def optional_text(value: str | None, what: str, max_length: int = 10_000) -> str | None:
    if value is None or not value.strip():
        return None
    return require_text(value, what, max_length)

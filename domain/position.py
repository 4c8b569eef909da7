"""Position: an opening of a client, with the skill rubric candidates are graded against."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from domain import bounds
from domain.base import HiringAggregate, Stamp
from domain.errors import IllegalStep, InvalidValue
from domain.values import PositionStatus, Skill, parse_choice, require_text, validate_rubric


def _check_headcount(headcount: int) -> int:
    if (isinstance(headcount, bool) or not isinstance(headcount, int)
            or not 1 <= headcount <= bounds.MAX_HEADCOUNT):
        raise InvalidValue(f"headcount must be a whole number from 1 to {bounds.MAX_HEADCOUNT}",
                           "headcount")
    return headcount


def _check_minutes(minutes: int) -> int:
    if (isinstance(minutes, bool) or not isinstance(minutes, int)
            or not 1 <= minutes <= bounds.MAX_ASSESSMENT_MINUTES):
        raise InvalidValue(
            f"assessment duration must be 1 to {bounds.MAX_ASSESSMENT_MINUTES} minutes")
    return minutes


class Position(HiringAggregate):
    """State: client_id, title, headcount, assessment_name, assessment_minutes, status, and
    rubrics (every revision, oldest first)."""

    if TYPE_CHECKING:  # declared for the type checker only: eventsourcing would make them fields
        client_id: UUID
        title: str
        headcount: int
        assessment_name: str
        assessment_minutes: int
        status: str
        rubrics: tuple[tuple[Skill, ...], ...]

    class Opened(HiringAggregate.Created):
        client_id: UUID
        title: str
        headcount: int
        skills: list[Skill]
        assessment_name: str
        assessment_minutes: int

        def apply(self, aggregate: Position) -> None:
            aggregate.client_id = self.client_id
            aggregate.title = self.title
            aggregate.headcount = self.headcount
            aggregate.assessment_name = self.assessment_name
            aggregate.assessment_minutes = self.assessment_minutes
            aggregate.status = PositionStatus.OPEN.value
            aggregate.rubrics = (tuple(self.skills),)

    class RubricRevised(HiringAggregate.Event):
        """A new numbered revision; earlier revisions are kept, grades name the one they used."""

        revision: int
        skills: list[Skill]

        def apply(self, aggregate: Position) -> None:
            aggregate.rubrics = (*aggregate.rubrics, tuple(self.skills))

    class StatusChanged(HiringAggregate.Event):
        status: str
        reason: str | None

        def apply(self, aggregate: Position) -> None:
            aggregate.status = self.status

    @classmethod
    def open(cls, *, client_id: UUID, title: str, headcount: int, skills: Iterable[Skill],
             assessment_name: str, assessment_minutes: int, by: Stamp,
             id: UUID | None = None) -> Position:
        return cls.start(
            cls.Opened, by, id=id or uuid4(),
            client_id=client_id, title=require_text(title, "title", 200),
            headcount=_check_headcount(headcount), skills=list(validate_rubric(skills)),
            assessment_name=require_text(assessment_name, "assessment name", 200),
            assessment_minutes=_check_minutes(assessment_minutes),
        )

    @property
    def rubric_revision(self) -> int:
        """Revisions are numbered from 1; the newest is the one new assessments use."""
        return len(self.rubrics)

    @property
    def rubric(self) -> tuple[Skill, ...]:
        return self.rubrics[-1]

    def rubric_at(self, revision: int) -> tuple[Skill, ...]:
        if not 1 <= revision <= len(self.rubrics):
            raise InvalidValue(f"position has no rubric revision {revision}")
        return self.rubrics[revision - 1]

    @property
    def is_open(self) -> bool:
        return self.status == PositionStatus.OPEN.value

    def revise_rubric(self, skills: Iterable[Skill], *, by: Stamp) -> None:
        if self.status == PositionStatus.CLOSED.value:
            raise IllegalStep("revise_rubric", f"position {self.status}", ["change_status"])
        self.record(self.RubricRevised, by,
                    revision=self.rubric_revision + 1, skills=list(validate_rubric(skills)))

    def change_status(self, status: str, *, by: Stamp, reason: str | None = None) -> None:
        status = parse_choice(PositionStatus, status, "position status")
        if status == self.status:
            raise InvalidValue(f"position is already {status}")
        self.record(self.StatusChanged, by, status=status,
                    reason=reason.strip() if reason and reason.strip() else None)

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
    """State: client_id, title, headcount, assessment_name, assessment_minutes, status,
    rubrics (every revision, oldest first) and placements (the candidates hired, in order)."""

    if TYPE_CHECKING:  # declared for the type checker only: eventsourcing would make them fields
        client_id: UUID
        title: str
        headcount: int
        assessment_name: str
        assessment_minutes: int
        status: str
        rubrics: tuple[tuple[Skill, ...], ...]
        placements: tuple[UUID, ...]

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
            aggregate.placements = ()

    class RubricRevised(HiringAggregate.Event):
        """A new numbered revision; earlier revisions are kept, grades name the one they used."""

        revision: int
        skills: list[Skill]

        def apply(self, aggregate: Position) -> None:
            aggregate.rubrics = (*aggregate.rubrics, tuple(self.skills))

    class PlacementRecorded(HiringAggregate.Event):
        """A candidate of the position was hired: recorded in the same transaction as the
        candidate's Hired, so the position counts its hires against its headcount."""

        candidate_id: UUID

        def apply(self, aggregate: Position) -> None:
            aggregate.placements = (*aggregate.placements, self.candidate_id)

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

    @property
    def is_filled(self) -> bool:
        return len(self.placements) >= self.headcount

    def record_placement(self, candidate_id: UUID, *, by: Stamp) -> None:
        """Count a hire; the hire that fills the headcount also marks the position filled
        (an open or on-hold one: it takes no new candidates). A hire beyond the headcount is
        the client's choice and is counted too."""
        if candidate_id in self.placements:
            raise InvalidValue(f"candidate {candidate_id} is already placed in this position")
        self.record(self.PlacementRecorded, by, candidate_id=candidate_id)
        if self.is_filled and self.status in (PositionStatus.OPEN, PositionStatus.ON_HOLD):
            self.record(self.StatusChanged, by, status=PositionStatus.FILLED.value,
                        reason=f"headcount of {self.headcount} filled")

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

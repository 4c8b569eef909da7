"""What a candidate may do next, and what follows from its facts: derived on every read,
never recorded, so they cannot drift from the events they come from. Candidate inherits
them (domain/candidate.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from domain.base import Stamp
from domain.candidacy import Interview, Offer, Presentation
from domain.errors import IllegalStep
from domain.stages import ALLOWED, CLOSED, OWED_A_NOTICE, Stage
from domain.values import Outcome, Skill, failed_required_skills, weighted_score


class CandidateRules:
    """The rules of the process that depend on more than the last event: the stage, time
    (an interview to come, an offer expired), a notice sent, grades to correct."""

    if TYPE_CHECKING:  # set by Candidate's events
        stage: str
        grades: dict[str, str] | None
        rubric: tuple[Skill, ...]
        interviews: tuple[Interview, ...]
        offer: Offer | None
        decision_sent_at: datetime | None
        presentations: tuple[Presentation, ...]

    @property
    def score(self) -> float | None:
        return weighted_score(self.grades, self.rubric) if self.grades else None

    @property
    def failed_required_skills(self) -> tuple[str, ...]:
        return failed_required_skills(self.grades, self.rubric) if self.grades else ()

    @property
    def owes_notice(self) -> bool:
        """Every candidate must be told the client's decision, also a negative one."""
        return Stage(self.stage) in OWED_A_NOTICE and self.decision_sent_at is None

    def offer_expired(self, at: datetime) -> bool:
        """An offer nobody answered before it expired: only a revised offer moves on."""
        return self.offer is not None and self.offer.status(at) == "expired"

    def interview_held(self, at: datetime) -> bool:
        """Whether the latest interview's time has come (feedback and a hire wait for it)."""
        return bool(self.interviews) and at >= self.interviews[-1].scheduled_at

    def allowed_steps(self, at: datetime) -> dict[str, dict[str, tuple[str, ...]]]:
        """Each command that would be accepted at `at`, with the only values an argument may
        take where not every value would be (before the final interview: decide to reject)."""
        stage = Stage(self.stage)
        allowed = list(ALLOWED[stage])
        if self.decision_sent_at is not None:  # told: neither told again nor reopened
            allowed = [c for c in allowed if c not in ("send_rejection", "reopen")]
        if stage is Stage.OFFERED:
            accepted = self.offer is not None and self.offer.response == "accepted"
            allowed.remove("respond_to_offer" if accepted else "hire")
            if self.offer_expired(at):
                allowed[allowed.index("respond_to_offer")] = "send_offer"
        if "record_interview_feedback" in allowed and not self.interview_held(at):
            allowed.remove("record_interview_feedback")
        if stage not in CLOSED:
            if self.grades is not None and stage is not Stage.ASSESSMENT_ASSIGNED:
                allowed.append("correct_assessment")
            allowed.append("withdraw")
        steps: dict[str, dict[str, tuple[str, ...]]] = {command: {} for command in allowed}
        if "decide" in steps and not (stage is Stage.INTERVIEWED and self.interview_held(at)):
            steps["decide"] = {"outcome": (Outcome.REJECT.value,)}
        return steps

    def allowed_commands(self, at: datetime) -> tuple[str, ...]:
        return tuple(self.allowed_steps(at))

    def _check(self, command: str, by: Stamp) -> None:
        steps = self.allowed_steps(by.at)
        if command not in steps:
            raise IllegalStep(command, self.stage, steps, self._why_not(command, by.at))

    def _why_not(self, command: str, at: datetime) -> str | None:
        """What stands in the way of a command its stage allows (a time, not the stage)."""
        if command not in ALLOWED[Stage(self.stage)]:
            return None
        if command == "record_interview_feedback" and not self.interview_held(at):
            return (f"the interview is at {self.interviews[-1].scheduled_at.isoformat()}; "
                    "feedback is recorded once it has taken place")
        if command == "respond_to_offer" and self.offer is not None and self.offer_expired(at):
            return (f"the offer expired at {self.offer.expires_at.isoformat()}; "
                    "a revised offer is the way on")
        return None

    @property
    def presentation(self) -> Presentation | None:
        """What the client was last shown (None: never presented)."""
        return self.presentations[-1] if self.presentations else None

"""Request bodies of the candidate steps: POST /candidates/{id}/<step>."""

from __future__ import annotations

from api.schemas.common import Strict
from api.schemas.fields import Choice, Day, Email, Flag, Items, Mapping, Moment, Money, Text
from domain.currencies import ISO_4217
from domain.values import AbandonReason, Grade, Outcome, Source

SCALE = [g.value for g in Grade]
RATINGS = [g.value for g in Grade if g is not Grade.NO_DECISION]
NAME = 200  # people's names, interviewers, skills


class ApplicationSchema(Strict):
    note = Text()


class AssessmentAssignmentSchema(Strict):
    due_at = Moment(required=True)


class AssessmentRescheduleSchema(Strict):
    due_at = Moment(required=True)
    reason = Text(required=True)


class AssessmentResultSchema(Strict):
    grades = Mapping(keys=Text(NAME), values=Choice(SCALE), max_items=50, required=True,
                     metadata={"description": "a grade for every skill of the rubric"})
    notes = Text()


class AbandonmentSchema(Strict):
    reason = Choice(AbandonReason, required=True)
    note = Text()


class RecommendationSchema(Strict):
    summary = Text(required=True)


class PresentationRequestSchema(Strict):
    summary = Text(metadata={"description": "a new summary for the client (default: the "
                                            "one last shown)"})


class AssessmentCorrectionSchema(Strict):
    grades = Mapping(keys=Text(NAME), values=Choice(SCALE), max_items=50, required=True,
                     metadata={"description": "the corrected grade of every skill of the "
                                              "rubric revision the assessment used"})
    reason = Text(required=True, metadata={"description": "why the grades were wrong"})


class ContactCorrectionSchema(Strict):
    name = Text(200)
    email = Email(metadata={"description": "compared and stored as mail systems compare it"})
    channel = Text(100)
    source = Choice(Source)
    reason = Text(required=True, metadata={"description": "why the details were wrong"})


class ReopeningSchema(Strict):
    reason = Text(required=True, metadata={"description": "why the decision or the "
                                                          "disqualification was an error"})


class DisqualificationSchema(Strict):
    reason = Text(required=True)


ON_BEHALF = ("the person at the client who {did}: required when the agency records the step "
             "on the client's behalf; a client's token defaults to its own name")


class InterviewRequestSchema(Strict):
    note = Text()
    requested_by = Text(200, metadata={"description": ON_BEHALF.format(
        did="asked for the interview")})


class InterviewScheduleSchema(Strict):
    scheduled_at = Moment(required=True)
    interviewers = Items(Text(NAME), min_items=1, max_items=20, required=True)
    location = Text(500)


class InterviewFeedbackSchema(Strict):
    interviewer = Text(NAME, required=True)
    rating = Choice(RATINGS, required=True)
    notes = Text()


class DecisionRequestSchema(Strict):
    outcome = Choice(Outcome, required=True)
    reason = Text(required=True)
    decided_by = Text(200, metadata={"description": ON_BEHALF.format(did="decided")})


class OfferSchema(Strict):
    salary = Money(required=True)
    currency = Choice(sorted(ISO_4217), required=True,
                      error="not an ISO 4217 currency code (EUR, USD...)")
    start_date = Day(required=True)
    expires_at = Moment(required=True)


class RejectionNoticeSchema(Strict):
    message = Text()


class OfferResponseSchema(Strict):
    accepted = Flag(required=True)
    reason = Text()


class PlacementSchema(Strict):
    start_date = Day(required=True)


class WithdrawalSchema(Strict):
    reason = Text(required=True)

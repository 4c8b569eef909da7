"""Request bodies of the candidate steps: POST /candidates/{id}/<step>."""

from __future__ import annotations

import marshmallow as ma

from api.schemas.common import Strict, StrictBoolean
from domain.currencies import ISO_4217
from domain.values import AbandonReason, Grade, Outcome

Text = ma.fields.String
SCALE = [g.value for g in Grade]
RATINGS = [g.value for g in Grade if g is not Grade.NO_DECISION]


def text(max_length: int = 10_000, **kwargs: object) -> ma.fields.String:
    return Text(validate=ma.validate.Length(min=1, max=max_length), **kwargs)  # type: ignore[arg-type]


class ApplicationSchema(Strict):
    note = text()


class AssessmentAssignmentSchema(Strict):
    due_at = ma.fields.AwareDateTime(required=True)


class AssessmentRescheduleSchema(Strict):
    due_at = ma.fields.AwareDateTime(required=True)
    reason = text(required=True)


class AssessmentResultSchema(Strict):
    grades = ma.fields.Dict(keys=ma.fields.String(), required=True,
                            values=ma.fields.String(validate=ma.validate.OneOf(SCALE)),
                            metadata={"description": "a grade for every skill of the rubric"})
    notes = text()


class AbandonmentSchema(Strict):
    reason = ma.fields.String(required=True, validate=ma.validate.OneOf(
        [r.value for r in AbandonReason]))
    note = text()


class RecommendationSchema(Strict):
    summary = text(required=True)


class DisqualificationSchema(Strict):
    reason = text(required=True)


class InterviewRequestSchema(Strict):
    note = text()


class InterviewScheduleSchema(Strict):
    scheduled_at = ma.fields.AwareDateTime(required=True)
    interviewers = ma.fields.List(text(200), required=True,
                                  validate=ma.validate.Length(min=1, max=20))
    location = text(500)


class InterviewFeedbackSchema(Strict):
    interviewer = text(200, required=True)
    rating = ma.fields.String(required=True, validate=ma.validate.OneOf(RATINGS))
    notes = text()


class DecisionRequestSchema(Strict):
    outcome = ma.fields.String(required=True,
                               validate=ma.validate.OneOf([o.value for o in Outcome]))
    reason = text(required=True)


class OfferSchema(Strict):
    salary = ma.fields.Decimal(required=True,
                               validate=ma.validate.Range(min=0, min_inclusive=False),
                               metadata={"minimum": 0, "exclusiveMinimum": True})
    currency = ma.fields.String(required=True, validate=ma.validate.OneOf(
        sorted(ISO_4217), error="not an ISO 4217 currency code (EUR, USD...)"))
    start_date = ma.fields.Date(required=True)
    expires_at = ma.fields.AwareDateTime(required=True)


class RejectionNoticeSchema(Strict):
    message = text()


class OfferResponseSchema(Strict):
    accepted = StrictBoolean(required=True)
    reason = text()


class PlacementSchema(Strict):
    start_date = ma.fields.Date(required=True)


class WithdrawalSchema(Strict):
    reason = text(required=True)

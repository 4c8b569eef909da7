"""Candidates: creation, their current state and their history."""

from __future__ import annotations

import marshmallow as ma

from api.schemas.common import Strict
from api.schemas.fields import Choice, Email, Id, Text
from domain.candidacy import OFFER_STATUSES
from domain.stages import Stage
from domain.values import Source


class CandidateCreateSchema(Strict):
    position_id = Id(required=True)
    name = Text(200, required=True)
    email = Email(required=True, metadata={
        "description": "compared and stored as mail systems compare it (see the README)"})
    source = Choice(Source, required=True)
    channel = Text(100, min_length=0)
    message = Text(min_length=0)


class AssessmentStateSchema(ma.Schema):
    name = ma.fields.String()
    duration_minutes = ma.fields.Integer()
    assigned_at = ma.fields.AwareDateTime()
    due_at = ma.fields.AwareDateTime()
    reschedules = ma.fields.Integer()


class FeedbackSchema(ma.Schema):
    interviewer = ma.fields.String()
    rating = ma.fields.String()
    notes = ma.fields.String(allow_none=True)


class InterviewSchema(ma.Schema):
    round = ma.fields.Integer()
    scheduled_at = ma.fields.AwareDateTime()
    interviewers = ma.fields.List(ma.fields.String())
    location = ma.fields.String(allow_none=True)
    feedback = ma.fields.List(ma.fields.Nested(FeedbackSchema))


class DecisionSchema(ma.Schema):
    outcome = ma.fields.String()
    reason = ma.fields.String()
    decided_by = ma.fields.String()
    decided_at = ma.fields.AwareDateTime()


class OfferStateSchema(ma.Schema):
    salary = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()
    start_date = ma.fields.Date()
    expires_at = ma.fields.AwareDateTime()
    sent_at = ma.fields.AwareDateTime()
    response = ma.fields.String(allow_none=True)
    response_reason = ma.fields.String(allow_none=True)
    status = ma.fields.String(validate=ma.validate.OneOf(OFFER_STATUSES), metadata={
        "description": "open (awaiting an answer), accepted, declined, or expired (not "
                       "answered in time: a revised offer is the way on)"})


class PresentedSchema(ma.Schema):
    """What the client was last shown of the candidate, frozen as shown."""

    presented_at = ma.fields.AwareDateTime(required=True)
    name = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    score = ma.fields.Float(allow_none=True, metadata={"description": "weighted 0-100"})
    grades = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    rubric_revision = ma.fields.Integer()
    skills = ma.fields.List(ma.fields.Dict())
    failed_required_skills = ma.fields.List(ma.fields.String())


STAFF_ONLY = "staff and auditors only (a client's token is shown what was presented to it)"


class CandidateSchema(ma.Schema):
    """A client's token sees only candidates presented to it, and of them only: id, version,
    position_id, client_id, name, stage, stage_since, start_date, presentation, its own
    allowed steps, interviews (ratings without notes), decision (without the reason) and
    offer (without the candidate's reason)."""

    id = ma.fields.UUID(required=True)
    version = ma.fields.Integer(required=True)
    position_id = ma.fields.UUID(required=True)
    client_id = ma.fields.UUID(required=True)
    name = ma.fields.String(required=True)
    email = ma.fields.String(metadata={"description": STAFF_ONLY})
    source = ma.fields.String(metadata={"description": STAFF_ONLY})
    channel = ma.fields.String(allow_none=True, metadata={"description": STAFF_ONLY})
    stage = ma.fields.String(required=True, validate=ma.validate.OneOf([s.value for s in Stage]))
    stage_since = ma.fields.AwareDateTime(required=True)
    allowed_steps = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "the steps that would be accepted now"})
    allowed_arguments = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String())),
        required=True, metadata={"description": "for an allowed step that accepts only some "
                                                "values of an argument, those values"})
    assessment = ma.fields.Nested(AssessmentStateSchema, allow_none=True)
    grades = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), allow_none=True)
    rubric_revision = ma.fields.Integer(allow_none=True)
    score = ma.fields.Float(allow_none=True, metadata={"description": "weighted 0-100"})
    failed_required_skills = ma.fields.List(ma.fields.String())
    interviews = ma.fields.List(ma.fields.Nested(InterviewSchema))
    decision = ma.fields.Nested(DecisionSchema, allow_none=True)
    offer = ma.fields.Nested(OfferStateSchema, allow_none=True)
    decision_sent_at = ma.fields.AwareDateTime(allow_none=True, metadata={
        "description": "when the candidate was told a negative outcome"})
    start_date = ma.fields.Date(allow_none=True)
    reasons = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(),
                             metadata={"description": STAFF_ONLY})
    presentation = ma.fields.Nested(PresentedSchema, allow_none=True, metadata={
        "description": "what the client was last shown (null: not presented yet)"})
    created_at = ma.fields.AwareDateTime(metadata={"description": STAFF_ONLY})
    updated_at = ma.fields.AwareDateTime(metadata={"description": STAFF_ONLY})


class ActorSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()
    client_id = ma.fields.UUID(allow_none=True)


class HistoryEventSchema(ma.Schema):
    type = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True)
    recorded_at = ma.fields.AwareDateTime(required=True)
    actor = ma.fields.Nested(ActorSchema, required=True)
    request_id = ma.fields.String(allow_none=True)
    seal = ma.fields.String(allow_none=True, metadata={
        "description": "SHA-256 chaining this event to its aggregate's previous one "
                       "(GET /audit/verify recomputes it)"})
    data = ma.fields.Dict(required=True)

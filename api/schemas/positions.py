"""Positions: a client's openings, their skill rubric (with revisions) and assessment."""

from __future__ import annotations

import marshmallow as ma

from api.schemas.common import Strict, StrictBoolean
from domain.values import PositionStatus


class SkillSchema(Strict):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    weight = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(1, 5))
    required = StrictBoolean(required=True)


class AssessmentSchema(Strict):
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    duration_minutes = ma.fields.Integer(required=True, strict=True,
                                         validate=ma.validate.Range(1, 10080))


class PositionCreateSchema(Strict):
    client_id = ma.fields.UUID(required=True)
    title = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    headcount = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=1))
    skills = ma.fields.List(ma.fields.Nested(SkillSchema), required=True,
                            validate=ma.validate.Length(min=1, max=50))
    assessment = ma.fields.Nested(AssessmentSchema, required=True)


class RubricRevisionSchema(Strict):
    skills = ma.fields.List(ma.fields.Nested(SkillSchema), required=True,
                            validate=ma.validate.Length(min=1, max=50))


class StatusChangeSchema(Strict):
    status = ma.fields.String(required=True,
                              validate=ma.validate.OneOf([s.value for s in PositionStatus]))
    reason = ma.fields.String(validate=ma.validate.Length(max=2000))


class RubricSchema(ma.Schema):
    revision = ma.fields.Integer(required=True)
    skills = ma.fields.List(ma.fields.Nested(SkillSchema), required=True)


class PositionSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    version = ma.fields.Integer(required=True)
    client_id = ma.fields.UUID(required=True)
    title = ma.fields.String(required=True)
    headcount = ma.fields.Integer(required=True)
    status = ma.fields.String(required=True)
    assessment = ma.fields.Nested(AssessmentSchema, required=True)
    rubric_revision = ma.fields.Integer(required=True)
    skills = ma.fields.List(ma.fields.Nested(SkillSchema), required=True,
                            metadata={"description": "the current rubric"})
    rubrics = ma.fields.List(ma.fields.Nested(RubricSchema), required=True,
                             metadata={"description": "every revision, oldest first"})
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)

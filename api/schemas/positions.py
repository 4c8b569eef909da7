"""Positions: a client's openings, their skill rubric (with revisions) and assessment."""

from __future__ import annotations

import marshmallow as ma

from api.schemas.common import Strict
from api.schemas.fields import Choice, Count, Flag, Id, Items, Object, Text
from domain import bounds
from domain.values import PositionStatus


class SkillSchema(Strict):
    name = Text(200, required=True)
    weight = Count(1, 5, required=True)
    required = Flag(required=True)


class AssessmentSchema(Strict):
    name = Text(200, required=True)
    duration_minutes = Count(1, bounds.MAX_ASSESSMENT_MINUTES, required=True)


class PositionCreateSchema(Strict):
    client_id = Id(required=True)
    title = Text(200, required=True)
    headcount = Count(1, bounds.MAX_HEADCOUNT, required=True)
    skills = Items(Object(SkillSchema), min_items=1, max_items=50, required=True)
    assessment = Object(AssessmentSchema, required=True)


class RubricRevisionSchema(Strict):
    skills = Items(Object(SkillSchema), min_items=1, max_items=50, required=True)


class StatusChangeSchema(Strict):
    status = Choice(PositionStatus, required=True)
    reason = Text(2000, min_length=0)


class RubricSchema(ma.Schema):
    revision = ma.fields.Integer(required=True)
    skills = ma.fields.List(ma.fields.Nested(SkillSchema), required=True)


class PositionSchema(ma.Schema):
    id = ma.fields.UUID(required=True)
    version = ma.fields.Integer(required=True)
    client_id = ma.fields.UUID(required=True)
    title = ma.fields.String(required=True)
    headcount = ma.fields.Integer(required=True)
    hires = ma.fields.Integer(required=True, metadata={
        "description": "candidates hired into the position; when they reach the headcount "
                       "the position is filled"})
    status = ma.fields.String(required=True)
    assessment = ma.fields.Nested(AssessmentSchema, required=True)
    rubric_revision = ma.fields.Integer(required=True)
    skills = ma.fields.List(ma.fields.Nested(SkillSchema), required=True,
                            metadata={"description": "the current rubric"})
    rubrics = ma.fields.List(ma.fields.Nested(RubricSchema), required=True,
                             metadata={"description": "every revision, oldest first"})
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)

"""Schemas shared by every resource: problems and command receipts."""

from __future__ import annotations

import marshmallow as ma

from api.schemas.fields import Moment, QueryCount
from domain import bounds


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String(required=True)
    errors = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "validation errors: one {pointer, detail} per bad field"})
    stage = ma.fields.String(metadata={"description": "illegal-step: the current stage"})
    allowed_steps = ma.fields.List(ma.fields.String(), metadata={
        "description": "illegal-step: the steps that would be accepted now"})
    allowed_arguments = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.List(ma.fields.String())),
        metadata={"description": "illegal-step: for an allowed step that accepts only some "
                                 "values of an argument, those values (e.g. decision: "
                                 "{outcome: [reject]} before the final interview)"})
    current_version = ma.fields.Integer()


class ReceiptSchema(ma.Schema):
    """What a command answers: the new version and the event's place in the global log."""

    id = ma.fields.UUID(required=True)
    version = ma.fields.Integer(required=True)
    position = ma.fields.Integer(required=True, metadata={
        "description": "the event's position in the global log (for read-your-writes)"})


class CandidateReceiptSchema(ReceiptSchema):
    stage = ma.fields.String(required=True)


class VersionQuerySchema(ma.Schema):
    """Time travel: the state as it stood at a version, or at a time."""

    version = QueryCount(1, bounds.MAX_VERSION, metadata={
        "description": "the state as it stood at this version"})
    as_of = Moment(metadata={"description": "the state as it stood at this time"})

    @ma.validates_schema
    def one_of_them(self, data: dict, **_: object) -> None:
        if "version" in data and "as_of" in data:
            raise ma.ValidationError("give version or as_of, not both", field_name="as_of")


class Strict(ma.Schema):
    """Request bodies: unknown fields are refused (422)."""

    class Meta:
        unknown = ma.RAISE

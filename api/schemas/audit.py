"""The global event log, as auditors page through it."""

from __future__ import annotations

import marshmallow as ma

from api.schemas.candidates import HistoryEventSchema
from api.schemas.fields import Choice, Id, Moment, QueryCount, Text
from domain import bounds

AGGREGATE_TYPES = ("client", "position", "candidate")


class AuditQuerySchema(ma.Schema):
    after = QueryCount(0, bounds.MAX_INT64 - 1, load_default=0, metadata={
        "description": "the position to read after (a previous answer's `next`)"})
    limit = QueryCount(1, 1000, load_default=100)
    aggregate_type = Choice(AGGREGATE_TYPES)
    event_type = Text(100, metadata={"description": "an event class, e.g. Assessed"})
    actor = Text(200, metadata={"description": "an actor id (token id)"})
    from_ = Moment(data_key="from")
    to = Moment()


class LogEventSchema(HistoryEventSchema):
    position = ma.fields.Integer(required=True)
    aggregate_type = ma.fields.String(required=True)
    aggregate_id = ma.fields.UUID(required=True)


class LogPageSchema(ma.Schema):
    events = ma.fields.List(ma.fields.Nested(LogEventSchema))
    next = ma.fields.Integer(allow_none=True, metadata={
        "description": "pass as ?after= for the next page; null once the log is read to its "
                       "end (new events come after `last_position`)"})
    last_position = ma.fields.Integer(metadata={"description": "the last position read"})


class VerifyQuerySchema(ma.Schema):
    aggregate_id = Id(metadata={"description": "check one aggregate only"})


class BrokenLinkSchema(ma.Schema):
    aggregate_id = ma.fields.UUID(required=True)
    aggregate_type = ma.fields.String(required=True)
    version = ma.fields.Integer(required=True, metadata={"description": "the event's version"})
    position = ma.fields.Integer(required=True, metadata={
        "description": "its place in the log (0 when one aggregate was checked)"})
    problem = ma.fields.String(required=True)
    expected = ma.fields.String(required=True)
    found = ma.fields.String(required=True)


class VerificationSchema(ma.Schema):
    ok = ma.fields.Boolean(required=True, metadata={"description": "no chain is broken"})
    events = ma.fields.Integer(required=True, metadata={"description": "events checked"})
    aggregates = ma.fields.Integer(required=True)
    last_position = ma.fields.Integer(required=True)
    unsealed = ma.fields.Integer(required=True, metadata={
        "description": "events recorded before sealing began (a log older than seals): they "
                       "carry no seal and are not tamper-evident"})
    broken = ma.fields.List(ma.fields.Nested(BrokenLinkSchema), required=True, metadata={
        "description": "the first broken link of each aggregate whose chain is broken"})

"""Reads of candidate data (by client and auditor tokens), as admins page through them."""

from __future__ import annotations

import marshmallow as ma

from api.schemas.fields import Id, Moment, QueryCount, Text
from audit.recorded_reads import MAX_LIMIT
from domain import bounds

READ_KINDS = ("candidate", "history", "list", "pipeline", "shortlist", "dashboard",
              "notices_due", "recruiters_report", "compliance", "audit_events")


class ReadsQuerySchema(ma.Schema):
    after = QueryCount(0, bounds.MAX_INT64 - 1, load_default=0, metadata={
        "description": "the read id to continue after (a previous answer's `next`)"})
    limit = QueryCount(1, MAX_LIMIT, load_default=100)
    actor = Text(200, metadata={"description": "a reader's token id"})
    candidate_id = Id()
    from_ = Moment(data_key="from", metadata={"description": "read at or after this time"})
    to = Moment(metadata={"description": "read before this time"})


class ReaderSchema(ma.Schema):
    id = ma.fields.String(required=True, metadata={"description": "the token id"})
    name = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    client_id = ma.fields.UUID(allow_none=True)


class CandidateReadSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    at = ma.fields.AwareDateTime(required=True)
    actor = ma.fields.Nested(ReaderSchema, required=True)
    candidate_id = ma.fields.String(required=True)
    what = ma.fields.String(required=True, metadata={
        "description": f"what was read: one of {', '.join(READ_KINDS)}"})
    request_id = ma.fields.String(required=True)
    endpoint = ma.fields.String(required=True, metadata={
        "description": "method and path of the request, e.g. GET /api/v1/candidates/{id}"})


class ReadsPageSchema(ma.Schema):
    reads = ma.fields.List(ma.fields.Nested(CandidateReadSchema))
    next = ma.fields.Integer(allow_none=True, metadata={
        "description": "pass as ?after= for the next page; null on the last page"})

"""Reads of candidate data (by client and auditor tokens), as admins page through them."""

from __future__ import annotations

import marshmallow as ma

from hirelog.read_audit import MAX_LIMIT

READ_KINDS = ("candidate", "history", "list", "pipeline", "shortlist", "dashboard",
              "notices_due", "recruiters_report", "compliance", "audit_events")


class ReadsQuerySchema(ma.Schema):
    after = ma.fields.Integer(load_default=0, validate=ma.validate.Range(min=0), metadata={
        "description": "the read id to continue after (a previous answer's `next`)"})
    limit = ma.fields.Integer(load_default=100,
                              validate=ma.validate.Range(min=1, max=MAX_LIMIT))
    actor = ma.fields.String(validate=ma.validate.Length(min=1, max=200),
                             metadata={"description": "a reader's token id"})
    candidate_id = ma.fields.UUID()
    from_ = ma.fields.AwareDateTime(data_key="from",
                                    metadata={"description": "read at or after this time"})
    to = ma.fields.AwareDateTime(metadata={"description": "read before this time"})


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

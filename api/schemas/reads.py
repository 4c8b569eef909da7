"""Read model answers and their query parameters."""

from __future__ import annotations

import marshmallow as ma

from api.schemas.fields import Choice, Id, QueryCount, Text
from domain import bounds
from domain.stages import Stage
from domain.values import PositionStatus, Source


class ReadQuerySchema(ma.Schema):
    min_position = QueryCount(0, bounds.MAX_INT64, metadata={
        "description": "wait until the read model has processed the log up to this position "
                       "(a command's `position`), else 503"})


class ShortlistQuerySchema(ReadQuerySchema):
    show = Choice(("in_process", "all"), load_default="in_process", metadata={
        "description": "`in_process` (default): the candidates still in the process; `all`: "
                       "also those whose process is over (hired, rejected, withdrawn, "
                       "disqualified, abandoned)"})


class PagedQuerySchema(ReadQuerySchema):
    cursor = Text(2000, min_length=0)
    limit = QueryCount(1, 200, load_default=50)


class PageSchema(ma.Schema):
    next_cursor = ma.fields.String(allow_none=True, metadata={
        "description": "pass as ?cursor= for the next page; null on the last page"})


class CandidateListQuerySchema(PagedQuerySchema):
    position_id = Id()
    client_id = Id()
    stage = Choice(Stage)
    source = Choice(Source)
    q = Text(200, metadata={"description": "part of the name or email"})
    cursor = Text(100, min_length=0)  # a log position: shorter than the others' cursors


class CandidateSummarySchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    email = ma.fields.String(metadata={"description": "staff and auditors only"})
    position_id = ma.fields.String()
    client_id = ma.fields.String()
    source = ma.fields.String(metadata={"description": "staff and auditors only"})
    stage = ma.fields.String()
    stage_since = ma.fields.AwareDateTime()
    days_in_stage = ma.fields.Integer()
    score = ma.fields.Float(allow_none=True)
    failed_required_skills = ma.fields.List(ma.fields.String())
    last_activity = ma.fields.AwareDateTime()


class CandidatePageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(CandidateSummarySchema))


class StageGroupSchema(ma.Schema):
    stage = ma.fields.String()
    count = ma.fields.Integer()
    candidates = ma.fields.List(ma.fields.Nested(CandidateSummarySchema))


class PipelineSchema(ma.Schema):
    position_id = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.String()
    stages = ma.fields.List(ma.fields.Nested(StageGroupSchema))


class GradedSkillSchema(ma.Schema):
    name = ma.fields.String()
    weight = ma.fields.Integer()
    required = ma.fields.Boolean()
    grade = ma.fields.String()


class ShortlistEntrySchema(ma.Schema):
    rank = ma.fields.Integer()
    candidate_id = ma.fields.String()
    name = ma.fields.String()
    stage = ma.fields.String()
    score = ma.fields.Float(allow_none=True)
    rubric_revision = ma.fields.Integer()
    grades = ma.fields.List(ma.fields.Nested(GradedSkillSchema))
    failed_required_skills = ma.fields.List(ma.fields.String())
    summary = ma.fields.String()
    recommended_at = ma.fields.AwareDateTime()


class ShortlistSchema(ma.Schema):
    position_id = ma.fields.String()
    candidates = ma.fields.List(ma.fields.Nested(ShortlistEntrySchema))


class PositionCountsSchema(ma.Schema):
    position_id = ma.fields.String()
    title = ma.fields.String()
    counts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class UpcomingInterviewSchema(CandidateSummarySchema):
    interview_at = ma.fields.AwareDateTime()


class PendingOfferSchema(CandidateSummarySchema):
    offer_expires_at = ma.fields.AwareDateTime()


class DashboardSchema(ma.Schema):
    client_id = ma.fields.String()
    open_positions = ma.fields.List(ma.fields.Nested(PositionCountsSchema))
    interviews_next_14_days = ma.fields.List(ma.fields.Nested(UpcomingInterviewSchema))
    picks_owed = ma.fields.List(ma.fields.Nested(CandidateSummarySchema), metadata={
        "description": "recommended candidates the client has not picked or rejected yet"})
    decisions_owed = ma.fields.List(ma.fields.Nested(CandidateSummarySchema), metadata={
        "description": "interviewed candidates awaiting the client's decision"})
    offers_awaiting_answer = ma.fields.List(ma.fields.Nested(PendingOfferSchema), metadata={
        "description": "offers sent, not answered, not expired"})
    offers_expired = ma.fields.List(ma.fields.Nested(PendingOfferSchema), metadata={
        "description": "offers not answered before they expired: a revised offer is the way "
                       "on"})


class NoticeDueSchema(CandidateSummarySchema):
    waiting_days = ma.fields.Float()


class OverdueSchema(CandidateSummarySchema):
    overdue = ma.fields.String()


class RecruiterReportSchema(ma.Schema):
    recruiter_id = ma.fields.String()
    recruiter = ma.fields.String()
    open_candidates = ma.fields.Integer()
    overdue = ma.fields.List(ma.fields.Nested(OverdueSchema))


class ClientListQuerySchema(PagedQuerySchema):
    q = Text(200, metadata={"description": "part of the name (case-insensitive)"})


class PositionListQuerySchema(PagedQuerySchema):
    client_id = Id()
    status = Choice(PositionStatus)
    q = Text(200, metadata={"description": "part of the title (case-insensitive)"})


class ClientSummarySchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()


class ClientPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(ClientSummarySchema))


class PositionSummarySchema(ma.Schema):
    id = ma.fields.String()
    client_id = ma.fields.String()
    title = ma.fields.String()
    status = ma.fields.String()
    headcount = ma.fields.Integer()
    assessment_name = ma.fields.String()
    assessment_minutes = ma.fields.Integer()
    rubric_revision = ma.fields.Integer()
    opened_at = ma.fields.AwareDateTime()


class PositionPageSchema(PageSchema):
    items = ma.fields.List(ma.fields.Nested(PositionSummarySchema))

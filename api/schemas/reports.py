"""The funnel and assessments reports and their query parameters."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from api.schemas.candidates import ActorSchema
from api.schemas.fields import Id, Moment
from api.schemas.reads import ReadQuerySchema
from projections.funnel_queries import DROPS


class FunnelQuerySchema(ReadQuerySchema):
    client_id = Id()
    position_id = Id()
    start = Moment(data_key="from", metadata={
        "description": "count the visits that entered a stage (and hires made) at or after "
                       "this time"})
    end = Moment(data_key="to", metadata={"description": "... and before this time"})

    @ma.validates_schema
    def _start_before_end(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "start" in data and "end" in data and data["start"] >= data["end"]:
            raise ma.ValidationError("`from` must be before `to`", "to")


class NoticesQuerySchema(ReadQuerySchema):
    client_id = Id()


class AssessmentsQuerySchema(ReadQuerySchema):
    client_id = Id()
    position_id = Id()


class FunnelStageSchema(ma.Schema):
    stage = ma.fields.String()
    final = ma.fields.Boolean(metadata={"description": "the process ends here: never left"})
    entered = ma.fields.Integer(metadata={"description": "visits that entered the stage"})
    passed_on = ma.fields.Integer(metadata={
        "description": "left to a later stage that is not a drop"})
    dropped = ma.fields.Integer(metadata={
        "description": "left to abandoned, disqualified, rejected or withdrawn"})
    dropped_by = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), metadata={
        "description": "per kind of drop: " + ", ".join(DROPS)})
    went_back = ma.fields.Integer(metadata={
        "description": "left to an earlier stage (a second interview round, a new offer)"})
    still_in = ma.fields.Integer()
    pass_through_rate = ma.fields.Float(allow_none=True, metadata={
        "description": "passed_on / entered; null when none entered"})
    median_hours = ma.fields.Float(allow_none=True, metadata={
        "description": "time in the stage of the visits that left it"})
    p90_hours = ma.fields.Float(allow_none=True, metadata={
        "description": "90th percentile, linear interpolation between closest ranks"})
    left_to = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(), metadata={
        "description": "how many visits left to each next stage"})


class TimeToHireSchema(ma.Schema):
    hires = ma.fields.Integer()
    median_days = ma.fields.Float(allow_none=True)
    p90_days = ma.fields.Float(allow_none=True)


class FunnelSchema(ma.Schema):
    stages = ma.fields.List(ma.fields.Nested(FunnelStageSchema), metadata={
        "description": "every stage, in process order"})
    time_to_hire = ma.fields.Nested(TimeToHireSchema, metadata={
        "description": "first contact to hire, for the hires made in the period"})
    hires_by_source = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class AssessmentCountsSchema(ma.Schema):
    assigned = ma.fields.Integer()
    pending = ma.fields.Integer()
    completed = ma.fields.Integer()
    abandoned = ma.fields.Integer()
    withdrawn = ma.fields.Integer()
    abandonment_rate = ma.fields.Float(allow_none=True, metadata={
        "description": "abandoned / (completed + abandoned); null when neither"})


class DurationBandSchema(AssessmentCountsSchema):
    band = ma.fields.String()
    min_minutes = ma.fields.Integer()
    max_minutes = ma.fields.Integer(allow_none=True, metadata={"description": "null: no limit"})


class AbandonReasonShareSchema(ma.Schema):
    reason = ma.fields.String()
    abandoned = ma.fields.Integer()
    share = ma.fields.Float(allow_none=True, metadata={
        "description": "of all abandoned assessments; null when none was abandoned"})


class CompletionTimeSchema(ma.Schema):
    completed = ma.fields.Integer()
    median_hours = ma.fields.Float(allow_none=True, metadata={
        "description": "assigned to assessed"})
    p90_hours = ma.fields.Float(allow_none=True)


class ReschedulesSchema(ma.Schema):
    total = ma.fields.Integer()
    assessments_rescheduled = ma.fields.Integer()


class AssessmentReportSchema(ma.Schema):
    overall = ma.fields.Nested(AssessmentCountsSchema)
    by_duration = ma.fields.List(ma.fields.Nested(DurationBandSchema))
    by_reason = ma.fields.List(ma.fields.Nested(AbandonReasonShareSchema))
    completion_time = ma.fields.Nested(CompletionTimeSchema)
    reschedules = ma.fields.Nested(ReschedulesSchema)


# --- compliance ---

class ComplianceQuerySchema(FunnelQuerySchema):
    """client_id, position_id, from < to (else 422), min_position: as the funnel's."""

    start = Moment(data_key="from", metadata={
        "description": "outcomes and client steps that happened at or after this time"})
    end = Moment(data_key="to", metadata={"description": "... and before this time"})


class ComplianceSubjectSchema(ma.Schema):
    candidate_id = ma.fields.String()
    candidate_name = ma.fields.String()
    position_id = ma.fields.String()
    position_title = ma.fields.String()
    client_id = ma.fields.String()
    client_name = ma.fields.String()
    at = ma.fields.AwareDateTime()
    log_position = ma.fields.Integer(metadata={"description": "the event's place in the log"})
    actor = ma.fields.Nested(ActorSchema, metadata={"description": "who recorded it"})
    taken_by = ma.fields.String(metadata={
        "description": "client: a client user took it; recruiter_on_behalf: staff recorded it"})


class ComplianceOutcomeSchema(ComplianceSubjectSchema):
    kind = ma.fields.String(metadata={
        "description": "hire_decided, rejected (decided no hire), disqualified or abandoned"})
    reason = ma.fields.String(allow_none=True)
    decided_by = ma.fields.String(allow_none=True, metadata={
        "description": "decisions: who decided, as recorded"})
    told = ma.fields.Boolean()
    told_at = ma.fields.AwareDateTime(allow_none=True)
    told_via = ma.fields.String(allow_none=True, metadata={
        "description": "offer (a hire decision) or rejection_notice; null: not told"})
    told_by = ma.fields.Nested(ActorSchema, allow_none=True)
    days_to_tell = ma.fields.Float(allow_none=True)
    status = ma.fields.String(metadata={
        "description": "told, owed (not told yet) or withdrawn (withdrew before being told)"})
    days_waiting = ma.fields.Float(allow_none=True, metadata={"description": "owed: so far"})
    late = ma.fields.Boolean(metadata={
        "description": "told after more than notice_days, or owed for more than that"})
    withdrawn_at = ma.fields.AwareDateTime(allow_none=True)


class ComplianceStepSchema(ComplianceSubjectSchema):
    step = ma.fields.String(metadata={
        "description": "interview-request, interview/feedback or decision"})
    event = ma.fields.String()
    outcome = ma.fields.String(allow_none=True, metadata={"description": "decisions"})
    interview_round = ma.fields.Integer(allow_none=True, metadata={"description": "feedback"})
    interviewer = ma.fields.String(allow_none=True)
    rating = ma.fields.String(allow_none=True)


class OutcomeTotalsSchema(ma.Schema):
    total = ma.fields.Integer()
    told = ma.fields.Integer()
    owed = ma.fields.Integer()
    withdrawn = ma.fields.Integer()
    told_late = ma.fields.Integer()
    overdue = ma.fields.Integer(metadata={"description": "owed for more than notice_days"})
    by_kind = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    median_days_to_tell = ma.fields.Float(allow_none=True)


class StepTotalsSchema(ma.Schema):
    total = ma.fields.Integer()
    client = ma.fields.Integer()
    recruiter_on_behalf = ma.fields.Integer()
    by_step = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Integer()))


class ComplianceTotalsSchema(ma.Schema):
    outcomes = ma.fields.Nested(OutcomeTotalsSchema)
    client_steps = ma.fields.Nested(StepTotalsSchema)


class ComplianceSchema(ma.Schema):
    start = ma.fields.AwareDateTime(data_key="from", allow_none=True)
    end = ma.fields.AwareDateTime(data_key="to", allow_none=True)
    as_of = ma.fields.AwareDateTime(metadata={"description": "days_waiting is counted to"})
    notice_days = ma.fields.Integer()
    outcomes = ma.fields.List(ma.fields.Nested(ComplianceOutcomeSchema))
    client_steps = ma.fields.List(ma.fields.Nested(ComplianceStepSchema))
    totals = ma.fields.Nested(ComplianceTotalsSchema)

"""The funnel and assessments reports and their query parameters."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from api.schemas.reads import ReadQuerySchema
from projections.funnel import DROPS


class FunnelQuerySchema(ReadQuerySchema):
    client_id = ma.fields.UUID()
    position_id = ma.fields.UUID()
    start = ma.fields.AwareDateTime(data_key="from", metadata={
        "description": "count the visits that entered a stage (and hires made) at or after "
                       "this time"})
    end = ma.fields.AwareDateTime(data_key="to", metadata={
        "description": "... and before this time"})

    @ma.validates_schema
    def _start_before_end(self, data: dict[str, Any], **kwargs: Any) -> None:
        if "start" in data and "end" in data and data["start"] >= data["end"]:
            raise ma.ValidationError("`from` must be before `to`", "to")


class AssessmentsQuerySchema(ReadQuerySchema):
    client_id = ma.fields.UUID()
    position_id = ma.fields.UUID()


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

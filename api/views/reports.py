"""Reports for the agency: funnel, assessments, notices still owed, recruiters' workload,
compliance. A client token sees its own client's figures only (the read models' scope)."""

from __future__ import annotations

from flask_smorest import Blueprint

from api.consistency import read_model
from api.schemas.reads import NoticeDueSchema, ReadQuerySchema, RecruiterReportSchema
from api.schemas.reports import (
    AssessmentReportSchema,
    AssessmentsQuerySchema,
    ComplianceQuerySchema,
    ComplianceSchema,
    FunnelQuerySchema,
    FunnelSchema,
    NoticesQuerySchema,
)
from api.security import ALL_ROLES, allow
from api.services import recruitment
from audit.compliance_queries import compliance
from projections.assessments_queries import assessment_report
from projections.candidates_queries import notices_due, recruiters
from projections.funnel_queries import funnel

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports",
                description="Where candidates drop out, how long stages take, who is owed what")
STAFF_AND_AUDITORS = ("admin", "recruiter", "auditor")
ANOTHER_CLIENTS = "a client token asked for another client's (client_id)"


@blp.route("/notices-due")
@allow(*ALL_ROLES)
@blp.arguments(NoticesQuerySchema, location="query")
@blp.response(200, NoticeDueSchema(many=True))
@blp.alt_response(404, response="NOT_FOUND", description=ANOTHER_CLIENTS)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def notices_still_due(query: dict) -> list:
    """Candidates the process ended for (abandoned, disqualified, rejected) who have not been
    told yet, longest wait first: the seed requires every candidate to be told."""
    with read_model("candidates", query.get("min_position")) as view:
        return notices_due(view, recruitment().clock(), _text(query.get("client_id")))


@blp.route("/recruiters")
@allow(*STAFF_AND_AUDITORS)
@blp.arguments(ReadQuerySchema, location="query")
@blp.response(200, RecruiterReportSchema(many=True))
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def recruiters_report(query: dict) -> list:
    """Per recruiter (who made the first contact): open candidates and overdue steps
    (assessment past due, interview without feedback, offer expired, notice owed 3 days)."""
    with read_model("candidates", query.get("min_position")) as view:
        return recruiters(view, recruitment().clock())


@blp.route("/funnel")
@allow(*ALL_ROLES)
@blp.arguments(FunnelQuerySchema, location="query")
@blp.response(200, FunnelSchema)
@blp.alt_response(404, response="NOT_FOUND", description=ANOTHER_CLIENTS)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def funnel_report(query: dict) -> dict:
    """Per stage in process order: entered, passed on, dropped (abandoned, disqualified,
    rejected, withdrawn) and pass-through rate, median and 90th percentile time in stage;
    time to hire and hires by source. `from`/`to` select by when a stage was entered."""
    with read_model("funnel", query.get("min_position")) as view:
        return funnel(view, client_id=_text(query.get("client_id")),
                      position_id=_text(query.get("position_id")),
                      start=query.get("start"), end=query.get("end"))


@blp.route("/assessments")
@allow(*ALL_ROLES)
@blp.arguments(AssessmentsQuerySchema, location="query")
@blp.response(200, AssessmentReportSchema)
@blp.alt_response(404, response="NOT_FOUND", description=ANOTHER_CLIENTS)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def assessments_report(query: dict) -> dict:
    """Abandonment rate by assessment duration band and by reason, completion time and
    reschedules: whether a test is too long for the candidates."""
    with read_model("assessments", query.get("min_position")) as view:
        return assessment_report(view, client_id=_text(query.get("client_id")),
                                 position_id=_text(query.get("position_id")))


@blp.route("/compliance")
@allow("admin", "auditor")
@blp.arguments(ComplianceQuerySchema, location="query")
@blp.response(200, ComplianceSchema)
@blp.alt_response(403, response="FORBIDDEN")
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def compliance_report(query: dict) -> dict:
    """For auditors and admins: every outcome that decided a candidate or ended the process
    against them (hire decided, rejected, disqualified, abandoned) in [`from`, `to`), with
    whether, when, how and how late they were told (an offer tells a hire, a rejection
    notice the others), and every client-side step (interview request, interview feedback,
    decision) in the period, taken by a client user or recorded by a recruiter on the
    client's behalf; with totals."""
    with read_model("compliance", query.get("min_position")) as view:
        return compliance(view, recruitment().clock(),
                          client_id=_text(query.get("client_id")),
                          position_id=_text(query.get("position_id")),
                          start=query.get("start"), end=query.get("end"))


def _text(value: object | None) -> str | None:
    return str(value) if value is not None else None

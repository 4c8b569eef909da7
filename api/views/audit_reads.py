"""Reads of candidate data by client and auditor tokens are recorded (who read which candidate,
when); admins and auditors page through them with GET /audit/reads.

Registering this blueprint also installs the recorder, an after-request hook: after a
successful (2xx) GET of an endpoint in CANDIDATE_READS by a client or auditor token, it takes
the candidate ids from the answer about to be sent (so exactly what was disclosed is recorded,
and no view has to remember to) and writes them in one transaction. If that write fails, the
data is not sent: the answer becomes a 500 problem. Views stay unchanged; an endpoint that
starts returning candidate data must be added to CANDIDATE_READS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app, g, request
from flask_smorest import Blueprint

from api.problems import RETRY_AFTER, problem
from api.schemas.audit_reads import ReadsPageSchema, ReadsQuerySchema
from api.security import allow
from api.services import services
from audit.recorded_reads import ReadLog
from storage import errors as store_errors

blp = Blueprint("audit_reads", __name__, url_prefix="/api/v1/audit",
                description="Who read which candidate, when (client and auditor tokens)")
RECORDED_ROLES = ("client", "auditor")
DASHBOARD_LISTS = ("interviews_next_14_days", "picks_owed", "decisions_owed",
                   "offers_awaiting_answer", "offers_expired")
Extract = Callable[[Any, dict[str, Any]], list[str]]


def _asked(_: Any, args: dict[str, Any]) -> list[str]:
    return [str(args["candidate_id"])]


def _items(body: Any, _: dict[str, Any]) -> list[str]:
    return [c["id"] for c in body["items"]]


def _pipeline(body: Any, _: dict[str, Any]) -> list[str]:
    return [c["id"] for stage in body["stages"] for c in stage["candidates"]]


def _shortlist(body: Any, _: dict[str, Any]) -> list[str]:
    return [c["candidate_id"] for c in body["candidates"]]


def _dashboard(body: Any, _: dict[str, Any]) -> list[str]:
    return [c["id"] for key in DASHBOARD_LISTS for c in body[key]]


def _summaries(body: Any, _: dict[str, Any]) -> list[str]:
    return [c["id"] for c in body]


def _overdue(body: Any, _: dict[str, Any]) -> list[str]:
    return [c["id"] for recruiter in body for c in recruiter["overdue"]]


def _compliance(body: Any, _: dict[str, Any]) -> list[str]:
    return [c["candidate_id"] for key in ("outcomes", "client_steps") for c in body[key]]


def _events(body: Any, _: dict[str, Any]) -> list[str]:
    return [e["aggregate_id"] for e in body["events"] if e["aggregate_type"] == "candidate"]


# endpoint -> (what was read, the candidate ids in its answer)
CANDIDATE_READS: dict[str, tuple[str, Extract]] = {
    "candidates.Candidate": ("candidate", _asked),
    "candidates.History": ("history", _asked),
    "candidates.Candidates": ("list", _items),
    "positions.position_pipeline": ("pipeline", _pipeline),
    "positions.position_shortlist": ("shortlist", _shortlist),
    "clients.client_dashboard": ("dashboard", _dashboard),
    "reports.notices_still_due": ("notices_due", _summaries),
    "reports.recruiters_report": ("recruiters_report", _overdue),
    "reports.compliance_report": ("compliance", _compliance),
    "audit.log_events": ("audit_events", _events),
}


def log_of_reads() -> ReadLog:
    return services().recorded_reads


@blp.after_app_request
def record_candidate_reads(response: Response) -> Response:
    """Record a successful read of candidate data by a client or auditor token; if it cannot
    be recorded, answer 500 instead of the data."""
    token = g.get("token")
    if (request.endpoint not in CANDIDATE_READS or request.method not in ("GET", "HEAD")
            or token is None or token.role not in RECORDED_ROLES
            or not 200 <= response.status_code < 300):
        return response
    what, extract = CANDIDATE_READS[request.endpoint]
    try:
        candidate_ids = extract(response.get_json(), request.view_args or {})
        log_of_reads().record(token.actor, what, candidate_ids,
                              at=services().recruitment.clock(), request_id=g.request_id,
                              endpoint=f"{request.method} {request.path}")
    except Exception as error:  # whatever failed, the data must not go out unrecorded
        store = store_errors.unavailable(error)
        current_app.logger.error("could not record a read of candidate data (%s %s)",
                                 request.method, request.url_rule, exc_info=not store)
        return problem(503 if store else 500,
                       "this read of candidate data could not be recorded, so it is not "
                       "answered; retry later", kind="read-not-recorded",
                       headers={"X-Request-ID": g.request_id,
                                **({"Retry-After": RETRY_AFTER} if store else {})})
    return response


@blp.route("/reads")
@allow("admin", "auditor")
@blp.arguments(ReadsQuerySchema, location="query")
@blp.response(200, ReadsPageSchema)
@blp.alt_response(403, response="FORBIDDEN")
def candidate_reads(query: dict[str, Any]) -> dict[str, Any]:
    """Who read which candidate, when, oldest first; page with `next`. Recorded are the
    successful reads of candidate data by client and auditor tokens: a candidate, its
    history, candidate lists, a position's pipeline and shortlist, a client's dashboard, the
    notices-due, recruiters and compliance reports, and the candidates of /audit/events
    pages. Reads by admin and recruiter tokens are not recorded, nor refused or failed
    reads. For admins and auditors (reading this log names candidates, discloses none of
    their data: it is not itself recorded)."""
    candidate_id = query.get("candidate_id")
    reads, after = log_of_reads().page(
        after=query["after"], limit=query["limit"], token_id=query.get("actor"),
        candidate_id=str(candidate_id) if candidate_id else None,
        start=query.get("from_"), end=query.get("to"))
    return {"reads": reads, "next": after}

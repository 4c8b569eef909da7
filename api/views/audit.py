"""Auditors: the global event log, in log order, with filters and a cursor."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from api.representations import history_entry
from api.schemas.audit import (
    AuditQuerySchema,
    LogPageSchema,
    VerificationSchema,
    VerifyQuerySchema,
)
from api.security import allow
from api.services import recruitment
from audit.event_log import scan
from audit.log_verify import Verification, verify_aggregate, verify_log

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit",
                description="The complete history, for auditors")


def aggregate_of(event: Any) -> str:
    return type(event).__qualname__.split(".")[0].lower()


def matches(event: Any, query: dict[str, Any]) -> bool:
    return all((
        query.get("aggregate_type") in (None, aggregate_of(event)),
        query.get("event_type") in (None, type(event).__name__),
        query.get("actor") in (None, event.actor.id),
        query.get("from_") is None or event.timestamp >= query["from_"],
        query.get("to") is None or event.timestamp < query["to"],
    ))


@blp.route("/events")
@allow("admin", "auditor")
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, LogPageSchema)
@blp.alt_response(403, response="FORBIDDEN")
def log_events(query: dict[str, Any]) -> dict[str, Any]:
    """Events of every aggregate in log order (position, aggregate, type, version, time,
    actor, request id, data). Positions only grow, so paging with `next` never skips or
    repeats an event while new ones are written."""
    found, last, at_end = scan(recruitment(), query["after"], query["limit"],
                               lambda event: matches(event, query))
    return {"events": [{"position": at, "aggregate_type": aggregate_of(event),
                        "aggregate_id": event.originator_id, **history_entry(event)}
                       for at, event in found],
            "next": None if at_end else last, "last_position": last}


@blp.route("/verify")
@allow("admin", "auditor")
@blp.arguments(VerifyQuerySchema, location="query")
@blp.response(200, VerificationSchema)
@blp.alt_response(403, response="FORBIDDEN")
def verify(query: dict[str, Any]) -> Verification:
    """Recompute every event's seal from the stored bytes and report the first broken link
    of each aggregate (an edited, deleted or reordered event): `ok` is false when any is
    broken. The whole log is read, so this takes about a second per 30,000 events."""
    recorder = recruitment().recorder
    if "aggregate_id" in query:
        return verify_aggregate(recorder, query["aggregate_id"])
    return verify_log(recorder)

"""The way in, liveness and readiness, without a token (for newcomers, load balancers and
orchestrators)."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from api.problems import RETRY_AFTER, problem
from api.services import recruitment, services
from storage import errors as store_errors
from storage import heartbeat

blp = Blueprint("health", __name__, description="Liveness and readiness (no token needed)")


@blp.route("/")
@blp.doc(security=[])
@blp.response(200)
def index() -> dict:
    """Where to start: the documentation, the OpenAPI document, liveness and readiness, and
    the API's root (every other path needs a bearer token)."""
    return {"name": "hirelog", "links": {
        "docs": "/docs", "openapi": "/api/v1/openapi.json", "healthz": "/healthz",
        "readyz": "/readyz", "api": "/api/v1"}}


@blp.route("/healthz")
@blp.doc(security=[])
@blp.response(200)
def healthz() -> dict:
    """The process is alive (it answers; nothing else is checked)."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.doc(security=[])
@blp.response(200)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def readyz() -> object:
    """Ready: the store can be reached and written (on SQLite, the file at the configured path
    is still the one this process opened), and no read model is stopped at an event it
    cannot apply. Reports the head of the event log and how far each read model (and the
    Kafka publisher) has followed it (lag = events behind)."""
    try:
        heartbeat.beat(services().reads.tables)
        head = recruitment().recorder.max_notification_id() or 0
        positions = services().reads.positions()
        stopped = services().reads.stopped()
        published = services().reads.publisher_position()
        publishing = services().reads.publisher_failure()
    except Exception as error:
        if not store_errors.unavailable(error):
            raise
        return problem(503, f"not ready: {store_errors.describe(error)}",
                       kind="not-ready", headers={"Retry-After": RETRY_AFTER},
                       reasons=[store_errors.describe(error)])
    projections: dict[str, dict[str, Any]] = {}
    for name, position in positions.items():
        projections[name] = {"position": position, "lag": max(0, head - position)}
        if name in stopped:
            failure = stopped[name]
            projections[name]["stopped"] = {
                "position": failure.position, "event_type": failure.event_type,
                "error": failure.error, "attempts": failure.attempts,
                "since": failure.first_failed_at.isoformat()}
    answer: dict[str, Any] = {"status": "ready", "log_head": head, "projections": projections}
    if published is not None:
        answer["publisher"] = {"position": published, "lag": max(0, head - published)}
        if publishing is not None:
            answer["publisher"]["stopped" if publishing.stopped else "retrying"] = {
                "position": publishing.position, "event_type": publishing.event_type,
                "error": publishing.error, "attempts": publishing.attempts,
                "since": publishing.first_failed_at.isoformat()}
    blocked = [*stopped.values(), *([publishing] if publishing and publishing.stopped else [])]
    if blocked:
        reasons = [failure.describe() for failure in blocked]
        return problem(503, "not ready: " + "; ".join(reasons), kind="not-ready",
                       headers={"Retry-After": "30"}, reasons=reasons,
                       **{k: v for k, v in answer.items() if k != "status"})
    return answer

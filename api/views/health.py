"""Liveness and readiness, without a token (for load balancers and orchestrators)."""

from __future__ import annotations

from flask_smorest import Blueprint

from api.problems import problem
from api.services import recruitment, services

blp = Blueprint("health", __name__, description="Liveness and readiness (no token needed)")


@blp.route("/healthz")
@blp.doc(security=[])
@blp.response(200)
def healthz() -> dict:
    """The process is alive."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.doc(security=[])
@blp.response(200)
@blp.alt_response(503, response="SERVICE_UNAVAILABLE")
def readyz() -> object:
    """The database answers; reports the head of the event log and how far each read model
    has followed it (lag = events behind)."""
    try:
        head = recruitment().recorder.max_notification_id() or 0
        positions = services().reads.positions()
        published = services().reads.publisher_position()
    except Exception as error:  # any failure means not ready
        return problem(503, f"database unreachable: {type(error).__name__}",
                       headers={"Retry-After": "5"})
    answer = {"status": "ready", "log_head": head,
              "projections": {name: {"position": position, "lag": max(0, head - position)}
                              for name, position in positions.items()}}
    if published is not None:
        answer["publisher"] = {"position": published, "lag": max(0, head - published)}
    return answer

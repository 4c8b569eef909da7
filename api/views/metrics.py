"""GET /metrics: hirelog's figures in the Prometheus text format.

Open without a token like /healthz (a scraper has no API token, and the figures hold no
personal data), unless HIRELOG_METRICS_TOKEN is set: then it must come as a bearer token."""

from __future__ import annotations

import hmac

from flask import Response, request
from flask_smorest import Blueprint
from prometheus_client import CONTENT_TYPE_LATEST

from api.problems import problem
from api.services import recruitment, services
from hirelog import metrics

blp = Blueprint("metrics", __name__, description="Figures for Prometheus")


def _state() -> metrics.StoreState:
    head = recruitment().recorder.max_notification_id() or 0
    return services().reads.store_state(head)


@blp.route("/metrics")
@blp.doc(security=[])
@blp.response(200, content_type=CONTENT_TYPE_LATEST)
@blp.alt_response(401, response="UNAUTHORIZED")
def prometheus() -> Response:
    """Requests by route, method and status with latency; commands by outcome; events
    recorded; idempotent replays; rate-limited requests; each read model's and the Kafka
    publisher's position, lag, failures and whether it is stopped."""
    wanted = services().settings.metrics_token
    if wanted is not None:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(
                given.strip().encode("utf-8", "surrogateescape"), wanted.encode()):
            return problem(401, "this endpoint needs HIRELOG_METRICS_TOKEN as a bearer token",
                           kind="unauthorized",
                           headers={"WWW-Authenticate": 'Bearer realm="hirelog-metrics"'})
    return Response(metrics.exposition(metrics.StoreCollector(_state)),
                    content_type=CONTENT_TYPE_LATEST)

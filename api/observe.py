"""What operators see of the API: one log line per request (method, route, status, duration,
request id, token id: never the token, the path's ids or the query string), and its figures
for Prometheus (requests by route, method and status, latency, commands by outcome, events
recorded)."""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, Response, g, request

from hirelog import metrics
from storage.event_store import StoredRecruitment

log = logging.getLogger("hirelog.access")


def install(app: Flask) -> None:
    """Install first: its after-request hook then runs last, and sees the final answer."""
    app.before_request(_start)
    app.after_request(_observe)


def count_events_of(recruitment: StoredRecruitment) -> None:
    recruitment.on_save(_count_events)


def _start() -> None:
    g.started = time.perf_counter()


def route() -> str:
    """The route's template (ids are not in it), or "unmatched" for an unknown path."""
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def _observe(response: Response) -> Response:
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    template, status = route(), response.status_code
    metrics.HTTP_REQUESTS.labels(request.method, template, str(status)).inc()
    metrics.HTTP_LATENCY.labels(request.method, template).observe(elapsed)
    if request.method == "POST" and request.endpoint and template.startswith("/api/"):
        outcome = "recorded" if status < 300 else "refused" if status < 500 else "failed"
        metrics.COMMANDS.labels(request.endpoint, outcome).inc()
    token = g.get("token")
    level = logging.ERROR if status >= 500 else logging.INFO
    log.log(level, "%s %s %s %.2f ms", request.method, template, status, elapsed * 1000,
            extra={"method": request.method, "route": template, "status": status,
                   "duration_ms": round(elapsed * 1000, 2),
                   "token_id": token.id if token is not None else None})
    return response


def _count_events(events: list[Any]) -> None:
    for event in events:
        aggregate = type(event).__qualname__.split(".")[0].lower()
        metrics.EVENTS_RECORDED.labels(aggregate).inc()

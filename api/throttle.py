"""One noisy token cannot starve the others: a per-token rate limit (HIRELOG_RATE_LIMIT),
counted where every worker and process sees it (storage/rate_limits.py). An excess request
answers 429 problem+json with Retry-After; every limited answer carries RateLimit-Limit,
RateLimit-Remaining and RateLimit-Reset (seconds) of the tightest rule."""

from __future__ import annotations

from flask import Flask, Response, g

from api.problems import problem
from api.services import services
from hirelog import metrics


def install(app: Flask) -> None:
    """Install after authentication (the token is known) and before any other work."""
    app.before_request(_limit)
    app.after_request(_headers)


def _limit() -> Response | None:
    token = g.get("token")
    if token is None:
        return None
    decision = services().rate_limiter.hit(token.id)
    if decision is None:
        return None
    g.rate_decision = decision
    if decision.allowed:
        return None
    metrics.RATE_LIMITED.labels(token.role).inc()
    return problem(429, f"this token sent more than {decision.limit} requests in the window; "
                        f"retry in {decision.retry_after} s", kind="rate-limited",
                   headers={"Retry-After": str(decision.retry_after)})


def _headers(response: Response) -> Response:
    decision = g.get("rate_decision")
    if decision is not None:
        response.headers["RateLimit-Limit"] = str(decision.limit)
        response.headers["RateLimit-Remaining"] = str(decision.remaining)
        response.headers["RateLimit-Reset"] = str(decision.reset)
    return response

"""Idempotency-Key on POST: a repeat (same key, token and body) gets the first answer and
records nothing; racing repeats wait for the first; a different body with the key is a 422."""

from __future__ import annotations

import hashlib
import time

from flask import Flask, Response, g, request

from api.problems import problem
from api.services import services
from hirelog.idempotency import Claim

HEADER = "Idempotency-Key"
WAIT_FOR_FIRST = 10.0  # seconds a repeat waits for the first request to answer
REPLAYED_HEADERS = ("Location", "ETag", "Content-Type")


def install(app: Flask) -> None:
    app.before_request(_claim)
    app.after_request(_remember)
    app.teardown_request(_release_if_unanswered)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.headers.get("If-Match", "")):
        digest.update(part.encode() + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _claim() -> Response | None:
    key = request.headers.get(HEADER)
    if key is None or request.method != "POST" or "token" not in g:
        return None
    if not 1 <= len(key) <= 255:
        return problem(400, f"{HEADER} must be 1 to 255 characters")
    store, fingerprint = services().idempotency, _fingerprint()
    deadline = time.monotonic() + WAIT_FOR_FIRST
    attempt = store.claim(g.token.id, key, fingerprint)
    while attempt.claim is Claim.IN_PROGRESS and time.monotonic() < deadline:
        time.sleep(0.05)
        attempt = store.look(g.token.id, key, fingerprint)
    if attempt.claim is Claim.OWNED:
        g.idempotency_key = key
        return None
    if attempt.claim is Claim.MISMATCH:
        return problem(422, f"this {HEADER} was used with a different request",
                       kind="idempotency-key-reused")
    if attempt.claim is Claim.IN_PROGRESS:
        return problem(409, f"a request with this {HEADER} is still being processed; "
                            "retry later", kind="idempotency-key-in-progress",
                       headers={"Retry-After": "1"})
    response = Response(attempt.body, status=attempt.status)
    for name, value in (attempt.headers or {}).items():
        response.headers[name] = value
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _remember(response: Response) -> Response:
    key = g.pop("idempotency_key", None)
    if key is None:
        return response
    store = services().idempotency
    if response.status_code >= 500:
        store.release(g.token.id, key)
        return response
    remembered = _without_secrets(response)
    headers = {h: remembered.headers[h] for h in REPLAYED_HEADERS if h in remembered.headers}
    store.complete(g.token.id, key, remembered.status_code, headers,
                   remembered.get_data(as_text=True))
    return response


def _without_secrets(response: Response) -> Response:
    """A new token's secret is shown once and stored nowhere: a repeat learns the token's id,
    not its secret."""
    if request.endpoint != "tokens.Tokens" or response.status_code != 201:
        return response
    token_id = (response.get_json(silent=True) or {}).get("id")
    return problem(409, f"this request already created token {token_id}; its secret is shown "
                        "only once", kind="token-already-created",
                   headers={"Location": response.headers.get("Location", "")})


def _release_if_unanswered(error: BaseException | None) -> None:
    """An exception escaped before an answer was stored: let a repeat run the command."""
    key = g.pop("idempotency_key", None)
    if key is not None:
        services().idempotency.release(g.token.id, key)

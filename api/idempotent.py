"""Idempotency-Key on POST: a repeat (same key, token and body) gets the first answer and
records nothing; the same key with a different request is a 422.

The answer of a command that records events is written in the same transaction as its
events (storage/idempotency.py), so a crash can never leave a key "in progress": a retry
finds the answer, or finds nothing and runs the command. No request waits for another: a
repeat racing the first runs the command too, and whichever commits second is rolled back
(or refused by the rules, since the first moved the candidate on) and answers what the first
answered.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, request

from api.problems import problem
from api.services import services
from domain.application import Receipt
from hirelog import metrics
from storage.idempotency import Answer, AnsweredElsewhere, Found, Once, replayed_headers

HEADER = "Idempotency-Key"
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII: stored and compared as sent
KEPT_HEADERS = ("Location", "ETag", "Content-Type")


def install(app: Flask) -> None:
    app.before_request(_look_up)
    app.after_request(_remember)
    app.register_error_handler(AnsweredElsewhere, _answered_elsewhere)


def _fingerprint() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.headers.get("If-Match", "")):
        digest.update(part.encode() + b"\0")
    digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def _look_up() -> Response | None:
    key = request.headers.get(HEADER)
    if key is None or request.method != "POST" or "token" not in g:
        return None
    if not _KEY.match(key):
        return problem(400, f"{HEADER} must be 1 to 255 visible ASCII characters")
    fingerprint = _fingerprint()
    found = services().idempotency.find(g.token.id, key)
    if found is not None:
        return _replay(found, fingerprint)
    g.once = Once(g.token.id, key, fingerprint, render=_render_receipt)
    return None


def once() -> Once | None:
    """This request's key, for the command it runs (None without a key)."""
    return g.get("once")


def _replay(found: Found, fingerprint: str) -> Response:
    if found.fingerprint != fingerprint:
        return problem(422, f"this {HEADER} was used with a different request",
                       kind="idempotency-key-reused")
    metrics.IDEMPOTENT_REPLAYS.inc()
    response = Response(found.answer.body, status=found.answer.status)
    for name, value in replayed_headers(found.answer).items():
        response.headers[name] = value
    return response


def _render_receipt(receipt: Receipt) -> Answer:
    """The answer this request's view gives for `receipt`, rendered as the view renders it:
    the success status and schema its documentation declares, and for a 201 the Location
    of the new resource."""
    view = current_app.view_functions[request.endpoint or ""]
    function: Any = getattr(getattr(view, "view_class", None), "post", view)
    responses: dict[int, Any] = function._apidoc["response"]["responses"]
    status = min(code for code in responses if 200 <= code < 300)
    schema = responses[status][0]["schema"]
    body = jsonify(schema.dump(receipt))
    headers = {"Content-Type": body.headers["Content-Type"]}
    if status == 201:
        headers["Location"] = f"{request.path}/{receipt.id}"
    return Answer(status, headers, body.get_data(as_text=True))


def answer_of(response: Response) -> Answer:
    return Answer(response.status_code,
                  {h: response.headers[h] for h in KEPT_HEADERS if h in response.headers},
                  response.get_data(as_text=True))


def _remember(response: Response) -> Response:
    """After the view: a command's answer is already written; an answer that recorded
    nothing (4xx) is kept now, unless a racing repeat with the key won, whose answer this
    request then gives instead."""
    claim: Once | None = g.pop("once", None)
    if claim is None or claim.written or response.status_code >= 500:
        return response
    store = services().idempotency
    if not store.keep(claim, answer_of(response)):  # a racing repeat with the key won
        winner = store.find(claim.token_id, claim.key)
        if winner is not None:
            return _replay(winner, claim.fingerprint)
    return response


def _answered_elsewhere(error: AnsweredElsewhere) -> Response:
    claim: Once | None = g.pop("once", None)
    assert claim is not None
    found = services().idempotency.find(claim.token_id, claim.key)
    assert found is not None, "the winner committed its answer with its events"
    return _replay(found, claim.fingerprint)

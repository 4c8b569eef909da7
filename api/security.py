"""Bearer tokens, roles and request ids: who is calling, and may they do this?"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, request

from api.problems import problem
from api.representations import CLIENT_STEPS
from api.services import services
from domain.application import Caller
from domain.scope import Scope
from domain.values import Actor
from storage.tokens import TokenInfo

API_PREFIX = "/api/v1"
# Every field at its bound, every character escaped as JSON allows (a 10,000-character note
# of emoji is 120 KB as \ud83d\ude00...), fits: tests/api/test_bounds.py sends such bodies.
MAX_BODY = 256 * 1024
MAX_DEPTH = 32  # our deepest request body nests 3 levels
_SIGNIFICANT = re.compile(rb'["\[\]{}]')
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:/+=-]{1,128}$")
_IF_MATCH = re.compile(r'^\s*(?:W/)?"(\d{1,10})"\s*$')  # a version (PostgreSQL INTEGER)
ALL_ROLES = ("admin", "recruiter", "client", "auditor")


def install_identity(app: Flask) -> None:
    """Who is calling, and in which request."""
    app.before_request(_request_id)
    app.before_request(_authenticate)
    app.after_request(_echo_request_id)


def install_body_checks(app: Flask) -> None:
    app.before_request(_check_body)


def _request_id() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _REQUEST_ID.match(given) else str(uuid.uuid4())


def _echo_request_id(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id") or str(uuid.uuid4())
    return response


def _authenticate() -> Response | None:
    if not request.path.startswith(API_PREFIX + "/") or request.url_rule is None:
        return None  # health checks, docs, and unknown routes (404) need no token
    if request.path == f"{API_PREFIX}/openapi.json":
        return None
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    info = services().tokens.authenticate(token.strip()) if scheme.lower() == "bearer" else None
    if info is None:
        return problem(401, "a valid bearer token is required", kind="unauthorized",
                       headers={"WWW-Authenticate": 'Bearer realm="hirelog"'})
    g.token = info
    return None


def _check_body() -> Response | None:
    """415 for a body that is not JSON, 413 past MAX_BODY, 400 for malformed JSON."""
    if request.method not in ("POST", "PUT", "PATCH") or request.url_rule is None:
        return None
    too_large = problem(413, f"the body is larger than {MAX_BODY // 1024} KiB")
    length = request.content_length
    if length is not None and length > MAX_BODY:
        return too_large
    # A streamed (chunked) body is cut at MAX_CONTENT_LENGTH = MAX_BODY + 1 by werkzeug:
    # one byte more than allowed tells it was too large.
    data = request.get_data(cache=True)
    if len(data) > MAX_BODY:
        return too_large
    if not data:
        return None
    if not request.is_json:
        return problem(415, "send the body as application/json")
    if too_deep(data):
        return problem(400, f"the body nests arrays or objects more than {MAX_DEPTH} deep",
                       kind="malformed-json")
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        return problem(400, "the body is not valid JSON", kind="malformed-json")
    if not isinstance(body, dict):
        return problem(422, "the body must be a JSON object", kind="validation-error",
                       errors=[{"pointer": "/", "detail": "expected a JSON object"}])
    return None


def too_deep(data: bytes, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON text nests deeper than `limit` (strings skipped), in one linear pass:
    parsing 30,000 levels would exhaust Python's recursion before a schema could refuse it."""
    depth, at = 0, 0
    while (found := _SIGNIFICANT.search(data, at)) is not None:
        char, at = found.group(), found.end()
        if char == b'"':  # skip the string: to the next quote not escaped by a backslash
            while True:
                end = data.find(b'"', at)
                if end < 0:
                    return False  # unterminated: the parser refuses it
                start = end
                while start > at and data[start - 1] == 0x5C:
                    start -= 1
                at = end + 1
                if (end - start) % 2 == 0:
                    break
        elif char in b"[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def token() -> TokenInfo:
    return g.token


def actor() -> Actor:
    return g.token.actor


def scope() -> Scope:
    """What this request's token may see (a client token: its own client only)."""
    return Scope.of(g.token.actor)


def callers_steps(commands: tuple[str, ...]) -> tuple[str, ...]:
    """Of these commands, those this request's token may give: all of them for the agency,
    a client's own steps for a client's token."""
    if scope().is_agency:
        return commands
    return tuple(c for c in commands if c in CLIENT_STEPS)


def caller() -> Caller:
    """The actor, request id and If-Match of this request, for one application command."""
    expected = None
    if_match = request.headers.get("If-Match")
    if if_match is not None and if_match.strip() != "*":
        matched = _IF_MATCH.match(if_match)
        if matched is None:
            from flask_smorest import abort
            abort(400, message='If-Match must be a version in quotes, like "3"')
        assert matched is not None  # abort() raises; flask_smorest does not say so in types
        expected = int(matched.group(1))
    return Caller(actor=actor(), request_id=g.request_id, expected_version=expected,
                  once=g.get("once"))


def allow(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Only these roles may call the view (403 otherwise); documented in the OpenAPI text."""

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if g.token.role not in roles:
                return problem(403, f"a {g.token.role} token may not do this; "
                                    f"allowed roles: {', '.join(roles)}", kind="forbidden")
            return view(*args, **kwargs)

        note = f"Roles: {', '.join(roles)}."
        guarded.__doc__ = f"{(view.__doc__ or '').strip()}\n\n{note}".strip()
        return guarded

    return decorate

"""Every error is RFC 9457 application/problem+json, with type, title, status and detail."""

from __future__ import annotations

import http
import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, json
from flask_smorest import Api
from flask_smorest.utils import prepare_response
from werkzeug.exceptions import HTTPException, InternalServerError

from api.representations import allowed_arguments
from api.schemas.common import ProblemSchema
from domain.errors import (
    DomainError,
    DuplicateCandidate,
    IllegalStep,
    InvalidValue,
    NotFound,
    TooBusy,
    VersionConflict,
)
from hirelog import metrics
from storage import errors as store_errors

log = logging.getLogger("hirelog.api")
PROBLEM = "application/problem+json"
RETRY_AFTER = "2"  # seconds, when the store cannot be used
TYPE_BASE = "https://hirelog.dev/problems/"


def problem(status: int, detail: str, *, kind: str | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> Response:
    title = http.HTTPStatus(status).phrase
    body = {"type": TYPE_BASE + (kind or title.lower().replace(" ", "-").replace("'", "")),
            "title": title, "status": status, "detail": detail, **extra}
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_errors(messages: Any, pointer: str = "") -> list[dict[str, str]]:
    """marshmallow's nested messages as a flat list of {pointer, detail} (JSON Pointers)."""
    if isinstance(messages, dict):
        return [error for key, value in messages.items()
                for error in field_errors(value, f"{pointer}/{key}")]
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [{"pointer": pointer or "/", "detail": m} for m in messages]
    return [{"pointer": pointer or "/", "detail": str(messages)}]


class HirelogApi(Api):
    """flask-smorest's Api, with problem+json errors, documented as such.

    A blueprint's routes are registered at once, its documentation the first time the OpenAPI
    document is asked for: building the document is most of the cost of starting an
    application, and most processes never serve it."""

    ERROR_SCHEMA = ProblemSchema

    def __init__(self, app: Flask | None = None, **kwargs: Any) -> None:
        self._undocumented: list[tuple[Any, str, Any]] = []
        self._documenting = threading.Lock()
        self._spec: Any = None
        super().__init__(app, **kwargs)

    @property
    def spec(self) -> Any:
        if self._undocumented:
            self._document_blueprints()
        return self._spec

    @spec.setter
    def spec(self, value: Any) -> None:
        self._spec = value

    def register_blueprint(self, blp: Any, *, parameters: Any = None, **options: Any) -> None:
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._undocumented.append((blp, name, parameters))

    def _document_blueprints(self) -> None:
        """What flask-smorest's register_blueprint documents, in the order registered."""
        with self._documenting:
            while self._undocumented:
                blp, name, parameters = self._undocumented[0]
                blp.register_views_in_doc(self, self._app, self._spec, name=name,
                                          parameters=parameters)
                self._spec.tag({"name": name, "description": blp.description})
                self._undocumented.pop(0)

    def handle_http_exception(self, error: HTTPException) -> Response:
        data = getattr(error, "data", None) or {}
        code = error.code or 500
        if code == 422 and "messages" in data:
            messages = data["messages"]
            messages = messages.get("json", messages) if isinstance(messages, dict) else messages
            return problem(422, "the request body or parameters are not valid",
                           kind="validation-error", errors=field_errors(messages))
        if code == 400 and "messages" in data:  # webargs: malformed JSON
            return problem(400, "the body is not valid JSON", kind="malformed-json")
        detail = data.get("message") or error.description or http.HTTPStatus(code).phrase
        headers = dict(data.get("headers") or {})
        if code == 405 and error.get_response().headers.get("Allow"):
            headers["Allow"] = error.get_response().headers["Allow"]
        return problem(code, str(detail), headers=headers)

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict[str, Any] = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        default = {"description": "A problem (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(default, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", default, lazy=True)


def register_unexpected_errors(app: Flask) -> None:
    """A store that cannot be used is a 503 with Retry-After, saying what is wrong with it;
    anything else unexpected is a 500 problem, logged with the request id. Never a trace."""

    def unexpected(error: Exception) -> Response:
        cause = getattr(error, "original_exception", None) or error
        if store_errors.unavailable(cause):
            what = store_errors.describe(cause)
            log.warning("store unavailable: %s (%s)", what, type(cause).__name__)
            metrics.STORE_UNAVAILABLE.inc()
            return problem(503, f"{what}; retry shortly (with the same Idempotency-Key a "
                                "command is never recorded twice)",
                           kind="store-unavailable", headers={"Retry-After": RETRY_AFTER})
        log.error("unexpected error", exc_info=cause)
        return problem(500, "an unexpected error; it is logged with this request's id",
                       kind="internal-error")

    app.register_error_handler(InternalServerError, unexpected)
    app.register_error_handler(Exception, unexpected)


def register_domain_errors(app: Flask, step_names: dict[str, str],
                           callers_steps: Callable[[tuple[str, ...]], tuple[str, ...]]) -> None:
    """Domain errors from the application become problems; nothing was recorded.
    `callers_steps` keeps, of the commands allowed now, those this request's caller may give
    (a client's token is not told the agency's own next steps)."""

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> Response:
        if isinstance(error, IllegalStep):
            mine = callers_steps(error.allowed)
            allowed = [step_names.get(c, c) for c in mine]
            command = step_names.get(error.command, error.command)
            arguments = allowed_arguments(
                {c: limit for c, limit in error.limits.items() if c in mine}, step_names)
            listed = [step + "".join(f" ({arg}: {', '.join(values)})"
                                     for arg, values in arguments.get(step, {}).items())
                      for step in allowed]
            because = f" ({error.why})" if error.why else ""
            return problem(409, f"cannot record '{command}' while the candidate is in stage "
                                f"'{error.stage}'{because}; allowed now: "
                                f"{', '.join(listed) or 'none'}",
                           kind="illegal-step", stage=error.stage, allowed_steps=allowed,
                           allowed_arguments=arguments)
        if isinstance(error, NotFound):
            return problem(404, str(error), kind="not-found")
        if isinstance(error, DuplicateCandidate):
            return problem(409, str(error), kind="duplicate-candidate")
        if isinstance(error, VersionConflict):
            return problem(412, str(error), kind="version-conflict",
                           current_version=error.actual)
        if isinstance(error, TooBusy):
            return problem(409, str(error), kind="too-busy", headers={"Retry-After": "1"})
        if isinstance(error, InvalidValue):
            pointer = f"/{error.field}" if error.field else "/"
            return problem(422, str(error), kind="invalid-value",
                           errors=[{"pointer": pointer, "detail": str(error)}])
        return problem(422, str(error), kind="domain-rule")

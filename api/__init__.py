"""The HTTP API: Flask + flask-smorest + marshmallow. `create_app` builds the Flask application
around the parts hirelog.bootstrap (the composition root) builds.

Production: `gunicorn -c python:hirelog.gunicorn_config 'api:create_app()'` (without --preload:
each worker builds its own application, and so its own database connections, after the fork).
"""

from __future__ import annotations

from flask import Flask

from api import consistency, docs, headers, idempotent, observe, security, startup, throttle
from api.problems import HirelogApi, register_domain_errors, register_unexpected_errors
from api.representations import STEP_OF_COMMAND
from api.serving import BodyDeadline
from domain.application import Clock, utc_now
from hirelog import bootstrap, logs
from hirelog.bootstrap import Services
from hirelog.settings import Settings


def create_app(settings: Settings | None = None, *, clock: Clock = utc_now) -> Flask:
    settings = settings or Settings.from_env()
    logs.configure(settings)
    app = Flask("hirelog")
    app.config.update(
        API_TITLE="hirelog", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/", OPENAPI_JSON_PATH="api/v1/openapi.json",
        MAX_CONTENT_LENGTH=security.MAX_BODY + 1,
        API_SPEC_OPTIONS={
            "info": {"description": "The hiring pipeline of a technical recruiting agency, "
                                    "recorded as events. Errors are RFC 9457 problems."},
            "security": [{"bearerAuth": []}],
            "components": {"securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"}}},
        },
    )
    observe.install(app)  # first: it sees every request and the final answer
    startup.install(app, lambda: build_services(settings, clock))
    docs.install(app)  # before the Api: it reads where Swagger UI lives
    headers.install(app, docs_path=docs.DOCS_PATH, assets_path=docs.ASSETS_PATH)
    api = HirelogApi(app)
    from api.views import (
        audit,
        candidates,
        clients,
        health,
        metrics,
        positions,
        reports,
        steps,
        tokens,
    )

    for module in (health, metrics, clients, positions, candidates, steps, tokens, reports,
                   audit):
        api.register_blueprint(module.blp)
    from api.views import audit_reads  # also installs the recorder of candidate reads

    api.register_blueprint(audit_reads.blp)
    security.install_identity(app)
    throttle.install(app)
    security.install_body_checks(app)
    consistency.install(app)
    idempotent.install(app)
    register_domain_errors(app, STEP_OF_COMMAND, security.callers_steps)
    register_unexpected_errors(app)
    app.wsgi_app = BodyDeadline(app.wsgi_app, security.MAX_BODY + 1)  # type: ignore[method-assign]  # Flask's documented way
    return app


def build_services(settings: Settings, clock: Clock) -> Services:
    """The views' parts (hirelog.bootstrap), with the events they record counted."""
    services = bootstrap.services(settings, clock)
    observe.count_events_of(services.recruitment)
    return services

"""Logging for every hirelog process (serve, gunicorn workers, project, publish, the CLI):
readable text by default, one JSON object a line with HIRELOG_LOG_FORMAT=json (python-json-
logger), the level from HIRELOG_LOG_LEVEL. Records made while a request is handled carry its
request id. What hirelog logs never holds a token or personal data: routes are logged as
their templates (`/api/v1/candidates/<uuid:candidate_id>`), never with a query string.
"""

from __future__ import annotations

import logging
import logging.config
import sys
from typing import Any

from hirelog.settings import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s%(context)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Fields of a record that are the context of a request or a follower, shown in text too.
CONTEXT = ("request_id", "method", "route", "status", "duration_ms", "token_id", "model",
           "position", "event_type", "lag")


class RequestContext(logging.Filter):
    """Adds the current request's id (when there is a request) and a text rendering of the
    record's context fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current_request_id()
        message = record.getMessage()
        parts = [f"{name}={getattr(record, name)}" for name in CONTEXT
                 if getattr(record, name, None) is not None
                 and str(getattr(record, name)) not in message]
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return True


def _current_request_id() -> str | None:
    try:
        from flask import g, has_request_context
    except ImportError:  # pragma: no cover - flask is a dependency
        return None
    return g.get("request_id") if has_request_context() else None


def dict_config(settings: Settings) -> dict[str, Any]:
    """A logging.config dictionary (also given to gunicorn, so its own lines match)."""
    if settings.log_format == "json":
        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter", "fmt": JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "reserved_attrs": [*_RESERVED, "context"]}
    else:
        formatter = {"format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": RequestContext}},
        "formatters": {"hirelog": formatter},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": sys.stderr,
                                "formatter": "hirelog", "filters": ["context"]}},
        "root": {"level": settings.log_level, "handlers": ["stderr"]},
        "loggers": {
            # gunicorn's own loggers go through the same handler
            "gunicorn.error": {"level": settings.log_level, "handlers": [],
                               "propagate": True},
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
            # libraries that are chatty at INFO
            "kafka": {"level": "WARNING"}, "urllib3": {"level": "WARNING"},
            "waitress.queue": {"level": "WARNING"},
            "werkzeug": {"level": "WARNING"},
        },
    }


_RESERVED = ["args", "created", "exc_info", "exc_text", "filename", "funcName", "levelno",
             "lineno", "module", "msecs", "msg", "pathname", "process", "processName",
             "relativeCreated", "stack_info", "thread", "threadName", "taskName"]
_configured: Settings | None = None


def configure(settings: Settings) -> None:
    """Configure this process's logging once (again only if the settings changed)."""
    global _configured
    wanted = (settings.log_format, settings.log_level)
    if _configured is not None and (_configured.log_format, _configured.log_level) == wanted:
        return
    logging.config.dictConfig(dict_config(settings))
    logging.captureWarnings(False)
    _configured = settings

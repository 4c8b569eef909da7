"""A process that starts while its store cannot be used still starts, and serves: /healthz
answers (it is alive), every other request answers 503 problem+json with Retry-After until the
store can be prepared (schema and tables, once, under the lock) and the services built, which
the first request that finds it usable does (at most one attempt a second). Without this,
gunicorn would stop altogether when a worker restarted during an outage of the database
("worker failed to boot"), and never come back by itself."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from flask import Flask, Response, current_app, request

from api.problems import RETRY_AFTER, problem
from api.services import Services
from storage import errors as store_errors

log = logging.getLogger("hirelog.api")


def install(app: Flask, build: Callable[[], Services]) -> None:
    """Build the services now if the store can be used, else on a later request."""
    app.extensions["hirelog"] = _try(build)
    if app.extensions["hirelog"] is None:
        state = _Waiting(build)
        app.before_request(state.ensure)


def _try(build: Callable[[], Services]) -> Services | None:
    try:
        return build()
    except Exception as error:
        if not store_errors.unavailable(error):
            raise
        log.warning("the store cannot be used (%s): answering 503 until it can",
                    store_errors.describe(error))
        return None


class _Waiting:
    def __init__(self, build: Callable[[], Services]) -> None:
        self.build, self.lock, self.last_try = build, threading.Lock(), 0.0

    def ensure(self) -> Response | None:
        extensions = current_app.extensions
        if extensions["hirelog"] is not None or request.path == "/healthz":
            return None
        if self.lock.acquire(blocking=False):  # one request tries; the others answer at once
            try:
                if extensions["hirelog"] is None and time.monotonic() - self.last_try >= 1.0:
                    self.last_try = time.monotonic()
                    extensions["hirelog"] = _try(self.build)
                    if extensions["hirelog"] is not None:
                        log.warning("the store can be used: serving")
            finally:
                self.lock.release()
        if extensions["hirelog"] is not None:
            return None
        return problem(503, "the store could not be used since this process started; retry "
                            "shortly", kind="store-unavailable",
                       headers={"Retry-After": RETRY_AFTER})

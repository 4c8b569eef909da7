"""The Flask app of the HTTP tests, built once per test process.

`api.create_app(settings)` builds two things: the HTTP shell (routes, the OpenAPI document,
request hooks: the same for every store, ~60 ms of werkzeug rule compiling and apispec) and
the services of one store (`api.build_services`, installed by `api.startup`; every view and
hook reaches the store, the clock and the settings through them, never through anything the
shell keeps). So a test process builds the shell once and each test installs its own services
into it: the app a test gets answers as `create_app(settings, clock=clock)` would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask

from api import build_services, create_app
from domain.application import Clock
from hirelog import logs
from hirelog.settings import Settings
from tests.databases import TEST_ID_KEY

_SHELL: list[Flask] = []


def shell() -> Flask:
    """This process's HTTP shell, with no services installed."""
    if not _SHELL:
        app = create_app(Settings(database_url="sqlite:///:memory:", id_key=TEST_ID_KEY))
        app.config["TESTING"] = True
        app.extensions["hirelog"].close()
        app.extensions["hirelog"] = None
        _SHELL.append(app)
    return _SHELL[0]


@contextmanager
def app_for(settings: Settings, clock: Clock) -> Iterator[Flask]:
    """The shell serving `settings`'s store with `clock`, for the time of the block (one
    test at a time: the shell is this process's)."""
    app = shell()
    assert app.extensions["hirelog"] is None, "the shell already serves a test"
    logs.configure(settings)  # as create_app does
    services = build_services(settings, clock)
    app.extensions["hirelog"] = services
    try:
        yield app
    finally:
        app.extensions["hirelog"] = None
        services.close()

"""Read-your-writes for read models: `?min_position=N` waits (boundedly) until the model has
processed the log up to N, else 503 with Retry-After (a position past the newest event is a
422 at once: no command answered it); every read names its model's position in
`X-Projection-Position`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import Flask, Response, g
from flask_smorest import abort

from api.security import scope
from api.services import services
from projections.reads import Stopped, View
from projections.registry import model_named

T = TypeVar("T")

HEADER = "X-Projection-Position"


def install(app: Flask) -> None:
    app.after_request(_position_header)


def _position_header(response: Response) -> Response:
    position = g.get("projection_position")
    if position is not None:
        response.headers[HEADER] = str(position)
    return response


@contextmanager
def read_model(name: str, min_position: int | None) -> Iterator[View]:
    reads = services().reads
    if min_position is not None and min_position > (
            services().recruitment.recorder.max_notification_id() or 0):
        abort(422, messages={"query": {"min_position": ["Past the newest event of the log."]}})
    reader = scope()
    needed = [name, *(() if reader.is_agency else model_named(name).client_reads_also)]
    for model in needed:
        try:
            reached = min_position is None or reads.wait_for(
                model, min_position, services().settings.read_wait_seconds)
        except Stopped as stopped:
            abort(503, message=f"{stopped}; it goes on by itself once the cause is fixed",
                  headers={"Retry-After": "30"})
        if not reached:
            abort(503, message=f"the {model} read model has not reached position "
                               f"{min_position} yet; retry shortly", headers={"Retry-After": "1"})
    with reads.view(name, reader) as view:
        g.projection_position = view.position
        yield view


def from_cursor(cursor: str | None, decode: Callable[[str], T], start: T) -> T:
    """Where a page starts: `start` without ?cursor=, else the decoded cursor, or 400 for
    anything this API did not hand out (`decode` raises ValueError)."""
    if cursor is None:
        return start
    try:
        return decode(cursor)
    except ValueError as error:
        abort(400, message=str(error))
        raise

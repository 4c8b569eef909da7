"""Reading the global event log in log order, for auditors (GET /api/v1/audit/events)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from domain.application import Recruitment
from domain.base import HiringAggregate

Found = list[tuple[int, HiringAggregate.Event]]


def events_after(app: Recruitment, after: int, limit: int) -> Found:
    """(position, event) of the global log after a position, in log order."""
    notifications = app.recorder.select_notifications(start=after + 1, limit=limit)
    return [(n.id, cast(HiringAggregate.Event, app.mapper.to_domain_event(n)))
            for n in notifications]


def scan(app: Recruitment, after: int, limit: int, keep: Callable[[Any], bool],
         scan_limit: int = 10_000) -> tuple[Found, int, bool]:
    """Up to `limit` events after a position that `keep` accepts, reading at most
    `scan_limit` events: (found, last position read, whether the log's end was reached)."""
    found: Found = []
    position, scanned = after, 0
    while len(found) < limit and scanned < scan_limit:
        batch = events_after(app, position, min(1000, scan_limit - scanned))
        if not batch:
            return found, position, True
        for at, event in batch:
            position, scanned = at, scanned + 1
            if keep(event):
                found.append((at, event))
                if len(found) == limit:
                    break
    return found, position, False

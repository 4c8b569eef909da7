"""Stopped read models: an event a read model could not apply stops that model only, at that
event, until it can (after a fix, or once its cause is gone). Recorded in the database, so
every process sees it: /readyz, /metrics, `hirelog projections status`, and every projector,
which retries it with a growing pause (1 s, 2 s, 4 s... at most a minute) or at once after
`hirelog projections retry`.

The error kept is its type and the first line of its message, at most 300 characters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from projections.catalog import PUBLISHER
from storage import errors as store_errors
from storage.tables import Cursor

DDL = (
    """CREATE TABLE IF NOT EXISTS {schema}.hirelog_projection_failures (
        name TEXT NOT NULL,
        generation INTEGER NOT NULL,
        position BIGINT NOT NULL,
        event_type TEXT NOT NULL,
        error TEXT NOT NULL,
        attempts INTEGER NOT NULL,
        first_failed_at TEXT NOT NULL,
        last_failed_at TEXT NOT NULL,
        next_attempt_at TEXT NOT NULL,
        stopped INTEGER NOT NULL,
        PRIMARY KEY (name, generation))""",
)
MAX_PAUSE = timedelta(seconds=60)


@dataclass(frozen=True)
class Failure:
    """A follower (a read model generation, or the publisher) failing at the event at
    `position`: stopped there (it cannot apply it), or only retrying (a passing fault, e.g.
    a broker that is down)."""

    name: str
    generation: int
    position: int
    event_type: str
    error: str
    attempts: int
    first_failed_at: datetime
    last_failed_at: datetime
    next_attempt_at: datetime
    stopped: bool = True

    def describe(self) -> str:
        what = "read model " + self.name if self.name != PUBLISHER else "the Kafka publisher"
        state = "stopped" if self.stopped else "retrying"
        return f"{what} {state} at position {self.position} ({self.event_type}): {self.error}"


def error_text(error: BaseException) -> str:
    """The error's type and the first line of its message with every quoted part blanked
    (messages quote the values at fault, which may be personal data), at most 300 characters;
    for a store that cannot be used, what is wrong with it."""
    if store_errors.unavailable(error):
        return f"{type(error).__name__}: {store_errors.describe(error)}"[:300]
    first_line = (str(error).strip().splitlines() or [""])[0]
    return f"{type(error).__name__}: {_QUOTED.sub(_blank, first_line)}"[:300]


_QUOTED = re.compile(r"""'[^']*'|"[^"]*"|«[^»]*»""")


def _blank(found: re.Match[str]) -> str:
    return found.group()[0] + "…" + found.group()[-1]


def pause(attempts: int) -> timedelta:
    return min(MAX_PAUSE, timedelta(seconds=2 ** min(max(attempts - 1, 0), 6)))


def _now() -> datetime:
    return datetime.now(UTC)


def _failure(row: dict[str, Any]) -> Failure:
    return Failure(
        name=row["name"], generation=int(row["generation"]), position=int(row["position"]),
        event_type=row["event_type"], error=row["error"], attempts=int(row["attempts"]),
        first_failed_at=datetime.fromisoformat(row["first_failed_at"]),
        last_failed_at=datetime.fromisoformat(row["last_failed_at"]),
        next_attempt_at=datetime.fromisoformat(row["next_attempt_at"]),
        stopped=bool(row["stopped"]))


def current(cursor: Cursor) -> dict[tuple[str, int], Failure]:
    """Every stopped generation, by (name, generation)."""
    rows = cursor.execute("SELECT * FROM {schema}.hirelog_projection_failures").all()
    return {(f.name, f.generation): f for f in map(_failure, rows)}


def record(cursor: Cursor, name: str, generation: int, position: int, event_type: str,
           error: str, stopped: bool = True) -> Failure:
    """One more failed attempt at the event at `position` (attempts restart at another)."""
    now = _now()
    row = cursor.execute("SELECT * FROM {schema}.hirelog_projection_failures "
                         "WHERE name = %s AND generation = %s", (name, generation)).one()
    earlier = _failure(row) if row else None
    same = earlier is not None and earlier.position == position
    attempts = earlier.attempts + 1 if same and earlier else 1
    first = earlier.first_failed_at if same and earlier else now
    failure = Failure(name, generation, position, event_type, error, attempts, first, now,
                      now + pause(attempts), stopped)
    cursor.execute("DELETE FROM {schema}.hirelog_projection_failures "
                   "WHERE name = %s AND generation = %s", (name, generation))
    cursor.execute(
        "INSERT INTO {schema}.hirelog_projection_failures (name, generation, position, "
        "event_type, error, attempts, first_failed_at, last_failed_at, next_attempt_at, "
        "stopped) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (name, generation, position, event_type, error, attempts, first.isoformat(),
         now.isoformat(), failure.next_attempt_at.isoformat(), int(stopped)))
    return failure


def clear(cursor: Cursor, name: str, generation: int) -> None:
    cursor.execute("DELETE FROM {schema}.hirelog_projection_failures "
                   "WHERE name = %s AND generation = %s", (name, generation))


def retry_now(cursor: Cursor, name: str | None = None) -> int:
    """Make stopped models due at once (every projector tries them on its next pass)."""
    statement = "UPDATE {schema}.hirelog_projection_failures SET next_attempt_at = %s"
    params: tuple[object, ...] = (_now().isoformat(),)
    if name is not None:
        statement += " WHERE name = %s"
        params += (name,)
    return cursor.execute(statement, params).rowcount


def is_due(failure: Failure | None, now: datetime | None = None) -> bool:
    return failure is None or failure.next_attempt_at <= (now or _now())

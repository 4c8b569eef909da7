"""The demo data set: clients, positions and candidates in every stage of the six-stage process,
loaded through the Recruitment commands only, deterministically (same seed, same commands).

Every candidate's steps are planned first; then all steps of everyone run in time order on a
simulated clock, so the global log reads like the months it describes (2026-05-04 to 10-30,
or the same six months moved to end in the week before a given day: `hirelog demo` uses today).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from demo import people as P
from demo.plan import END, SPECS, Step, client_id, plan, position_id  # noqa: F401 - re-exported
from domain.application import Caller, Recruitment
from domain.errors import DomainError, NotFound
from domain.scope import AGENCY
from domain.stages import Stage


class DemoAlreadyLoaded(DomainError):
    """The demo's fixed client and position ids are taken: load into a fresh database."""


@dataclass(frozen=True)
class DemoSummary:
    clients: int
    positions: int
    candidates: int
    events: int
    stages: dict[str, int]  # every Stage, in process order, with its number of candidates


class SimulatedClock:
    """The time the next command is recorded at: set by the loader before each command."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def is_loaded(app: Recruitment) -> bool:
    try:
        app.get_client(client_id(P.CLIENTS[0].key), AGENCY)
    except NotFound:
        return False
    return True


def shift_to(today: date | None) -> timedelta:
    """How far the demo's dates move so that it ends in the week before `today` (None: not at
    all: the plan's own dates, 2026-05-04 to 2026-10-30). Whole weeks, so that every step
    keeps its weekday (no interview moves to a Sunday)."""
    if today is None:
        return timedelta(0)
    weeks = ((today - timedelta(days=1)) - END.date()).days // 7
    return timedelta(weeks=weeks)


def _shifted(value: Any, by: timedelta) -> Any:
    """A step's argument with its dates and times moved (dates nested in lists too)."""
    if isinstance(value, date):  # a datetime too
        return value + by
    if isinstance(value, list | tuple):
        return type(value)(_shifted(item, by) for item in value)
    return value


def load_demo(app: Recruitment, *, seed: int = 7, candidates: int = 300,
              progress: Callable[[int, int], None] | None = None,
              today: date | None = None) -> DemoSummary:
    """Run the planned commands in time order; progress(done, total) counts in candidates.
    `today`: date the data relative to it (it ends in the week before; see shift_to)."""
    shift = shift_to(today)
    if is_loaded(app):
        raise DemoAlreadyLoaded("demo data is already loaded (its fixed client ids are taken); "
                                "load it into a fresh database")
    steps = plan(seed, candidates)
    first = app.recorder.max_notification_id() or 0
    original, clock = app.clock, SimulatedClock(steps[0].at + shift)
    ids: dict[int, UUID] = {}
    stages: dict[int, str] = {}
    done = 0
    app.clock = clock
    try:
        for n, step in enumerate(steps, 1):
            clock.now = step.at + shift
            caller = Caller(step.actor, request_id=f"demo-{seed}-{n:06d}")
            args = {name: _shifted(value, shift) for name, value in step.args.items()}
            if step.who is None:
                getattr(app, step.command)(caller=caller, **args)
            else:
                if step.command == "contact_candidate":
                    receipt = app.contact_candidate(caller=caller, **args)
                    ids[step.who] = receipt.id
                else:
                    receipt = getattr(app, step.command)(ids[step.who], caller, **args)
                stages[step.who] = str(receipt.stage)
            if progress and n * candidates // len(steps) > done:
                done = n * candidates // len(steps)
                progress(done, candidates)
    finally:
        app.clock = original
    counts = Counter(stages.values())
    # a command may record more than one event (a hire also counts on its position)
    events = (app.recorder.max_notification_id() or 0) - first
    return DemoSummary(len(P.CLIENTS), len(P.POSITIONS), len(ids), events,
                       {stage.value: counts[stage.value] for stage in Stage})



"""The demo data set: clients, positions and candidates in every stage of the six-stage process,
loaded through the Recruitment commands only, deterministically (same seed, same commands).

Every candidate's steps are planned first; then all steps of everyone run in time order on a
simulated clock, so the global log reads like the months it describes (2026-05-04 to 10-30).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from demo import people as P
from demo.plan import SPECS, Step, client_id, plan, position_id  # noqa: F401 - re-exported
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


def load_demo(app: Recruitment, *, seed: int = 7, candidates: int = 300,
              progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Run the planned commands in time order; progress(done, total) counts in candidates."""
    if is_loaded(app):
        raise DemoAlreadyLoaded("demo data is already loaded (its fixed client ids are taken); "
                                "load it into a fresh database")
    steps = plan(seed, candidates)
    original, clock = app.clock, SimulatedClock(steps[0].at)
    ids: dict[int, UUID] = {}
    stages: dict[int, str] = {}
    done = 0
    app.clock = clock
    try:
        for n, step in enumerate(steps, 1):
            clock.now = step.at
            caller = Caller(step.actor, request_id=f"demo-{seed}-{n:06d}")
            if step.who is None:
                getattr(app, step.command)(caller=caller, **step.args)
            else:
                if step.command == "contact_candidate":
                    receipt = app.contact_candidate(caller=caller, **step.args)
                    ids[step.who] = receipt.id
                else:
                    receipt = getattr(app, step.command)(ids[step.who], caller, **step.args)
                stages[step.who] = str(receipt.stage)
            if progress and n * candidates // len(steps) > done:
                done = n * candidates // len(steps)
                progress(done, candidates)
    finally:
        app.clock = original
    counts = Counter(stages.values())
    return DemoSummary(len(P.CLIENTS), len(P.POSITIONS), len(ids), len(steps),
                       {stage.value: counts[stage.value] for stage in Stage})



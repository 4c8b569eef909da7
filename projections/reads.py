"""Reading read models: the live generation of each, its position, and read-your-writes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from domain.scope import Scope
from hirelog.metrics import StoreState
from projections import catalog, failures
from projections.failures import Failure
from projections.readmodel import ReadModel
from projections.registry import MODELS, model_named
from storage.tables import Cursor, Tables


class Stopped(Exception):
    """The read model is stopped at an event before the position asked for."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.describe())
        self.failure = failure


@dataclass
class View:
    """One read model as of now: its live generation (for table names), its position, and
    the scope of the reader (every query limits what it returns to it)."""

    model: ReadModel
    position: int
    cursor: Cursor
    scope: Scope

    def table(self, short: str) -> str:
        return self.model.table(short)

    def other(self, name: str) -> ReadModel:
        """Another read model's live generation, in this view's transaction (for a query
        that needs one of its tables)."""
        state = catalog.active(self.cursor, name, keep=True)
        if state is None:
            raise LookupError(f"read model {name} has no live generation")
        return model_named(name)(state[0])


class ReadSide:
    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def positions(self) -> dict[str, int]:
        with self.tables.transaction(commit=False) as cursor:
            states = {m.name: catalog.active(cursor, m.name) for m in MODELS}
        return {name: state[1] if state else 0 for name, state in states.items()}

    def stopped(self) -> dict[str, Failure]:
        """The read models whose live generation is stopped at an event, by name."""
        with self.tables.transaction(commit=False) as cursor:
            live = {m.name: catalog.active(cursor, m.name) for m in MODELS}
            found = failures.current(cursor)
        return {name: found[(name, state[0])] for name, state in live.items()
                if state is not None and (name, state[0]) in found}

    def publisher_position(self) -> int | None:
        """How far the Kafka publisher got, or None where it never ran."""
        with self.tables.transaction(commit=False) as cursor:
            return catalog.position_of(cursor, catalog.PUBLISHER, 1)

    def publisher_failure(self) -> Failure | None:
        """The Kafka publisher's failure, if its last attempt failed (stopped or retrying)."""
        with self.tables.transaction(commit=False) as cursor:
            return failures.current(cursor).get((catalog.PUBLISHER, 1))

    def store_state(self, head: int) -> StoreState:
        """What /metrics reports of the store: each model's position and whether it is
        stopped, and the publisher's (None where it never ran)."""
        with self.tables.transaction(commit=False) as cursor:
            live = {m.name: catalog.active(cursor, m.name) for m in MODELS}
            found = failures.current(cursor)
            published = catalog.position_of(cursor, catalog.PUBLISHER, 1)
        models = {name: (state[1], (name, state[0]) in found) if state else (0, False)
                  for name, state in live.items()}
        publisher_failure = found.get((catalog.PUBLISHER, 1))
        publisher = None if published is None else (
            published, bool(publisher_failure and publisher_failure.stopped))
        return StoreState(head, models, publisher)

    def wait_for(self, name: str, position: int, timeout: float) -> bool:
        """True once the model has processed the log up to `position` (within `timeout`).
        Raises Stopped at once if the model is stopped before that position."""
        deadline = time.monotonic() + timeout
        while True:
            if self.positions()[name] >= position:
                return True
            failure = self.stopped().get(name)
            if failure is not None and failure.position <= position:
                raise Stopped(failure)
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)

    @contextmanager
    def view(self, name: str, scope: Scope) -> Iterator[View]:
        """A consistent snapshot of one read model (one read transaction), read within a
        scope."""
        model_class = model_named(name)
        with self.tables.transaction(commit=False) as cursor:
            state = catalog.active(cursor, name, keep=True)
            if state is None:
                raise LookupError(f"read model {name} has no live generation")
            generation, position = state
            yield View(model_class(generation), position, cursor, scope)

"""The projector: follows the event log and keeps every read model up to date, exactly once.

SQLite's recorder cannot subscribe, so the projector pulls the log after each model's tracked
position; it wakes at once after a save in its own process (serve runs it in-process), and
polls briefly otherwise (a projector process beside API processes)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from domain.application import Recruitment
from hirelog.tables import Cursor, Tables
from projections import catalog
from projections.readmodel import ReadModel

log = logging.getLogger("hirelog.projector")


class Projector:
    def __init__(self, app: Recruitment, models: Sequence[type[ReadModel]],
                 batch_size: int = 500) -> None:
        self.app, self.models, self.batch_size = app, list(models), batch_size
        self.tables = Tables(app)
        self.woken = threading.Event()
        app.on_save(lambda _position: self.woken.set())

    def read(self, after: int, limit: int | None = None) -> list[tuple[int, Any]]:
        """(position, domain event) pairs after a position, in log order."""
        notifications = self.app.recorder.select_notifications(
            start=after + 1, limit=limit or self.batch_size)
        return [(n.id, self.app.mapper.to_domain_event(n)) for n in notifications]

    def apply_batch(self, model_class: type[ReadModel], generation: int, read_from: int,
                    batch: Sequence[tuple[int, Any]]) -> bool:
        """Apply a batch to one generation and move its tracking, in one transaction.
        False (and nothing written) if another projector moved the tracking meanwhile."""
        if not batch:
            return True
        with self.tables.transaction() as cursor:
            apply_in(cursor, model_class, generation, read_from, batch)
        return True

    def run_once(self) -> int:
        """One batch for every read model that is behind; how many events were applied."""
        with self.tables.transaction(commit=False) as cursor:
            live = {m: catalog.active(cursor, m.name) for m in self.models}
        behind = {m: state for m, state in live.items() if state is not None}
        if not behind:
            return 0
        start = min(position for _, position in behind.values())
        events = self.read(start)
        applied = 0
        for model_class, (generation, position) in behind.items():
            batch = [(p, e) for p, e in events if p > position]
            try:
                self.apply_batch(model_class, generation, position, batch)
                applied += len(batch)
            except _Moved:
                log.info("%s g%s was moved by another projector", model_class.name, generation)
        return applied

    def run_forever(self, stop: threading.Event, idle_wait: float = 0.2,
                    on_error: Callable[[BaseException], None] | None = None) -> None:
        while not stop.is_set():
            try:
                applied = self.run_once()
            except Exception as error:
                log.exception("projector batch failed; retrying")
                if on_error:
                    on_error(error)
                stop.wait(1.0)
                continue
            if not applied:
                self.woken.wait(idle_wait)
                self.woken.clear()

    def start_thread(self) -> tuple[threading.Thread, threading.Event]:
        stop = threading.Event()
        thread = threading.Thread(target=self.run_forever, args=(stop,), name="projector",
                                  daemon=True)
        thread.start()
        return thread, stop


def apply_in(cursor: Cursor, model_class: type[ReadModel], generation: int, read_from: int,
             batch: Sequence[tuple[int, Any]]) -> None:
    """Within a transaction: move the tracking (compare-and-set), then apply the events."""
    model = model_class(generation)
    if not catalog.advance(cursor, model.name, generation, read_from, batch[-1][0]):
        raise _Moved
    for position, event in batch:
        model.apply(cursor, event, position)


class _Moved(Exception):
    """Another projector applied this batch first: roll back ours."""

"""The projector: follows the event log and keeps every read model up to date, exactly once.

SQLite's recorder cannot subscribe, so the projector pulls the log after each model's tracked
position; it wakes at once after a save in its own process (serve runs it in-process), and
polls briefly otherwise (a projector process beside API processes).

An event a read model cannot apply stops that model only, at that event (projections/
failures.py); the others go on. A store that cannot be used stops nothing for good: the pass
is retried after a pause.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any

from hirelog import metrics
from hirelog.progress import Progress
from projections import catalog, failures
from projections.readmodel import ReadModel
from storage import errors as store_errors
from storage.event_store import StoredRecruitment
from storage.tables import Cursor

log = logging.getLogger("hirelog.projector")


class Projector:
    def __init__(self, app: StoredRecruitment, models: Sequence[type[ReadModel]],
                 batch_size: int = 500) -> None:
        self.app, self.models, self.batch_size = app, list(models), batch_size
        self.tables = app.tables
        self.woken = threading.Event()
        app.on_save(lambda _events: self.woken.set())
        self.applied_total: dict[str, int] = {m.name: 0 for m in self.models}

    def read(self, after: int, limit: int | None = None) -> list[tuple[int, Any]]:
        """(position, domain event) pairs after a position, in log order, up to the first
        event that cannot be decoded (Undecodable when it is the first)."""
        notifications = self.app.recorder.select_notifications(
            start=after + 1, limit=limit or self.batch_size)
        events: list[tuple[int, Any]] = []
        for notification in notifications:
            try:
                events.append((notification.id, self.app.mapper.to_domain_event(notification)))
            except Exception as error:
                if events:
                    break  # the next read starts there, and raises
                raise Undecodable(notification.id, notification.topic, error) from error
        return events

    def apply_batch(self, model_class: type[ReadModel], generation: int, read_from: int,
                    batch: Sequence[tuple[int, Any]], clear_failure: bool = False) -> bool:
        """Apply a batch to one generation and move its tracking, in one transaction.
        Raises _Moved (and writes nothing) if another projector moved the tracking meanwhile."""
        if not batch:
            return True
        with self.tables.transaction() as cursor:
            apply_in(cursor, model_class, generation, read_from, batch)
            if clear_failure:
                failures.clear(cursor, model_class.name, generation)
        return True

    def run_once(self) -> int:
        """One batch for every read model that is behind and not waiting out a failure; how
        many events were applied."""
        with self.tables.transaction(commit=False) as cursor:
            live = {m: catalog.active(cursor, m.name) for m in self.models}
            stopped = failures.current(cursor)
        due = {m: (state, stopped.get((m.name, state[0]))) for m, state in live.items()
               if state is not None and failures.is_due(stopped.get((m.name, state[0])))}
        if not due:
            return 0
        start = min(position for (_, position), _ in due.values())
        try:
            events = self.read(start)
        except Undecodable as undecodable:
            self._stop_at_undecodable(undecodable, {
                m: generation for m, ((generation, position), _) in due.items()
                if position == start})
            return 0
        applied = 0
        for model_class, ((generation, position), failure) in due.items():
            batch = [(p, e) for p, e in events if p > position]
            if batch:
                applied += self._apply(model_class, generation, position, batch, failure)
        return applied

    def _apply(self, model_class: type[ReadModel], generation: int, position: int,
               batch: Sequence[tuple[int, Any]], failure: failures.Failure | None) -> int:
        try:
            self.apply_batch(model_class, generation, position, batch,
                             clear_failure=failure is not None)
        except _Moved:
            log.info("%s g%s was moved by another projector", model_class.name, generation)
            return 0
        except Exception as error:
            if store_errors.unavailable(error):
                raise
            return self._isolate(model_class, generation, position, batch,
                                 failure is not None)
        if failure is not None:
            log.warning("read model %s resumed at position %s after %s failed attempt(s)",
                        model_class.name, failure.position, failure.attempts)
        self._count(model_class.name, len(batch))
        return len(batch)

    def _count(self, name: str, applied: int) -> None:
        self.applied_total[name] += applied
        metrics.EVENTS_APPLIED.labels(name).inc(applied)

    def _stop_at_undecodable(self, undecodable: Undecodable,
                             stopped: dict[type[ReadModel], int]) -> None:
        """An event no model can read stops every model that has reached it."""
        with self.tables.transaction() as cursor:
            for model_class, generation in stopped.items():
                failure = failures.record(cursor, model_class.name, generation,
                                          undecodable.position, undecodable.event_type,
                                          failures.error_text(undecodable.cause))
                metrics.PROJECTOR_FAILURES.labels(model_class.name).inc()
                log.error("%s (it cannot be decoded); retry in %.0f s", failure.describe(),
                          failures.pause(failure.attempts).total_seconds())

    def _isolate(self, model_class: type[ReadModel], generation: int, position: int,
                 batch: Sequence[tuple[int, Any]], failing: bool) -> int:
        """Apply the batch one event at a time up to the event that fails, and stop the model
        there (recorded for every process to see)."""
        applied = 0
        for at, event in batch:
            try:
                self.apply_batch(model_class, generation, position, [(at, event)],
                                 clear_failure=failing)
                failing = False
            except _Moved:
                return applied
            except Exception as error:
                if store_errors.unavailable(error):
                    raise
                with self.tables.transaction() as cursor:
                    failure = failures.record(cursor, model_class.name, generation, at,
                                              type(event).__name__,
                                              failures.error_text(error))
                metrics.PROJECTOR_FAILURES.labels(model_class.name).inc()
                log.error("%s; the other read models go on; retry in %.0f s (attempt %s)",
                          failure.describe(), failures.pause(failure.attempts).total_seconds(),
                          failure.attempts, extra={"model": model_class.name, "position": at,
                                                   "event_type": type(event).__name__})
                return applied
            position, applied = at, applied + 1
            self._count(model_class.name, 1)
        return applied

    def run_forever(self, stop: threading.Event, idle_wait: float = 0.2,
                    on_error: Callable[[BaseException], None] | None = None) -> None:
        pause = 0.5
        progress = Progress(log, "applied")
        while not stop.is_set():
            try:
                applied = self.run_once()
            except Exception as error:
                if store_errors.unavailable(error):
                    log.warning("the store cannot be used (%s); retrying in %.1f s",
                                failures.error_text(error), pause)
                else:
                    log.exception("projector pass failed; retrying in %.1f s", pause)
                if on_error:
                    on_error(error)
                stop.wait(pause)
                pause = min(pause * 2, 10.0)
                continue
            pause = 0.5
            if applied:
                progress.add(applied)
            else:
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


class Undecodable(Exception):
    """The event at `position` cannot be decoded into a domain event."""

    def __init__(self, position: int, topic: str, cause: BaseException) -> None:
        super().__init__(f"the event at position {position} ({topic}) cannot be decoded")
        self.position, self.cause = position, cause
        self.event_type = topic.rsplit(":", 1)[-1].rsplit(".", 1)[-1]


class _Moved(Exception):
    """Another projector applied this batch first: roll back ours."""

"""Rebuild a read model from the start of the log into a new generation of tables, and switch
readers over only when it has caught up: nobody ever reads a half-built model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from projections import catalog, failures
from projections.projector import Projector, Undecodable, apply_in
from projections.readmodel import ReadModel
from storage import errors as store_errors
from storage.event_store import StoredRecruitment
from storage.tables import Tables

Progress = Callable[[int, int], None]  # (position reached, head of the log)


def start_generation(tables: Tables, model_class: type[ReadModel]) -> int:
    with tables.transaction() as cursor:
        generation = max(catalog.generations(cursor, model_class.name), default=0) + 1
        for statement in model_class(generation).create_statements():
            cursor.execute(statement)
        catalog.register(cursor, model_class.name, generation, active=False)
    return generation


def catch_up(app: StoredRecruitment, model_class: type[ReadModel], generation: int,
             progress: Progress | None = None, batch_size: int = 1000) -> int:
    """Apply the log to a generation until nothing is left; its final position."""
    projector = Projector(app, [model_class], batch_size=batch_size)
    with projector.tables.transaction(commit=False) as cursor:
        position = catalog.position_of(cursor, model_class.name, generation) or 0
    while batch := _read(projector, model_class, position):
        try:
            projector.apply_batch(model_class, generation, position, batch)
        except Exception as error:
            if store_errors.unavailable(error):
                raise
            raise CannotApply(model_class.name, _first_failing(app, model_class, generation, batch),
                              failures.error_text(error)) from error
        position = batch[-1][0]
        if progress:
            progress(position, app.recorder.max_notification_id() or position)
    return position


def _read(projector: Projector, model_class: type[ReadModel],
          position: int) -> list[tuple[int, Any]]:
    try:
        return projector.read(position)
    except Undecodable as undecodable:
        raise CannotApply(model_class.name, (undecodable.position, undecodable.event_type),
                          failures.error_text(undecodable.cause)) from undecodable


class CannotApply(Exception):
    """A rebuild reached an event its read model cannot apply."""

    def __init__(self, name: str, at: tuple[int, str], error: str) -> None:
        super().__init__(f"read model {name} cannot apply the event at position {at[0]} "
                         f"({at[1]}): {error}")


def _first_failing(app: StoredRecruitment, model_class: type[ReadModel], generation: int,
                   batch: list[tuple[int, Any]]) -> tuple[int, str]:
    """The first event of a batch the model cannot apply (tried again in a transaction that
    is rolled back)."""
    model = model_class(generation)
    with app.tables.transaction(commit=False) as cursor:
        for position, event in batch:
            try:
                model.apply(cursor, event, position)
            except Exception:
                return position, type(event).__name__
    return batch[0][0], type(batch[0][1]).__name__


def rebuild(app: StoredRecruitment, model_class: type[ReadModel], progress: Progress | None = None,
            keep_old: bool = False) -> tuple[int, int | None]:
    """(new generation, old generation) after switching readers to the new one. The old
    generation's tables are dropped unless keep_old (to compare the two)."""
    tables = app.tables
    generation = start_generation(tables, model_class)
    catch_up(app, model_class, generation, progress)
    old = switch(app, tables, model_class, generation)
    if old is not None and not keep_old:
        drop_generation(tables, model_class, old)
    return generation, old


def switch(app: StoredRecruitment, tables: Tables, model_class: type[ReadModel],
           generation: int) -> int | None:
    """Make `generation` live, never behind the live one: with the catalog rows locked (no
    projector can move the live generation meanwhile), bring the new generation at least as
    far as the live one has got, then switch. The old live generation, if any."""
    projector = Projector(app, [model_class])
    name = model_class.name
    with tables.transaction() as cursor:
        catalog.lock(cursor, name)
        live = catalog.active(cursor, name)
        position = catalog.position_of(cursor, name, generation) or 0
        target = live[1] if live else 0
        while position < target and (batch := _read(projector, model_class, position)):
            apply_in(cursor, model_class, generation, position, batch)
            position = batch[-1][0]
        catalog.activate(cursor, name, generation)
    return live[0] if live else None


def drop_generation(tables: Tables, model_class: type[ReadModel], generation: int) -> None:
    with tables.transaction() as cursor:
        catalog.forget(cursor, model_class.name, generation)
        failures.clear(cursor, model_class.name, generation)
        for statement in model_class(generation).drop_statements():
            cursor.execute(statement)

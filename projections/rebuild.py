"""Rebuild a read model from the start of the log into a new generation of tables, and switch
readers over only when it has caught up: nobody ever reads a half-built model."""

from __future__ import annotations

from collections.abc import Callable

from domain.application import Recruitment
from hirelog.tables import Tables
from projections import catalog
from projections.projector import Projector, apply_in
from projections.readmodel import ReadModel

Progress = Callable[[int, int], None]  # (position reached, head of the log)


def start_generation(tables: Tables, model_class: type[ReadModel]) -> int:
    with tables.transaction() as cursor:
        generation = max(catalog.generations(cursor, model_class.name), default=0) + 1
        for statement in model_class(generation).create_statements():
            cursor.execute(statement)
        catalog.register(cursor, model_class.name, generation, active=False)
    return generation


def catch_up(app: Recruitment, model_class: type[ReadModel], generation: int,
             progress: Progress | None = None, batch_size: int = 1000) -> int:
    """Apply the log to a generation until nothing is left; its final position."""
    projector = Projector(app, [model_class], batch_size=batch_size)
    with projector.tables.transaction(commit=False) as cursor:
        position = catalog.position_of(cursor, model_class.name, generation) or 0
    while batch := projector.read(position):
        projector.apply_batch(model_class, generation, position, batch)
        position = batch[-1][0]
        if progress:
            progress(position, app.recorder.max_notification_id() or position)
    return position


def rebuild(app: Recruitment, model_class: type[ReadModel], progress: Progress | None = None,
            keep_old: bool = False) -> tuple[int, int | None]:
    """(new generation, old generation) after switching readers to the new one. The old
    generation's tables are dropped unless keep_old (to compare the two)."""
    tables = Tables(app)
    generation = start_generation(tables, model_class)
    catch_up(app, model_class, generation, progress)
    old = switch(app, tables, model_class, generation)
    if old is not None and not keep_old:
        drop_generation(tables, model_class, old)
    return generation, old


def switch(app: Recruitment, tables: Tables, model_class: type[ReadModel],
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
        while position < target and (batch := projector.read(position)):
            apply_in(cursor, model_class, generation, position, batch)
            position = batch[-1][0]
        catalog.activate(cursor, name, generation)
    return live[0] if live else None


def drop_generation(tables: Tables, model_class: type[ReadModel], generation: int) -> None:
    with tables.transaction() as cursor:
        catalog.forget(cursor, model_class.name, generation)
        for statement in model_class(generation).drop_statements():
            cursor.execute(statement)

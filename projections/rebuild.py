"""Rebuild a read model from the start of the log into a new generation of tables, and switch
readers over only when it has caught up: nobody ever reads a half-built model."""

from __future__ import annotations

from collections.abc import Callable

from domain.application import Recruitment
from hirelog.tables import Tables
from projections import catalog
from projections.projector import Projector
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
    with tables.transaction() as cursor:
        live = catalog.active(cursor, model_class.name)
        catalog.activate(cursor, model_class.name, generation)
    old = live[0] if live else None
    if old is not None and not keep_old:
        drop_generation(tables, model_class, old)
    return generation, old


def drop_generation(tables: Tables, model_class: type[ReadModel], generation: int) -> None:
    with tables.transaction() as cursor:
        catalog.forget(cursor, model_class.name, generation)
        for statement in model_class(generation).drop_statements():
            cursor.execute(statement)

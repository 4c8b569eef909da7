"""Helpers for read model tests: run the projector until it has applied the whole log, and
dump every table of every live read model (to compare a model with a rebuild)."""

from __future__ import annotations

from typing import Any

from domain.application import Recruitment
from hirelog.tables import Tables
from projections import catalog
from projections.projector import Projector
from projections.registry import MODELS


def project_all(app: Recruitment) -> int:
    """Apply every event not yet applied to every read model; how many were applied."""
    projector, total = Projector(app, MODELS), 0
    while applied := projector.run_once():
        total += applied
    return total


def dump(app: Recruitment, generations: dict[str, int] | None = None) -> dict[str, Any]:
    """{model: {table: rows}} for the live generation of every model (or those given)."""
    out: dict[str, Any] = {}
    with Tables(app).transaction(commit=False) as cursor:
        for model_class in MODELS:
            generation = (generations or {}).get(model_class.name) or catalog.active(
                cursor, model_class.name)[0]
            model = model_class(generation)
            out[model_class.name] = {short: model.rows(cursor, short) for short in model.tables}
    return out

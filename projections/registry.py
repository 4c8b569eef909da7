"""Every read model hirelog keeps, and creating their first generation."""

from __future__ import annotations

from audit.compliance import ComplianceModel
from projections import catalog, failures
from projections.assessments import AssessmentsModel
from projections.candidates import CandidatesModel
from projections.funnel import FunnelModel
from projections.readmodel import ReadModel
from projections.shortlist import ShortlistModel

MODELS: tuple[type[ReadModel], ...] = (CandidatesModel, ShortlistModel, FunnelModel,
                                        AssessmentsModel, ComplianceModel)


def model_named(name: str) -> type[ReadModel]:
    for model in MODELS:
        if model.name == name:
            return model
    raise KeyError(f"no read model {name!r}; there are: {', '.join(m.name for m in MODELS)}")


def create_first_generations(tables) -> None:
    """Generation 1 of every model that has none yet (run under the schema lock)."""
    with tables.transaction() as cursor:
        for statement in (*catalog.DDL, *failures.DDL):
            cursor.execute(statement)
        for model in MODELS:
            if catalog.generations(cursor, model.name):
                continue
            for statement in model(1).create_statements():
                cursor.execute(statement)
            catalog.register(cursor, model.name, 1, active=True)

"""Helpers for read model tests: run the projector until it has applied the whole log, and
dump every table of every live read model (to compare a model with a rebuild)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from domain.application import Recruitment
from projections import catalog
from projections.projector import Projector
from projections.rebuild import rebuild
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
    with app.tables.transaction(commit=False) as cursor:
        for model_class in MODELS:
            generation = (generations or {}).get(model_class.name) or catalog.active(
                cursor, model_class.name)[0]
            model = model_class(generation)
            out[model_class.name] = {short: model.rows(cursor, short) for short in model.tables}
    return out


# --- the database, seen from the test process ---

def head_of(app: Recruitment) -> int:
    return app.recorder.max_notification_id() or 0


def live_states(app: Recruitment) -> dict[str, tuple[int, int]]:
    """{model: (live generation, its position)}."""
    with app.tables.transaction(commit=False) as cursor:
        states = {m.name: catalog.active(cursor, m.name) for m in MODELS}
    assert all(states.values()), f"a model has no live generation: {states}"
    return states  # type: ignore[return-value]


def live_positions(app: Recruitment) -> dict[str, int]:
    return {name: position for name, (_, position) in live_states(app).items()}


def caught_up(app: Recruitment) -> bool:
    return min(live_positions(app).values()) >= head_of(app)


def row_key(row: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((column, repr(value)) for column, value in row.items()))


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """What differs between two dumps, table by table (row multisets), briefly."""
    found = []
    for model in sorted(expected.keys() | actual.keys()):
        tables_e, tables_a = expected.get(model, {}), actual.get(model, {})
        for table in sorted(tables_e.keys() | tables_a.keys()):
            rows_e = Counter(row_key(r) for r in tables_e.get(table, []))
            rows_a = Counter(row_key(r) for r in tables_a.get(table, []))
            missing, extra = rows_e - rows_a, rows_a - rows_e
            if missing or extra:
                found.append(
                    f"{model}.{table}: {sum(rows_e.values())} rows expected, "
                    f"{sum(rows_a.values())} found; {sum(missing.values())} missing "
                    f"(e.g. {dict(next(iter(missing))) if missing else '-'}), "
                    f"{sum(extra.values())} unexpected (e.g. "
                    f"{dict(next(iter(extra))) if extra else '-'})")
    return found


def assert_live_equals_clean_rebuild(app: Recruitment) -> dict[str, Any]:
    """Rebuild every model into a new generation (keeping the live one) and compare every
    table's rows; the clean dump, for further checks."""
    head = head_of(app)
    before = live_states(app)
    assert all(position == head for _, position in before.values()), (
        f"the live models are not caught up with the log (head {head}): {before}")
    old, new = {}, {}
    for model in MODELS:
        new[model.name], old[model.name] = rebuild(app, model, keep_old=True)
        assert old[model.name] == before[model.name][0]
    live, clean = dump(app, old), dump(app, new)
    assert not differences(clean, live), (
        "the live read models differ from a clean rebuild:\n" + "\n".join(
            differences(clean, live)))
    for name, tables in clean.items():
        assert any(tables.values()), f"the {name} read model is empty: nothing to compare"
    with app.tables.transaction(commit=False) as cursor:
        for name in new:
            assert catalog.position_of(cursor, name, new[name]) == head
            assert catalog.position_of(cursor, name, old[name]) == head
    return clean

"""What several read models' queries share: rows within a time span and the reader's
scope, quantiles, rates and durations."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from projections.readmodel import from_iso, iso

if TYPE_CHECKING:
    from projections.reads import View


def client_condition(view: View, asked: str | None = None) -> tuple[str, list[Any]]:
    """`AND client_id = %s` limiting rows to the client asked for within the reader's scope,
    with its parameter ("" and none where every client is seen)."""
    client = view.scope.client_filter(asked)
    return ("", []) if client is None else (" AND client_id = %s", [client])


def equal_to(pairs: Sequence[tuple[str, Any]]) -> tuple[list[str], list[Any]]:
    """`column = %s` conditions and their parameters for the (column, value) pairs whose
    value is given (not None)."""
    given = [(column, value) for column, value in pairs if value is not None]
    return [f"{column} = %s" for column, _ in given], [value for _, value in given]


def containing(column: str, text: str) -> tuple[str, str]:
    """A case-insensitive `column LIKE` condition matching `text` anywhere, with `text`'s
    wildcards escaped, and its parameter (`column` holds lowercase text)."""
    escaped = text.lower().replace("!", "!!").replace("%", "!%").replace("_", "!_")
    return f"{column} LIKE %s ESCAPE '!'", f"%{escaped}%"


def quantile(values: Sequence[float], q: float) -> float | None:
    """The q-quantile by linear interpolation between closest ranks (numpy's default, and
    the usual median for an even count); None for no values; rounded to 0.01."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (rank - low) * (ordered[high] - ordered[low]), 2)


def hours_between(start: str, end: str) -> float:
    ended, started = from_iso(end), from_iso(start)
    assert ended is not None and started is not None
    return (ended - started).total_seconds() / 3600


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def select(view: View, table: str, time_column: str, client_id: str | None,
           position_id: str | None, start: datetime | None = None,
           end: datetime | None = None) -> list[dict[str, Any]]:
    """Rows of one table for a client and/or position, with start <= time_column < end,
    within the reader's scope."""
    where, params = equal_to((("client_id", view.scope.client_filter(client_id)),
                              ("position_id", position_id)))
    where.insert(0, f"{time_column} IS NOT NULL")
    for operator, moment in ((">=", start), ("<", end)):
        if moment is not None:
            where.append(f"{time_column} {operator} %s")
            params.append(iso(moment))
    return view.cursor.execute(f"SELECT * FROM {view.table(table)} WHERE "
                               f"{' AND '.join(where)} ORDER BY 1, 2", params).all()

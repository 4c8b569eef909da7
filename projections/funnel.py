"""The funnel read model: one row per time a candidate enters a stage (a visit), so the agency
sees where candidates drop out, how long each stage takes, and how long a hire takes."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain import stages
from domain.candidate import Candidate
from domain.stages import CLOSED, Stage
from domain.values import Source
from projections.readmodel import ReadModel, from_iso, iso
from storage.tables import Cursor

if TYPE_CHECKING:  # projections.reads imports the registry, which imports this module
    from projections.reads import View

DROPS = tuple(s.value for s in Stage if s in stages.DROPPED)  # in process order
ORDER = {stage.value: index for index, stage in enumerate(Stage)}  # the process order


class FunnelModel(ReadModel):
    name = "funnel"
    tables = {
        "funnel_visits": """
            candidate_id TEXT NOT NULL, visit INTEGER NOT NULL, position_id TEXT NOT NULL,
            client_id TEXT NOT NULL, source TEXT NOT NULL, stage TEXT NOT NULL,
            entered_at TEXT NOT NULL, left_at TEXT, next_stage TEXT,
            PRIMARY KEY (candidate_id, visit)""",
        "funnel_candidates": """
            candidate_id TEXT PRIMARY KEY, position_id TEXT NOT NULL, client_id TEXT NOT NULL,
            source TEXT NOT NULL, stage TEXT NOT NULL, visits INTEGER NOT NULL,
            contacted_at TEXT NOT NULL, hired_at TEXT""",
    }
    indexes = (("funnel_visits", "client_id, entered_at"),
               ("funnel_visits", "position_id, entered_at"),
               ("funnel_candidates", "client_id, hired_at"))

    def apply(self, cursor: Cursor, event: Any, position: int) -> None:
        """A new visit when an event moves the candidate to another stage; nothing otherwise."""
        stage = event.stage_after() if hasattr(event, "stage_after") else None
        if stage is None:
            return
        at, candidate_id = iso(event.timestamp), str(event.originator_id)
        if isinstance(event, Candidate.Contacted):
            person: dict[str, Any] = {
                "candidate_id": candidate_id, "position_id": str(event.position_id),
                "client_id": str(event.client_id), "source": event.source, "visits": 0}
            cursor.execute(
                f"INSERT INTO {self.table('funnel_candidates')} (candidate_id, position_id, "
                "client_id, source, stage, visits, contacted_at) VALUES (%s, %s, %s, %s, %s, "
                "0, %s)", (candidate_id, person["position_id"], person["client_id"],
                           event.source, stage.value, at))
        else:
            found = cursor.execute(f"SELECT * FROM {self.table('funnel_candidates')} "
                                   "WHERE candidate_id = %s", (candidate_id,)).one()
            assert found is not None, f"no Contacted seen for candidate {candidate_id}"
            person = found
            if person["stage"] == stage.value:
                return  # e.g. an interview rescheduled, a second interviewer's feedback
            cursor.execute(f"UPDATE {self.table('funnel_visits')} SET left_at = %s, "
                           "next_stage = %s WHERE candidate_id = %s AND visit = %s",
                           (at, stage.value, candidate_id, person["visits"]))
        visit = person["visits"] + 1
        cursor.execute(
            f"INSERT INTO {self.table('funnel_visits')} (candidate_id, visit, position_id, "
            "client_id, source, stage, entered_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (candidate_id, visit, person["position_id"], person["client_id"], person["source"],
             stage.value, at))
        hired = at if stage is Stage.HIRED else None
        cursor.execute(f"UPDATE {self.table('funnel_candidates')} SET stage = %s, visits = %s, "
                       "hired_at = COALESCE(hired_at, %s) WHERE candidate_id = %s",
                       (stage.value, visit, hired, candidate_id))


# --- statistics shared by the reports ---

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
    where: list[str] = [f"{time_column} IS NOT NULL"]
    params: list[Any] = []
    for column, value in (("client_id", view.scope.client_filter(client_id)),
                          ("position_id", position_id)):
        if value is not None:
            where.append(f"{column} = %s")
            params.append(value)
    for operator, moment in ((">=", start), ("<", end)):
        if moment is not None:
            where.append(f"{time_column} {operator} %s")
            params.append(iso(moment))
    return view.cursor.execute(f"SELECT * FROM {view.table(table)} WHERE "
                               f"{' AND '.join(where)} ORDER BY 1, 2", params).all()


# --- the report ---

def stage_figures(stage: Stage, visits: list[dict[str, Any]]) -> dict[str, Any]:
    left = [v for v in visits if v["next_stage"] is not None]
    dropped = Counter(v["next_stage"] for v in left if v["next_stage"] in DROPS)
    later = [v for v in left if v["next_stage"] not in DROPS
             and ORDER[v["next_stage"]] > ORDER[stage.value]]
    hours = [hours_between(v["entered_at"], v["left_at"]) for v in left]
    return {
        "stage": stage.value, "final": stage in CLOSED, "entered": len(visits),
        "passed_on": len(later), "dropped": sum(dropped.values()),
        "dropped_by": {kind: dropped[kind] for kind in DROPS},
        "went_back": len(left) - len(later) - sum(dropped.values()),
        "still_in": len(visits) - len(left),
        "pass_through_rate": rate(len(later), len(visits)),
        "median_hours": quantile(hours, 0.5), "p90_hours": quantile(hours, 0.9),
        "left_to": dict(sorted(Counter(v["next_stage"] for v in left).items())),
    }


def funnel(view: View, *, client_id: str | None = None, position_id: str | None = None,
           start: datetime | None = None, end: datetime | None = None) -> dict[str, Any]:
    """Per stage in process order, over the visits that entered it in [start, end): entered,
    passed on (left to a later stage that is not a drop), dropped (per kind), went back (to
    an earlier stage: a second interview round, a new offer after a decline), still in, the
    pass-through rate, and the median and 90th percentile hours in the stage of the visits
    that have left it. Time to hire (first contact to Hired, days) and hires by source count
    the hires made in [start, end). Percentiles interpolate linearly (see `quantile`)."""
    by_stage: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in select(view, "funnel_visits", "entered_at", client_id, position_id, start, end):
        by_stage[row["stage"]].append(row)
    hires = select(view, "funnel_candidates", "hired_at", client_id, position_id, start, end)
    days = [hours_between(h["contacted_at"], h["hired_at"]) / 24 for h in hires]
    sources = Counter(h["source"] for h in hires)
    return {
        "stages": [stage_figures(stage, by_stage[stage.value]) for stage in Stage],
        "time_to_hire": {"hires": len(hires), "median_days": quantile(days, 0.5),
                         "p90_days": quantile(days, 0.9)},
        "hires_by_source": {source.value: sources[source.value] for source in Source},
    }

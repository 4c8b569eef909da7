"""Queries on the funnel read model: per stage, entered, passed on, dropped, time in stage;
time to hire and hires by source."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain import stages
from domain.stages import CLOSED, Stage
from domain.values import Source
from projections.queries import hours_between, quantile, rate, select

DROPS = tuple(s.value for s in Stage if s in stages.DROPPED)  # in process order
ORDER = {stage.value: index for index, stage in enumerate(Stage)}  # the process order

if TYPE_CHECKING:
    from projections.reads import View


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

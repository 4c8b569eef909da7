"""Queries on the assessments read model: abandonment by assessment length and reason,
completion time, reschedules: whether a test is too long for the candidates."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from domain.values import AbandonReason
from projections.queries import hours_between, quantile, rate, select

# (name, shortest, longest) in minutes; None: no upper bound
BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("up_to_60", 0, 60), ("61_to_120", 61, 120), ("121_to_240", 121, 240),
    ("over_240", 241, None))
OUTCOMES = ("pending", "completed", "abandoned", "withdrawn")

if TYPE_CHECKING:  # projections.reads imports the registry, which imports this module
    from projections.reads import View


def band_of(minutes: int) -> str:
    return next(name for name, _, longest in BANDS if longest is None or minutes <= longest)


def _counts(rows: list[dict[str, Any]]) -> dict[str, Any]:
    outcomes = Counter(r["outcome"] for r in rows)
    ended = outcomes["completed"] + outcomes["abandoned"]
    return {"assigned": len(rows), **{o: outcomes[o] for o in OUTCOMES},
            "abandonment_rate": rate(outcomes["abandoned"], ended)}


def assessment_report(view: View, *, client_id: str | None = None,
                      position_id: str | None = None) -> dict[str, Any]:
    """Abandonment by duration band and overall (abandonment rate = abandoned / (completed +
    abandoned): pending and withdrawn assessments say nothing about the test), abandonment
    by reason (share of all abandoned), completion time (assigned to Assessed, hours: median
    and 90th percentile by linear interpolation, see funnel.quantile) and reschedules."""
    rows = select(view, "assessments", "assigned_at", client_id, position_id)
    abandoned = Counter(r["abandon_reason"] for r in rows if r["outcome"] == "abandoned")
    total_abandoned = sum(abandoned.values())
    hours = [hours_between(r["assigned_at"], r["finished_at"]) for r in rows
             if r["outcome"] == "completed"]
    return {
        "overall": _counts(rows),
        "by_duration": [{"band": name, "min_minutes": shortest, "max_minutes": longest,
                         **_counts([r for r in rows if band_of(r["duration_minutes"]) == name])}
                        for name, shortest, longest in BANDS],
        "by_reason": [{"reason": reason.value, "abandoned": abandoned[reason.value],
                       "share": rate(abandoned[reason.value], total_abandoned)}
                      for reason in AbandonReason],
        "completion_time": {"completed": len(hours), "median_hours": quantile(hours, 0.5),
                            "p90_hours": quantile(hours, 0.9)},
        "reschedules": {"total": sum(r["reschedules"] for r in rows),
                        "assessments_rescheduled": sum(1 for r in rows if r["reschedules"])},
    }

"""The compliance report, read from the compliance read model: whether and when every
candidate was told an outcome, and which client-side steps the client took itself."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING, Any

from audit.compliance import BY_CLIENT, KINDS, ON_BEHALF, STEPS
from projections.queries import quantile, select
from projections.readmodel import from_iso

if TYPE_CHECKING:  # projections.reads imports the registry, which imports the model
    from projections.reads import View

# A candidate told more than this many days after the outcome was told late; one still
# waiting longer is overdue (the same 3 days as the recruiters report's overdue notice).
NOTICE_DAYS = 3
STATUSES = ("told", "owed", "withdrawn")


def _days(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds() / 86400)


def _actor(row: dict[str, Any], prefix: str = "actor") -> dict[str, Any] | None:
    if row[f"{prefix}_id"] is None:
        return None
    return {"id": row[f"{prefix}_id"], "name": row[f"{prefix}_name"],
            "role": row[f"{prefix}_role"], "client_id": row.get(f"{prefix}_client_id")}


def _who(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in ("candidate_id", "candidate_name", "position_id",
                                      "position_title", "client_id", "client_name")}


def outcome_item(row: dict[str, Any], now: datetime) -> dict[str, Any]:
    """One outcome: told (and how late), still owed (and how long), or withdrawn untold."""
    at, told_at = from_iso(row["at"]), from_iso(row["told_at"])
    assert at is not None
    status = "told" if told_at else "withdrawn" if row["withdrawn_at"] else "owed"
    to_tell = _days(at, told_at) if told_at else None
    waiting = _days(at, now) if status == "owed" else None
    return {
        **_who(row), "kind": row["kind"], "at": at, "log_position": row["log_position"],
        "reason": row["reason"], "decided_by": row["decided_by"], "actor": _actor(row),
        "taken_by": row["taken_by"], "told": told_at is not None, "told_at": told_at,
        "told_via": row["told_via"], "told_by": _actor(row, "told_by"),
        "days_to_tell": round(to_tell, 1) if to_tell is not None else None,
        "status": status, "days_waiting": round(waiting, 1) if waiting is not None else None,
        "late": (to_tell if to_tell is not None else waiting or 0.0) > NOTICE_DAYS,
        "withdrawn_at": from_iso(row["withdrawn_at"]),
    }


def step_item(row: dict[str, Any]) -> dict[str, Any]:
    return {"log_position": row["log_position"], **_who(row), "step": row["step"],
            "event": row["event"], "at": from_iso(row["at"]), "actor": _actor(row),
            "taken_by": row["taken_by"], "outcome": row["outcome"],
            "interview_round": row["interview_round"], "interviewer": row["interviewer"],
            "rating": row["rating"]}


def outcome_totals(items: list[dict[str, Any]]) -> dict[str, Any]:
    statuses = Counter(item["status"] for item in items)
    kinds = Counter(item["kind"] for item in items)
    days = [_days(item["at"], item["told_at"]) for item in items if item["told"]]
    return {
        "total": len(items), **{status: statuses[status] for status in STATUSES},
        "told_late": sum(1 for i in items if i["status"] == "told" and i["late"]),
        "overdue": sum(1 for i in items if i["status"] == "owed" and i["late"]),
        "by_kind": {kind: kinds[kind] for kind in KINDS},
        "median_days_to_tell": quantile(days, 0.5),
    }


def step_totals(items: list[dict[str, Any]]) -> dict[str, Any]:
    pairs = Counter((item["step"], item["taken_by"]) for item in items)
    return {
        "total": len(items), BY_CLIENT: sum(1 for i in items if i["taken_by"] == BY_CLIENT),
        ON_BEHALF: sum(1 for i in items if i["taken_by"] == ON_BEHALF),
        "by_step": {step: {BY_CLIENT: pairs[step, BY_CLIENT], ON_BEHALF: pairs[step, ON_BEHALF]}
                    for step in STEPS.values()},
    }


def compliance(view: View, now: datetime, *, client_id: str | None = None,
               position_id: str | None = None, start: datetime | None = None,
               end: datetime | None = None) -> dict[str, Any]:
    """The outcomes (decided, disqualified, rejected, abandoned) that happened in
    [start, end), oldest first, each with whether and when the candidate was told as of
    `now`; the client-side steps taken in [start, end), in log order; and their totals
    (the median days to tell is over the told ones, unrounded, then rounded to 0.01)."""
    outcomes = sorted(select(view, "compliance_outcomes", "at", client_id, position_id,
                             start, end), key=lambda r: (r["at"], r["log_position"]))
    steps = sorted(select(view, "compliance_steps", "at", client_id, position_id, start,
                          end), key=lambda r: r["log_position"])
    outcome_items = [outcome_item(row, now) for row in outcomes]
    step_items = [step_item(row) for row in steps]
    return {
        "start": start, "end": end, "as_of": now, "notice_days": NOTICE_DAYS,
        "outcomes": outcome_items, "client_steps": step_items,
        "totals": {"outcomes": outcome_totals(outcome_items),
                   "client_steps": step_totals(step_items)},
    }

"""Queries on the candidates read model: the list, a position's pipeline, a client's
dashboard, the notices still owed, and overdue steps per recruiter."""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from domain import stages
from domain.stages import Stage
from projections.candidates import CandidatesModel
from projections.queries import client_condition, containing, equal_to
from projections.readmodel import from_iso, iso
from projections.reads import View

OWED_A_NOTICE = tuple(sorted(s.value for s in stages.OWED_A_NOTICE))
NOT_OPEN = tuple(sorted(s.value for s in stages.NOT_OPEN))


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"after:{position}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """ValueError for anything that is not a cursor this API handed out."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        label, _, number = text.partition(":")
        if label != "after" or not (number.isascii() and number.isdigit()):
            raise ValueError
        if int(number) >= 2**63:
            raise ValueError
        return int(number)
    except (ValueError, UnicodeDecodeError):
        raise ValueError(f"not a cursor: {cursor!r}") from None


# What only the agency's staff and auditors see of a candidate in a list: contact details and
# how the agency found them (a client sees what was presented to it).
STAFF_ONLY = ("email", "source")
[SHOWN_BY] = CandidatesModel.client_reads_also  # the model of what clients were shown


def summary(row: dict[str, Any], now: datetime, agency: bool = True) -> dict[str, Any]:
    since = from_iso(row["stage_since"])
    item = {
        "id": row["id"], "name": row["name"], "email": row["email"],
        "position_id": row["position_id"], "client_id": row["client_id"],
        "source": row["source"], "stage": row["stage"], "stage_since": since,
        "days_in_stage": max(0, (now - since).days) if since else 0,
        "score": row["score"], "failed_required_skills": json.loads(row["failed_required"]),
        "last_activity": from_iso(row["last_activity"]),
    }
    if not agency:
        for field in STAFF_ONLY:
            del item[field]
    return item


def presented_only(view: View) -> str:
    """For a client's reader, ` AND id IN (...)`: the candidates the agency presented to it
    (those on the shortlist read model); nothing for the agency's staff and auditors."""
    if view.scope.is_agency:
        return ""
    shortlist = view.other(SHOWN_BY).table("shortlist")
    return f" AND id IN (SELECT candidate_id FROM {shortlist})"


def as_presented(view: View, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """For a client's reader, the rows with the name, score and required-skill flags the
    client was shown (the shortlist's, as presented), not as corrected since."""
    if view.scope.is_agency or not rows:
        return rows
    shortlist = view.other(SHOWN_BY).table("shortlist")
    marks = ", ".join(["%s"] * len(rows))
    shown = {r["candidate_id"]: r for r in view.cursor.execute(
        f"SELECT candidate_id, name, score, failed_required FROM {shortlist} "
        f"WHERE candidate_id IN ({marks})", [r["id"] for r in rows]).all()}
    return [{**row, **{k: shown[row["id"]][k] for k in ("name", "score", "failed_required")}}
            for row in rows if row["id"] in shown]


def candidate_page(view: View, now: datetime, *, limit: int, after: int = 0,
                   client_id: str | None = None, position_id: str | None = None,
                   stage: str | None = None, source: str | None = None,
                   q: str | None = None) -> dict[str, Any]:
    """Keyset pagination on the first-contact position: new candidates only ever come after
    the last page, so paging never skips or repeats one. Within the reader's scope."""
    where, params = equal_to((("client_id", view.scope.client_filter(client_id)),
                              ("position_id", position_id), ("stage", stage),
                              ("source", source)))
    where.insert(0, "contact_position > %s")
    params.insert(0, after)
    if q:  # a client searches names only: it is shown no emails
        condition, pattern = containing("search" if view.scope.is_agency else "lower(name)", q)
        where.append(condition)
        params.append(pattern)
    rows = view.cursor.execute(
        f"SELECT * FROM {view.table('candidates')} WHERE {' AND '.join(where)}"
        f"{presented_only(view)} ORDER BY contact_position LIMIT %s",
        (*params, limit + 1)).all()
    more = len(rows) > limit
    rows = as_presented(view, rows[:limit])
    agency = view.scope.is_agency
    return {"items": [summary(r, now, agency) for r in rows],
            "next_cursor": encode_cursor(rows[-1]["contact_position"]) if more else None}


def position_row(view: View, position_id: str) -> dict[str, Any] | None:
    """The position, or None (also when it is outside the reader's scope)."""
    row = view.cursor.execute(f"SELECT * FROM {view.table('positions')} WHERE id = %s",
                              (position_id,)).one()
    return row if row is not None and view.scope.sees(row["client_id"]) else None


def client_known(view: View, client_id: str) -> bool:
    """Whether the client exists within the reader's scope."""
    return view.scope.sees(client_id) and view.cursor.execute(
        f"SELECT id FROM {view.table('clients')} WHERE id = %s", (client_id,)).one() is not None


def pipeline(view: View, position: dict[str, Any], now: datetime) -> dict[str, Any]:
    scoped, params = client_condition(view)
    rows = view.cursor.execute(
        f"SELECT * FROM {view.table('candidates')} WHERE position_id = %s{scoped}"
        f"{presented_only(view)} ORDER BY contact_position", (position["id"], *params)).all()
    rows = as_presented(view, rows)
    by_stage: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_stage[row["stage"]].append(summary(row, now, view.scope.is_agency))
    return {"position_id": position["id"], "title": position["title"],
            "status": position["status"],
            "stages": [{"stage": s.value, "count": len(by_stage[s.value]),
                        "candidates": by_stage[s.value]} for s in Stage]}


def dashboard(view: View, client_id: str, now: datetime) -> dict[str, Any]:
    """A client's dashboard (the caller checked `client_known`, which applies the scope)."""
    positions = view.cursor.execute(
        f"SELECT * FROM {view.table('positions')} WHERE client_id = %s AND status = 'open' "
        "ORDER BY opened_at, id", (client_id,)).all()
    rows = view.cursor.execute(f"SELECT * FROM {view.table('candidates')} WHERE client_id = %s"
                               f"{presented_only(view)} ORDER BY contact_position",
                               (client_id,)).all()
    rows = as_presented(view, rows)
    agency = view.scope.is_agency
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[row["position_id"]][row["stage"]] += 1
    horizon = iso(now + timedelta(days=14))
    unanswered = [r for r in rows if r["stage"] == "offered" and r["offer_response"] is None]
    return {
        "client_id": client_id,
        "open_positions": [{"position_id": p["id"], "title": p["title"],
                            "counts": {s.value: counts[p["id"]][s.value] for s in Stage}}
                           for p in positions],
        "interviews_next_14_days": sorted(
            ({**summary(r, now, agency), "interview_at": from_iso(r["interview_at"])} for r in rows
             if r["stage"] == "interview_scheduled" and iso(now) <= r["interview_at"] <= horizon),
            key=lambda item: item["interview_at"]),
        "picks_owed": [summary(r, now, agency) for r in rows if r["stage"] == "recommended"],
        "decisions_owed": [summary(r, now, agency) for r in rows if r["stage"] == "interviewed"],
        "offers_awaiting_answer": [
            {**summary(r, now, agency), "offer_expires_at": from_iso(r["offer_expires_at"])}
            for r in unanswered if r["offer_expires_at"] >= iso(now)],
        "offers_expired": [
            {**summary(r, now, agency), "offer_expires_at": from_iso(r["offer_expires_at"])}
            for r in unanswered if r["offer_expires_at"] < iso(now)],
    }


def since(row: dict[str, Any]) -> datetime:
    """When the candidate entered the stage it is in (always known)."""
    moment = from_iso(row["stage_since"])
    assert moment is not None
    return moment


def notices_due(view: View, now: datetime, client_id: str | None = None) -> list[dict[str, Any]]:
    """Every candidate the process ended for who has not been told yet, longest wait first."""
    placeholders = ", ".join(["%s"] * len(OWED_A_NOTICE))
    sql = (f"SELECT * FROM {view.table('candidates')} WHERE stage IN ({placeholders}) "
           "AND told_at IS NULL")
    scoped, params = client_condition(view, client_id)
    rows = as_presented(view, view.cursor.execute(
        sql + scoped + presented_only(view) + " ORDER BY stage_since, id",
        [*OWED_A_NOTICE, *params]).all())
    return [{**summary(r, now, view.scope.is_agency), "waiting_days": round((now - since(r))
                                                      .total_seconds() / 86400, 1)}
            for r in rows]


def overdue_steps(row: dict[str, Any], now: datetime) -> list[str]:
    at = iso(now)
    overdue = []
    if row["stage"] == "assessment_assigned" and row["assessment_due_at"] < at:
        overdue.append("assessment past due")
    if row["stage"] == "interview_scheduled" and row["interview_at"] < iso(now - timedelta(days=1)):
        overdue.append("interview held, no feedback")
    if row["stage"] == "offered" and row["offer_response"] is None \
            and row["offer_expires_at"] < at:
        overdue.append("offer expired unanswered")
    if row["stage"] in OWED_A_NOTICE and row["told_at"] is None \
            and row["stage_since"] < iso(now - timedelta(days=3)):
        overdue.append("decision not told for 3 days")
    return overdue


def recruiters(view: View, now: datetime) -> list[dict[str, Any]]:
    """Per recruiter (who made the first contact): open candidates and overdue steps."""
    scoped, params = client_condition(view)
    rows = view.cursor.execute(f"SELECT * FROM {view.table('candidates')} WHERE 1 = 1{scoped} "
                               "ORDER BY contact_position", params).all()
    report: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = report.setdefault(row["owner_id"], {
            "recruiter_id": row["owner_id"], "recruiter": row["owner_name"],
            "open_candidates": 0, "overdue": []})
        if row["stage"] not in NOT_OPEN:
            entry["open_candidates"] += 1
        for step in overdue_steps(row, now):
            entry["overdue"].append({**summary(row, now), "overdue": step})
    return sorted(report.values(), key=lambda e: e["recruiter"])

"""Queries for finding one's way: the clients and positions a reader may see (from the
candidates read model's clients and positions tables), filtered and paged by cursor."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from projections.queries import containing, equal_to
from projections.readmodel import from_iso

if TYPE_CHECKING:
    from projections.reads import View


def encode_key(key: tuple[str, str]) -> str:
    text = json.dumps(["after", *key], ensure_ascii=False)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_key(cursor: str) -> tuple[str, str]:
    """The (order, id) a page ended at; ValueError for anything this API did not hand out."""
    try:
        found = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if (not isinstance(found, list) or len(found) != 3 or found[0] != "after"
                or not all(isinstance(part, str) and "\x00" not in part for part in found)):
            raise ValueError
        return found[1], found[2]
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ValueError(f"not a cursor: {cursor!r}") from None


def _page(view: View, table: str, order: str, where: list[str], params: list[Any],
          limit: int, after: tuple[str, str] | None) -> tuple[list[dict[str, Any]], str | None]:
    if after is not None:
        where = [*where, f"({order}, id) > (%s, %s)"]
        params = [*params, *after]
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    rows = view.cursor.execute(
        f"SELECT * FROM {view.table(table)}{condition} ORDER BY {order}, id LIMIT %s",
        (*params, limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, encode_key((rows[-1][order], rows[-1]["id"])) if more else None


def client_page(view: View, *, limit: int, after: tuple[str, str] | None = None,
                q: str | None = None) -> dict[str, Any]:
    """The clients the reader sees (a client token: its own), by name; `q`: part of it."""
    where, params = equal_to((("id", view.scope.client_filter()),))
    if q:
        condition, pattern = containing("lower(name)", q)
        where.append(condition)
        params.append(pattern)
    rows, cursor = _page(view, "clients", "name", where, params, limit, after)
    return {"items": [{"id": r["id"], "name": r["name"]} for r in rows], "next_cursor": cursor}


def position_page(view: View, *, limit: int, after: tuple[str, str] | None = None,
                  client_id: str | None = None, status: str | None = None,
                  q: str | None = None) -> dict[str, Any]:
    """The positions the reader sees, oldest opened first; filtered by client (another
    client's is NotFound for a client token), status, part of the title."""
    where, params = equal_to((("client_id", view.scope.client_filter(client_id)),
                              ("status", status)))
    if q:
        condition, pattern = containing("lower(title)", q)
        where.append(condition)
        params.append(pattern)
    rows, cursor = _page(view, "positions", "opened_at", where, params, limit, after)
    return {"items": [{
        "id": r["id"], "client_id": r["client_id"], "title": r["title"], "status": r["status"],
        "headcount": r["headcount"], "assessment_name": r["assessment_name"],
        "assessment_minutes": r["assessment_minutes"], "rubric_revision": r["rubric_revision"],
        "opened_at": from_iso(r["opened_at"])} for r in rows], "next_cursor": cursor}

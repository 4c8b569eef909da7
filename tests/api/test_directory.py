"""GET /clients and GET /positions (issue 12 §4): what a token may see, filtered, paged by
cursor without repeats, on both stores."""

from __future__ import annotations

import base64
from typing import Any

from flask import Flask

from tests.apiclient import Api, World, assert_problem, open_position
from tests.fakes import FakeClock
from tests.readmodels import project_all

BASE = "/api/v1"


def every_page(api: Api, path: str, **query: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(50):
        answer = api.get(path, query_string={**query, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.get_json()
        items += answer.get_json()["items"]
        cursor = answer.get_json()["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("paging did not end")


def test_clients_by_name_paged_and_scoped(app: Flask, world: World) -> None:
    for name in ("Zeta Labs", "Initech", "Äpfel GmbH", "initial co"):
        assert world.recruiter.post(f"{BASE}/clients", {"name": name}).status_code == 201
    project_all(app.extensions["hirelog"].recruitment)
    everyone = every_page(world.admin, f"{BASE}/clients", limit=1)
    names = [c["name"] for c in everyone]
    assert sorted(names) == sorted(["Acme", "Globex", "Zeta Labs", "Initech", "Äpfel GmbH",
                                    "initial co"])
    assert len({c["id"] for c in everyone}) == 6  # no repeats
    assert every_page(world.admin, f"{BASE}/clients", limit=200) == everyone  # same order
    assert {c["name"] for c in every_page(world.recruiter, f"{BASE}/clients", q="INIT")} == {
        "Initech", "initial co"}
    assert every_page(world.admin, f"{BASE}/clients", q="50%_!") == []
    # a client token sees its own client only
    assert every_page(world.client_a, f"{BASE}/clients") == [
        {"id": world.client_a_id, "name": "Acme"}]
    assert every_page(world.client_b, f"{BASE}/clients", q="acme") == []


def test_positions_filtered_paged_and_scoped(app: Flask, world: World,
                                            clock: FakeClock) -> None:
    clock.advance(hours=1)  # opened after the world's two (opened at the same time)
    data = open_position(world.recruiter, world.client_a_id, "Data engineer")
    answer = world.recruiter.post(f"{BASE}/positions/{data}/status",
                                  {"status": "on_hold", "reason": "budget"})
    assert answer.status_code == 200, answer.get_json()
    project_all(app.extensions["hirelog"].recruitment)
    path = f"{BASE}/positions"
    everyone = every_page(world.admin, path, limit=1)
    first_two = sorted([world.position_a, world.position_b])  # same time: by id
    assert [p["id"] for p in everyone] == [*first_two, data]
    assert everyone[2] | {"opened_at": None} == {
        "id": data, "client_id": world.client_a_id, "title": "Data engineer",
        "status": "on_hold", "headcount": 1, "assessment_name": "Take-home",
        "assessment_minutes": 120, "rubric_revision": 1, "opened_at": None}
    assert [p["id"] for p in every_page(world.admin, path, client_id=world.client_a_id)] == [
        world.position_a, data]
    assert [p["id"] for p in every_page(world.admin, path, status="open")] == first_two
    assert [p["id"] for p in every_page(world.admin, path, q="DATA")] == [data]
    # a client token: its own client's positions; another client's is not found
    assert [p["id"] for p in every_page(world.client_a, path)] == [world.position_a, data]
    assert [p["id"] for p in every_page(world.client_b, path)] == [world.position_b]
    assert_problem(world.client_a.get(path, query_string={"client_id": world.client_b_id}),
                   404)
    assert_problem(world.admin.get(path, query_string={"status": "paused"}), 422)
    assert every_page(world.admin, path, status="closed") == []


def test_a_cursor_this_api_did_not_hand_out_is_a_400(world: World) -> None:
    for path in ("clients", "positions"):
        for cursor in ("nonsense", base64.urlsafe_b64encode(b"[1, 2, 3]").decode(),
                       base64.urlsafe_b64encode(b"[" * 1500).decode()):
            assert_problem(world.admin.get(f"{BASE}/{path}",
                                           query_string={"cursor": cursor}), 400)

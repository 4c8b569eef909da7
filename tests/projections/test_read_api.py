"""The read models over HTTP (issue 4): client scoping on every read endpoint,
read-your-writes (`?min_position=`), `X-Projection-Position`, lag on /readyz, cursor
pagination while candidates are being added, malformed cursors and limits.

The app here waits at most 0.2 s for a read model (`read_wait_seconds`), so a read asked for a
position the projector has not reached answers 503 quickly. No projector runs unless a test
runs one (`project_all`, or a projector thread).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
import time
from collections.abc import Iterator
from typing import Any
from uuid import UUID, uuid4

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain.application import Recruitment
from hirelog.settings import Settings
from projections.projector import Projector
from projections.registry import MODELS
from tests.apiclient import Api, World, new_token, present
from tests.apps import app_for
from tests.fakes import RECRUITER, FakeClock, by
from tests.readmodels import project_all
from tests.worlds import copy_if_asked, world_of

BASE = "/api/v1"
PROBLEM = "application/problem+json"
HEADER = "X-Projection-Position"
READ_WAIT = 0.2

@pytest.fixture
def app(request: pytest.FixtureRequest, settings: Settings,
        clock: FakeClock) -> Iterator[Flask]:
    """tests/api's app, with a short read wait."""
    copy_if_asked(request, settings)
    with app_for(dataclasses.replace(settings, read_wait_seconds=READ_WAIT), clock) as flask_app:
        yield flask_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def world(request: pytest.FixtureRequest, app: Flask, client: FlaskClient) -> World:
    """tests/api's world (tests/worlds.py)."""
    return world_of(request, client)


# --- helpers ---------------------------------------------------------------------------------

def recruitment(app: Flask) -> Recruitment:
    return app.extensions["hirelog"].recruitment


def project(app: Flask) -> int:
    return project_all(recruitment(app))


def log_head(app: Flask) -> int:
    return recruitment(app).recorder.max_notification_id() or 0


def reads(world: World) -> dict[str, str]:
    """Every read endpoint of the candidates and shortlist models, for client A's things."""
    return {
        "candidates": f"{BASE}/candidates",
        "pipeline": f"{BASE}/positions/{world.position_a}/pipeline",
        "shortlist": f"{BASE}/positions/{world.position_a}/shortlist",
        "dashboard": f"{BASE}/clients/{world.client_a_id}/dashboard",
        "notices-due": f"{BASE}/reports/notices-due",
        "recruiters": f"{BASE}/reports/recruiters",
    }


READS = ("candidates", "pipeline", "shortlist", "dashboard", "notices-due", "recruiters")
CLIENT_READS = ("candidates", "pipeline", "shortlist", "dashboard", "notices-due")


def ok(response: Any) -> Any:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.json


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM, response.headers.get("Content-Type")
    body = json.loads(response.get_data(as_text=True))
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    return body


def contact(api: Api, position_id: str, email: str, name: str = "Kim Park") -> dict[str, Any]:
    answer = api.post(f"{BASE}/candidates", {"position_id": position_id, "name": name,
                                             "email": email, "source": "referral"})
    assert answer.status_code == 201, answer.json
    return answer.json


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def page_through(api: Api, limit: int, between: Any = None, **query: Any) -> list[str]:
    """Every candidate id over all pages; `between()` runs between two page requests."""
    seen: list[str] = []
    cursor = None
    for _ in range(1000):
        params = {"limit": limit, **query, **({"cursor": cursor} if cursor else {})}
        page = ok(api.get(f"{BASE}/candidates", query_string=params))
        assert len(page["items"]) <= limit
        seen += ids(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
        if between:
            between()
    raise AssertionError("paging never ended")


def everyone(api: Api, **query: Any) -> list[str]:
    """All candidate ids visible to `api`, in list order (one big page)."""
    page = ok(api.get(f"{BASE}/candidates", query_string={"limit": 200, **query}))
    assert page["next_cursor"] is None
    return ids(page["items"])


def cursor_of(text: str | bytes) -> str:
    raw = text.encode() if isinstance(text, str) else text
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# --- client scoping --------------------------------------------------------------------------

def test_a_client_lists_only_its_own_candidates_presented_to_it(app: Flask,
                                                                world: World) -> None:
    a2 = contact(world.recruiter, world.position_a, "a2@example.com")["id"]
    b2 = contact(world.recruiter, world.position_b, "b2@example.com")["id"]
    quiet = contact(world.recruiter, world.position_a, "quiet@example.com")["id"]
    for candidate in (world.candidate_a, a2, world.candidate_b, b2):
        present(world.recruiter, candidate)
    project(app)
    assert everyone(world.admin) == [world.candidate_a, world.candidate_b, a2, b2, quiet]
    mine_a, mine_b = [world.candidate_a, a2], [world.candidate_b, b2]  # never `quiet`
    assert everyone(world.client_a) == mine_a
    assert everyone(world.client_b) == mine_b
    assert everyone(world.client_a, client_id=world.client_a_id) == mine_a
    # asking for the other client's candidates is not found, like any read of another
    # client's; filtering by its position finds none
    for client, other in ((world.client_a, world.client_b_id),
                          (world.client_b, world.client_a_id)):
        problem(client.get(f"{BASE}/candidates", query_string={"client_id": other}), 404)
        problem(client.get(f"{BASE}/candidates", query_string={"client_id": other,
                                                               "limit": 1}), 404)
    assert everyone(world.client_a, position_id=world.position_b) == []
    assert everyone(world.client_b, position_id=world.position_a, stage="recommended") == []
    assert everyone(world.client_a, q="ann lee") == [world.candidate_a]  # same name in B
    # a client is shown no emails or sources: it cannot search or filter by them either
    assert everyone(world.admin, q="a2@example") == [a2]
    assert everyone(world.client_a, q="a2@example") == []
    problem(world.client_a.get(f"{BASE}/candidates", query_string={"source": "referral"}),
            403)
    items = ok(world.client_a.get(f"{BASE}/candidates"))["items"]
    assert all("email" not in item and "source" not in item for item in items)
    assert {"email", "source"} <= set(ok(world.admin.get(f"{BASE}/candidates"))["items"][0])
    # also page by page
    assert page_through(world.client_a, limit=1) == mine_a
    assert page_through(world.client_b, limit=1, client_id=world.client_b_id) == mine_b


@pytest.mark.parametrize("kind", ["pipeline", "shortlist", "dashboard"])
def test_another_clients_position_or_dashboard_is_404_like_an_unknown_one(
        app: Flask, world: World, kind: str) -> None:
    def path(position_id: str, client_id: str) -> str:
        if kind == "dashboard":
            return f"{BASE}/clients/{client_id}/dashboard"
        return f"{BASE}/positions/{position_id}/{kind}"

    unknown = str(uuid4())
    ok(world.admin.get(path(world.position_b, world.client_b_id)))  # B's exists
    ok(world.client_b.get(path(world.position_b, world.client_b_id)))  # and B sees it
    ok(world.client_a.get(path(world.position_a, world.client_a_id)))  # A sees its own
    theirs = world.client_a.get(path(world.position_b, world.client_b_id))
    nothing = world.client_a.get(path(unknown, unknown))
    other_id = world.client_b_id if kind == "dashboard" else world.position_b
    theirs_body, nothing_body = problem(theirs, 404), problem(nothing, 404)
    assert json.dumps(theirs_body).replace(other_id, "ID") == \
        json.dumps(nothing_body).replace(unknown, "ID")
    assert set(theirs.headers.keys()) == set(nothing.headers.keys())
    # the same the other way round
    problem(world.client_b.get(path(world.position_a, world.client_a_id)), 404)


def test_notices_due_of_a_client_token_are_its_own_presented_candidates(
        app: Flask, world: World, clock: FakeClock) -> None:
    for candidate in (world.candidate_a, world.candidate_b):  # A has waited an hour longer
        present(world.recruiter, candidate)
        answer = world.recruiter.post(f"{BASE}/candidates/{candidate}/decision",
                                      {"outcome": "reject", "reason": "not a fit",
                                       "decided_by": "Hana Hiring"})
        assert answer.status_code == 200, answer.json
        clock.advance(hours=1)
    quiet = contact(world.recruiter, world.position_a, "quiet@example.com")["id"]
    answer = world.recruiter.post(f"{BASE}/candidates/{quiet}/disqualification",
                                  {"reason": "no work permit"})
    assert answer.status_code == 200, answer.json
    project(app)
    path = f"{BASE}/reports/notices-due"
    assert ids(ok(world.admin.get(path))) == [world.candidate_a, world.candidate_b, quiet]
    assert ids(ok(world.admin.get(path, query_string={"client_id": world.client_b_id}))) == [
        world.candidate_b]
    # the client never saw `quiet` (disqualified before any presentation)
    assert ids(ok(world.client_a.get(path))) == [world.candidate_a]
    assert ids(ok(world.client_b.get(path))) == [world.candidate_b]
    problem(world.client_a.get(path, query_string={"client_id": world.client_b_id}), 404)
    assert ids(ok(world.client_a.get(path, query_string={"client_id": world.client_a_id}))) \
        == [world.candidate_a]


def test_the_recruiters_report_is_not_for_client_tokens(app: Flask, world: World) -> None:
    path = f"{BASE}/reports/recruiters"
    problem(world.client_a.get(path), 403)
    problem(world.client_b.get(path), 403)
    for role in ("admin", "recruiter", "auditor"):
        ok(world.as_role(role).get(path))


def test_a_client_dashboard_shows_only_its_own_positions_and_presented_candidates(
        app: Flask, world: World) -> None:
    quiet = contact(world.recruiter, world.position_a, "quiet@example.com")["id"]
    present(world.recruiter, world.candidate_a)
    project(app)
    board = ok(world.client_a.get(f"{BASE}/clients/{world.client_a_id}/dashboard"))
    assert board["client_id"] == world.client_a_id
    assert [p["position_id"] for p in board["open_positions"]] == [world.position_a]
    counts = board["open_positions"][0]["counts"]
    assert (counts["recommended"], counts["contacted"]) == (1, 0)  # `quiet` is not shown
    assert ids(board["picks_owed"]) == [world.candidate_a]
    assert "email" not in board["picks_owed"][0]
    pipeline = ok(world.client_a.get(f"{BASE}/positions/{world.position_a}/pipeline"))
    assert {s["stage"]: ids(s["candidates"]) for s in pipeline["stages"] if s["count"]} == {
        "recommended": [world.candidate_a]}
    staff = ok(world.recruiter.get(f"{BASE}/positions/{world.position_a}/pipeline"))
    assert {s["stage"]: ids(s["candidates"]) for s in staff["stages"] if s["count"]} == {
        "recommended": [world.candidate_a], "contacted": [quiet]}


# --- X-Projection-Position -------------------------------------------------------------------

@pytest.mark.parametrize("role", ["admin", "recruiter", "auditor", "client_a"])
def test_every_read_names_its_position(app: Flask, world: World, role: str) -> None:
    head = log_head(app)
    api = world.as_role(role)
    for name in CLIENT_READS if role == "client_a" else READS:
        answer = api.get(reads(world)[name])
        ok(answer)
        assert answer.headers[HEADER] == str(head), name
    # a command moves the log; the reads name the position they are at, not the head
    world.recruiter.post(f"{BASE}/candidates/{world.candidate_a}/application", {})
    for name in CLIENT_READS if role == "client_a" else READS:
        assert api.get(reads(world)[name]).headers[HEADER] == str(head), name
    project(app)
    for name in CLIENT_READS if role == "client_a" else READS:
        assert api.get(reads(world)[name]).headers[HEADER] == str(head + 1), name


# --- read-your-writes ------------------------------------------------------------------------

@pytest.mark.parametrize("name", READS)
def test_min_position_of_a_command_is_503_until_projected_then_200(
        app: Flask, world: World, name: str) -> None:
    answer = world.recruiter.post(f"{BASE}/candidates/{world.candidate_a}/application", {})
    position = answer.json["position"]
    assert position == log_head(app)
    path = reads(world)[name]
    started = time.monotonic()
    waited = world.recruiter.get(path, query_string={"min_position": position})
    elapsed = time.monotonic() - started
    body = problem(waited, 503)
    assert waited.headers["Retry-After"] == "1"
    assert str(position) in body["detail"]
    assert HEADER not in waited.headers  # no stale data, no position
    assert READ_WAIT <= elapsed < READ_WAIT + 5  # it waited, boundedly
    # an older position is already there: answered at once
    ok(world.recruiter.get(path, query_string={"min_position": position - 1}))

    project(app)
    fresh = world.recruiter.get(path, query_string={"min_position": position})
    ok(fresh)
    assert int(fresh.headers[HEADER]) >= position
    if name == "candidates":
        stages = {i["id"]: i["stage"] for i in fresh.json["items"]}
        assert stages[world.candidate_a] == "applied"


def test_min_position_waits_for_a_running_projector(app: Flask, world: World) -> None:
    services = app.extensions["hirelog"]
    services.settings = dataclasses.replace(services.settings, read_wait_seconds=10.0)
    thread, stop = Projector(recruitment(app), MODELS).start_thread()
    try:
        for step in ("application", "disqualification"):
            body = {"reason": "no"} if step == "disqualification" else {}
            answer = world.recruiter.post(f"{BASE}/candidates/{world.candidate_a}/{step}", body)
            position = answer.json["position"]
            read = world.recruiter.get(f"{BASE}/candidates", query_string={
                "min_position": position, "position_id": world.position_a})
            ok(read)
            assert int(read.headers[HEADER]) >= position
            assert read.json["items"][0]["stage"] == answer.json["stage"]
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_a_position_beyond_the_log_is_422_at_once(app: Flask, world: World) -> None:
    started = time.monotonic()
    body = problem(world.recruiter.get(f"{BASE}/candidates",
                                       query_string={"min_position": log_head(app) + 100}), 422)
    assert time.monotonic() - started < 1
    assert body["errors"] == [{"pointer": "/query/min_position",
                               "detail": "Past the newest event of the log."}]


# --- lag on /readyz --------------------------------------------------------------------------

def test_readyz_shows_lag_before_projecting_and_none_after(app: Flask, world: World,
                                                           client: Any) -> None:
    ready = ok(client.get("/readyz"))
    head = ready["log_head"]
    assert head == log_head(app)
    assert {"candidates", "shortlist"} <= set(ready["projections"])
    assert ready["projections"]["candidates"] == {"position": head, "lag": 0}
    assert ready["projections"]["shortlist"] == {"position": head, "lag": 0}

    contact(world.recruiter, world.position_a, "new@example.com")
    world.recruiter.post(f"{BASE}/candidates/{world.candidate_b}/application", {})
    behind = ok(client.get("/readyz"))
    assert behind["log_head"] == head + 2
    for name, state in behind["projections"].items():
        assert state["lag"] == behind["log_head"] - state["position"] > 0, name
    assert behind["projections"]["candidates"] == {"position": head, "lag": 2}

    project(app)
    caught_up = ok(client.get("/readyz"))
    for name, state in caught_up["projections"].items():
        assert state == {"position": head + 2, "lag": 0}, name


# --- pagination while candidates are being added ---------------------------------------------

def test_paging_never_skips_or_repeats_while_candidates_are_added(app: Flask,
                                                                  world: World) -> None:
    for n in range(10):
        contact(world.recruiter, world.position_a if n % 2 else world.position_b,
                f"early{n}@example.com")
    project(app)
    before = everyone(world.admin)
    assert len(before) == 12
    added: list[str] = []

    def add_some() -> None:
        # two new candidates (one per client), and one already listed moves on a stage
        for position in (world.position_a, world.position_b):
            added.append(contact(world.recruiter, position,
                                 f"late{len(added)}@example.com")["id"])
        if len(added) == 2:
            world.recruiter.post(f"{BASE}/candidates/{before[0]}/application", {})
        project(app)

    seen = page_through(world.admin, limit=4, between=add_some)
    assert len(seen) == len(set(seen))  # nothing repeated
    assert seen[:12] == before  # nothing skipped, in order
    # every candidate added before the last page was read comes after the first ones: so
    # the pages, together, are exactly the list as it is now
    assert seen == everyone(world.admin) == before + added
    assert len(added) >= 6


def test_a_client_pages_through_its_own_while_both_clients_get_candidates(
        app: Flask, world: World) -> None:
    for n in range(6):
        contact(world.recruiter, world.position_a, f"early{n}@example.com")
    project(app)
    mine = everyone(world.client_a)
    added_b: list[str] = []

    def add_some() -> None:
        contact(world.recruiter, world.position_a, f"late-a{len(added_b)}@example.com")
        added_b.append(contact(world.recruiter, world.position_b,
                               f"late-b{len(added_b)}@example.com")["id"])
        project(app)

    seen = page_through(world.client_a, limit=2, between=add_some)
    assert len(seen) == len(set(seen))
    assert seen[:len(mine)] == mine
    assert seen == everyone(world.client_a)
    assert not set(seen) & set(added_b) and world.candidate_b not in seen


def test_paging_while_another_thread_adds_candidates_and_projects(
        app: Flask, world: World) -> None:
    flask_app = app
    rec = recruitment(app)
    for n in range(8):
        contact(world.recruiter, world.position_a, f"early{n}@example.com")
    project(app)
    initial = everyone(world.admin)
    added: list[str] = []
    errors: list[BaseException] = []
    two_added = threading.Event()
    done = threading.Event()

    def writer() -> None:
        try:
            for n in range(40):
                position = UUID(world.position_a if n % 2 else world.position_b)
                receipt = rec.contact_candidate(position_id=position, name="Thread Person",
                                                email=f"thread{n}@example.com",
                                                source="inbound", caller=by(RECRUITER))
                added.append(str(receipt.id))
                project_all(rec)
                if n == 1:
                    two_added.set()
                if done.is_set():
                    return
        except BaseException as error:  # reported by the reader below
            errors.append(error)
            two_added.set()

    thread = threading.Thread(target=writer, name="writer")
    thread.start()
    try:
        assert two_added.wait(30)

        def pause() -> None:
            time.sleep(0.005)

        reader = Api(flask_app.test_client(), new_token(flask_app, "admin"))
        seen = page_through(reader, limit=3, between=pause)
    finally:
        done.set()
        thread.join(timeout=60)
    assert not errors, errors
    assert not thread.is_alive()
    assert len(seen) == len(set(seen)), "a candidate was listed twice"
    assert set(initial) <= set(seen), "a candidate that existed when paging began was skipped"
    assert set(seen) <= set(initial) | set(added)
    assert set(added[:2]) <= set(seen)  # projected before paging began
    # what was seen is the start of the list as it is now: nothing skipped in between
    final = everyone(world.admin)
    assert final == initial + added
    assert seen == final[:len(seen)]


# --- cursors and limits ----------------------------------------------------------------------

@pytest.mark.parametrize("cursor", [
    "not-a-cursor", "!!!", "", "%%%", cursor_of("before:3"), cursor_of("after:"),
    cursor_of("after:three"), cursor_of(b"\xff\xfe\xfd"), cursor_of("3"),
])
@pytest.mark.store_independent
def test_a_malformed_cursor_is_400(app: Flask, world: World, cursor: str) -> None:
    body = problem(world.admin.get(f"{BASE}/candidates", query_string={"cursor": cursor}), 400)
    assert "cursor" in body["detail"]


@pytest.mark.store_independent
def test_a_cursor_beyond_any_position_is_400(app: Flask, world: World) -> None:
    answer = world.admin.get(f"{BASE}/candidates",
                             query_string={"cursor": cursor_of("after:" + "9" * 30)})
    problem(answer, 400)


def test_a_cursor_handed_out_works_also_for_another_token(app: Flask, world: World) -> None:
    first = ok(world.admin.get(f"{BASE}/candidates", query_string={"limit": 1}))
    assert ids(first["items"]) == [world.candidate_a]
    second = ok(world.recruiter.get(f"{BASE}/candidates", query_string={
        "limit": 1, "cursor": first["next_cursor"]}))
    assert ids(second["items"]) == [world.candidate_b]
    assert second["next_cursor"] is None


@pytest.mark.store_independent
def test_a_too_long_cursor_is_422(app: Flask, world: World) -> None:
    problem(world.admin.get(f"{BASE}/candidates", query_string={"cursor": "A" * 101}), 422)


@pytest.mark.store_independent
@pytest.mark.parametrize("limit", [201, 1000, 0, -1])
def test_a_limit_outside_1_to_200_is_422(app: Flask, world: World, limit: int) -> None:
    body = problem(world.admin.get(f"{BASE}/candidates", query_string={"limit": limit}), 422)
    assert any(e["pointer"].endswith("/limit") for e in body["errors"]), body


@pytest.mark.parametrize("limit", [1, 200])
def test_limits_1_and_200_are_accepted(app: Flask, world: World, limit: int) -> None:
    page = ok(world.admin.get(f"{BASE}/candidates", query_string={"limit": limit}))
    assert len(page["items"]) == min(limit, 2)
    assert (page["next_cursor"] is None) == (limit == 200)


def test_the_shortlist_shows_who_is_still_in_the_process_unless_asked_for_all(
        app: Flask, world: World) -> None:
    kim = contact(world.recruiter, world.position_a, "kim@example.com")["id"]
    for candidate, grade in ((world.candidate_a, "yes"), (kim, "strong_yes")):
        for step, body in (("application", {}),
                           ("assessment", {"due_at": "2026-01-12T17:00:00+00:00"}),
                           ("assessment/result", {"grades": {"python": grade, "sql": "yes"}}),
                           ("recommendation", {"summary": "solid"})):
            answer = world.recruiter.post(f"{BASE}/candidates/{candidate}/{step}", body)
            assert answer.status_code == 200, answer.json
    answer = world.recruiter.post(f"{BASE}/candidates/{kim}/withdrawal",
                                  {"reason": "took another job"})
    assert answer.status_code == 200, answer.json
    project(app)
    path = f"{BASE}/positions/{world.position_a}/shortlist"
    for reader in (world.client_a, world.recruiter):
        default = ok(reader.get(path))["candidates"]
        assert [(e["rank"], e["candidate_id"]) for e in default] == [(1, world.candidate_a)]
        assert ok(reader.get(path, query_string={"show": "in_process"}))["candidates"] == default
        everyone = ok(reader.get(path, query_string={"show": "all"}))["candidates"]
        assert [(e["rank"], e["candidate_id"], e["stage"]) for e in everyone] == [
            (1, kim, "withdrawn"), (2, world.candidate_a, "recommended")]
    problem(world.client_a.get(path, query_string={"show": "closed"}), 422)

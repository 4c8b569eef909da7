"""Auditors: any past state (?as_of, ?version) and the global log (/audit/events)."""

from __future__ import annotations

from datetime import timedelta

from tests.apiclient import SKILLS, World
from tests.fakes import FakeClock

V1 = "/api/v1"


def iso(moment) -> str:
    return moment.isoformat()


def test_a_candidate_as_it_stood_at_any_time(world: World, clock: FakeClock) -> None:
    api, cid, pid = world.auditor, world.candidate_a, world.position_a
    contacted = clock.now  # the world was built at the clock's start
    applied = clock.advance(hours=2)
    assert world.recruiter.post(f"{V1}/candidates/{cid}/application", {}).status_code == 200
    revised = clock.advance(hours=2)
    assert world.recruiter.post(f"{V1}/positions/{pid}/rubric", {"skills": [
        *SKILLS, {"name": "go", "weight": 1, "required": False}]}).status_code == 200

    def as_of(path: str, moment) -> dict:
        answer = api.get(path, query_string={"as_of": iso(moment)})
        assert answer.status_code == 200, answer.json
        return answer.json

    candidate = f"{V1}/candidates/{cid}"
    assert (as_of(candidate, contacted)["stage"], as_of(candidate, contacted)["version"]) == (
        "contacted", 1)
    assert as_of(candidate, applied - timedelta(seconds=1))["stage"] == "contacted"
    assert as_of(candidate, applied)["stage"] == "applied"  # recorded at that very instant
    assert as_of(candidate, applied + timedelta(days=9))["version"] == 2
    answer = api.get(candidate, query_string={"as_of": iso(contacted)})
    assert answer.headers["ETag"] == '"1"'

    position = f"{V1}/positions/{pid}"
    assert as_of(position, revised - timedelta(minutes=1))["rubric_revision"] == 1
    assert as_of(position, revised)["rubric_revision"] == 2
    assert as_of(f"{V1}/clients/{world.client_a_id}", contacted)["name"] == "Acme"

    before = api.get(candidate, query_string={"as_of": iso(contacted - timedelta(seconds=1))})
    assert before.status_code == 404  # it did not exist yet
    both = api.get(candidate, query_string={"as_of": iso(contacted), "version": 1})
    assert both.status_code == 422
    naive = api.get(candidate, query_string={"as_of": "2026-01-05T09:00:00"})
    assert naive.status_code == 422


def test_the_global_log_pages_in_order_without_skipping_or_repeating(
        world: World, clock: FakeClock) -> None:
    api = world.auditor
    everything = api.get(f"{V1}/audit/events", query_string={"limit": 1000}).json
    assert everything["next"] is None
    positions = [e["position"] for e in everything["events"]]
    assert positions == sorted(positions) and len(positions) >= 6
    first = everything["events"][0]
    assert set(first) >= {"position", "aggregate_type", "aggregate_id", "type", "version",
                          "recorded_at", "actor", "request_id", "data"}
    assert (first["aggregate_type"], first["type"]) == ("client", "Registered")

    seen, after, pages = [], 0, 0
    while True:
        page = api.get(f"{V1}/audit/events", query_string={"after": after, "limit": 2}).json
        seen += [e["position"] for e in page["events"]]
        pages += 1
        if pages == 2:  # new events are written while the auditor pages
            clock.advance(minutes=5)
            world.recruiter.post(f"{V1}/candidates/{world.candidate_a}/application", {})
        if page["next"] is None:
            break
        after = page["next"]
    assert seen == sorted(set(seen)) and set(positions) < set(seen)


def test_the_global_log_filters(world: World, clock: FakeClock) -> None:
    api, cid = world.auditor, world.candidate_a
    clock.advance(hours=1)
    world.recruiter.post(f"{V1}/candidates/{cid}/application", {})

    def events(**query) -> list[dict]:
        answer = api.get(f"{V1}/audit/events", query_string={"limit": 1000, **query})
        assert answer.status_code == 200, answer.json
        return answer.json["events"]

    assert {e["aggregate_type"] for e in events(aggregate_type="candidate")} == {"candidate"}
    applied = events(event_type="Applied")
    assert [(e["aggregate_id"], e["version"]) for e in applied] == [(cid, 2)]
    recruiter_id = applied[0]["actor"]["id"]
    assert all(e["actor"]["id"] == recruiter_id for e in events(actor=recruiter_id))
    assert events(actor="nobody") == []
    later = clock.now - timedelta(minutes=1)
    assert [e["type"] for e in events(**{"from": iso(later)})] == ["Applied"]
    assert "Applied" not in [e["type"] for e in events(to=iso(later))]


def test_only_auditors_and_admins_read_the_global_log(world: World) -> None:
    for role, status in (("admin", 200), ("auditor", 200), ("recruiter", 403),
                         ("client_a", 403)):
        assert world.as_role(role).get(f"{V1}/audit/events").status_code == status, role
    assert world.auditor.get(f"{V1}/audit/events",
                             query_string={"limit": 1001}).status_code == 422

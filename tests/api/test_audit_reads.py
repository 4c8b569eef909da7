"""Reads of candidate data by client and auditor tokens are recorded (issue 6): who read which
candidate, when; admins page through them with GET /audit/reads. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import marshmallow as ma
from flask import Flask

from api.schemas.reads import CandidateSummarySchema, DashboardSchema
from api.views.audit_reads import CANDIDATE_READS, DASHBOARD_LISTS
from tests.apiclient import Api, World, assert_problem
from tests.fakes import FakeClock
from tests.readmodels import project_all

V1 = "/api/v1"
READS = f"{V1}/audit/reads"
TO_RECOMMENDED = (
    ("application", {}),
    ("assessment", {"due_at": "2026-01-12T17:00:00+00:00"}),
    ("assessment/result", {"grades": {"python": "yes", "sql": "mixed"}}),
    ("recommendation", {"summary": "solid"}),
)
# GET endpoints a client or auditor may call that answer no candidate data.
NO_CANDIDATE_DATA = {"clients.Clients", "clients.Client", "positions.Positions",
                     "positions.Position", "reports.funnel_report",
                     "reports.assessments_report", "audit.verify", "audit_reads.candidate_reads",
                     "tokens.Tokens", "tokens.Token", "health.index", "health.healthz",
                     "health.readyz",
                     "metrics.prometheus",
                     "api-docs.openapi_json", "api-docs.openapi_swagger_ui", "static",
                     "docs_assets.asset", "docs_assets.favicon"}


def test_every_list_of_candidates_on_the_dashboard_is_recorded() -> None:
    listed = {name for name, field in DashboardSchema().fields.items()
              if isinstance(field, ma.fields.List) and isinstance(field.inner, ma.fields.Nested)
              and isinstance(field.inner.schema, CandidateSummarySchema)}
    assert listed == set(DASHBOARD_LISTS)


def token_id(app: Flask, api: Api) -> str:
    return app.extensions["hirelog"].tokens.authenticate(api.token).id


def reads(world: World, **query: Any) -> list[dict[str, Any]]:
    answer = world.admin.get(READS, query_string={"limit": 1000, **query})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["next"] is None
    return answer.get_json()["reads"]


def seen(world: World, **query: Any) -> list[tuple[str, str]]:
    """(what, candidate id) of every recorded read, in order."""
    return [(r["what"], r["candidate_id"]) for r in reads(world, **query)]


def get_ok(api: Api, path: str, **query: Any) -> Any:
    answer = api.get(path, query_string=query)
    assert answer.status_code == 200, answer.get_json()
    return answer


def recommend(world: World, app: Flask, candidate_id: str) -> None:
    for step, body in TO_RECOMMENDED:
        answer = world.recruiter.post(f"{V1}/candidates/{candidate_id}/{step}", body)
        assert answer.status_code == 200, answer.get_json()
    project_all(app.extensions["hirelog"].recruitment)


def test_a_clients_read_of_a_candidate_is_recorded_with_who_which_and_when(
        world: World, app: Flask, clock: FakeClock) -> None:
    recommend(world, app, world.candidate_a)  # presented to client A
    clock.advance(hours=3)
    answer = world.client_a.get(f"{V1}/candidates/{world.candidate_a}",
                                headers={"X-Request-ID": "req-42"})
    assert answer.status_code == 200
    [read] = reads(world)
    assert read["actor"] == {"id": token_id(app, world.client_a), "name": "test client",
                             "role": "client", "client_id": world.client_a_id}
    assert read["candidate_id"] == world.candidate_a
    assert (read["what"], read["request_id"]) == ("candidate", "req-42")
    assert read["endpoint"] == f"GET {V1}/candidates/{world.candidate_a}"
    assert datetime.fromisoformat(read["at"]) == clock.now
    assert isinstance(read["id"], int)


def test_every_read_of_candidate_data_by_a_client_is_recorded(world: World,
                                                             app: Flask) -> None:
    recommend(world, app, world.candidate_a)
    own, position = world.candidate_a, world.position_a
    get_ok(world.client_a, f"{V1}/candidates/{own}", version=5)  # as presented
    get_ok(world.client_a, f"{V1}/candidates")
    get_ok(world.client_a, f"{V1}/positions/{position}/pipeline")
    get_ok(world.client_a, f"{V1}/positions/{position}/shortlist")
    get_ok(world.client_a, f"{V1}/clients/{world.client_a_id}/dashboard")
    get_ok(world.client_a, f"{V1}/reports/notices-due")  # nobody is owed a notice: no row
    get_ok(world.client_a, f"{V1}/positions/{position}")  # no candidate data: no row
    assert seen(world) == [("candidate", own), ("list", own), ("pipeline", own),
                           ("shortlist", own), ("dashboard", own)]
    assert_problem(world.client_a.get(f"{V1}/candidates/{own}/history"), 403)
    assert len(reads(world)) == 5  # a refused read records nothing


def test_an_auditors_reads_are_recorded_also_in_audit_event_pages(world: World,
                                                                  app: Flask) -> None:
    auditor = token_id(app, world.auditor)
    get_ok(world.auditor, f"{V1}/candidates/{world.candidate_b}/history")
    get_ok(world.auditor, f"{V1}/candidates/{world.candidate_a}",
           as_of="2030-01-01T00:00:00+00:00")
    page = get_ok(world.auditor, f"{V1}/audit/events", limit=1000).get_json()
    assert {e["aggregate_type"] for e in page["events"]} == {"client", "position", "candidate"}
    get_ok(world.auditor, f"{V1}/audit/events", aggregate_type="client")  # no candidates
    assert seen(world, actor=auditor) == [
        ("history", world.candidate_b), ("candidate", world.candidate_a),
        ("audit_events", world.candidate_a), ("audit_events", world.candidate_b)]
    assert {r["actor"]["role"] for r in reads(world)} == {"auditor"}


def test_an_auditors_compliance_report_is_recorded(world: World, app: Flask) -> None:
    answer = world.recruiter.post(f"{V1}/candidates/{world.candidate_a}/disqualification",
                                  {"reason": "no work permit"})
    assert answer.status_code == 200, answer.get_json()
    project_all(app.extensions["hirelog"].recruitment)
    get_ok(world.auditor, f"{V1}/reports/compliance")
    assert ("compliance", world.candidate_a) in seen(world)


def test_reads_by_admins_and_recruiters_are_not_recorded(world: World, app: Flask) -> None:
    recommend(world, app, world.candidate_a)
    for api in (world.admin, world.recruiter):
        get_ok(api, f"{V1}/candidates/{world.candidate_a}")
        get_ok(api, f"{V1}/candidates/{world.candidate_a}/history")
        get_ok(api, f"{V1}/candidates")
        get_ok(api, f"{V1}/positions/{world.position_a}/pipeline")
        get_ok(api, f"{V1}/positions/{world.position_a}/shortlist")
        get_ok(api, f"{V1}/clients/{world.client_a_id}/dashboard")
        get_ok(api, f"{V1}/reports/recruiters")
    get_ok(world.admin, f"{V1}/audit/events")
    assert reads(world) == []


def test_a_read_that_finds_nothing_records_nothing(world: World) -> None:
    theirs = world.candidate_b
    for path in (f"candidates/{theirs}", f"candidates/{theirs}?version=1",
                 f"positions/{world.position_b}/pipeline",
                 f"positions/{world.position_b}/shortlist",
                 f"clients/{world.client_b_id}/dashboard"):
        assert_problem(world.client_a.get(f"{V1}/{path}"), 404)
    assert_problem(world.client_a.get(f"{V1}/candidates",
                                      query_string={"client_id": world.client_b_id}), 404)
    assert_problem(world.auditor.get(f"{V1}/candidates/{theirs}",
                                     query_string={"as_of": "2020-01-01T00:00:00+00:00"}), 404)
    assert reads(world) == []


def test_admins_and_auditors_read_the_reads_and_reading_them_is_not_a_read(
        world: World) -> None:
    get_ok(world.auditor, f"{V1}/candidates/{world.candidate_a}")  # one recorded read
    for role in ("admin", "auditor"):
        page = get_ok(world.as_role(role), READS).get_json()
        assert [r["candidate_id"] for r in page["reads"]] == [world.candidate_a], role
    for role in ("recruiter", "client_a"):
        body = assert_problem(world.as_role(role).get(READS), 403)
        assert body["type"].endswith("/forbidden"), role
    for bad in ({"limit": 0}, {"limit": 1001}, {"after": -1}, {"candidate_id": "x"},
                {"from": "2026-01-05T09:00:00"}):
        assert_problem(world.admin.get(READS, query_string=bad), 422)


def test_reads_page_with_next_without_skipping_or_repeating(world: World, app: Flask) -> None:
    recommend(world, app, world.candidate_a)
    for _ in range(5):
        get_ok(world.client_a, f"{V1}/candidates/{world.candidate_a}")
    ids, after, pages = [], 0, 0
    while True:
        answer = world.admin.get(READS, query_string={"after": after, "limit": 2})
        assert answer.status_code == 200, answer.get_json()
        page = answer.get_json()
        ids += [r["id"] for r in page["reads"]]
        pages += 1
        if pages == 1:  # read while the admin pages: the new read comes on a later page
            get_ok(world.auditor, f"{V1}/candidates/{world.candidate_b}")
        if page["next"] is None:
            break
        assert page["next"] == ids[-1]
        after = page["next"]
    assert len(ids) == 6 and ids == sorted(set(ids)) and pages == 3


def test_reads_filter_by_reader_candidate_and_time(world: World, app: Flask,
                                                   clock: FakeClock) -> None:
    recommend(world, app, world.candidate_a)
    get_ok(world.client_a, f"{V1}/candidates/{world.candidate_a}")
    later = clock.advance(hours=1)
    get_ok(world.auditor, f"{V1}/candidates/{world.candidate_b}")
    get_ok(world.auditor, f"{V1}/candidates/{world.candidate_a}")
    client_a, auditor = token_id(app, world.client_a), token_id(app, world.auditor)
    assert seen(world, actor=client_a) == [("candidate", world.candidate_a)]
    assert [r["actor"]["id"] for r in reads(world, candidate_id=world.candidate_a)] == [
        client_a, auditor]
    assert seen(world, **{"from": later.isoformat()}) == [
        ("candidate", world.candidate_b), ("candidate", world.candidate_a)]
    assert seen(world, to=later.isoformat()) == [("candidate", world.candidate_a)]
    in_paris = (later + timedelta(seconds=1)).astimezone().isoformat()  # any offset works
    assert len(reads(world, to=in_paris, actor=auditor, candidate_id=world.candidate_b)) == 1
    assert reads(world, actor="nobody") == []


def test_a_read_that_cannot_be_recorded_is_not_answered(world: World, app: Flask) -> None:
    recommend(world, app, world.candidate_a)
    tables = app.extensions["hirelog"].recruitment.tables
    with tables.transaction() as cursor:
        cursor.execute("DROP TABLE {schema}.hirelog_reads")
    answer = world.client_a.get(f"{V1}/candidates/{world.candidate_a}",
                                headers={"X-Request-ID": "req-lost"})
    body = assert_problem(answer, 500)
    assert body["type"].endswith("/read-not-recorded")
    assert "Ann Lee" not in answer.get_data(as_text=True)
    assert answer.headers["X-Request-ID"] == "req-lost"
    get_ok(world.recruiter, f"{V1}/candidates/{world.candidate_a}")  # nothing to record


def test_one_read_of_many_candidates_is_one_transaction(world: World, app: Flask,
                                                        clock: FakeClock) -> None:
    log = app.extensions["hirelog"].recorded_reads
    actor = app.extensions["hirelog"].tokens.authenticate(world.auditor.token).actor
    ids = [f"c-{n:04}" for n in range(1201)]
    written = log.record(actor, "audit_events", [*ids, ids[0]], at=clock.now,
                         request_id="r", endpoint="GET /x")
    assert written == 1201  # one row per distinct candidate
    first, after = log.page(limit=1000)
    rest, end = log.page(after=after or 0, limit=1000)
    assert [r.candidate_id for r in first + rest] == ids and end is None
    assert log.record(actor, "list", [], at=clock.now, request_id="r", endpoint="GET /y") == 0


def test_every_candidate_read_is_classified(app: Flask) -> None:
    """A GET endpoint is either recorded or known to answer no candidate data, and every
    recorded endpoint exists (a renamed view would silently stop being recorded)."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()
                 if "GET" in (rule.methods or ())}
    assert set(CANDIDATE_READS) <= endpoints
    unclassified = endpoints - set(CANDIDATE_READS) - NO_CANDIDATE_DATA
    assert not unclassified, f"add these to CANDIDATE_READS or NO_CANDIDATE_DATA: " \
                             f"{sorted(unclassified)}"

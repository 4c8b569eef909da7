"""Errors of the HTTP API (issue 3, "Errors and guarantees").

Every error is an RFC 9457 application/problem+json with type, title, status and detail;
validation errors (422) list each bad field; no error path records anything (the candidate's
version and the global log head are the same before and after); If-Match and Idempotency-Key
behave as the contract says.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest

from api.security import MAX_BODY
from tests.apiclient import SKILLS, Api, World, new_token
from tests.fakes import FakeClock

PROBLEM = "application/problem+json"
BASE = "/api/v1"


# --- helpers ---------------------------------------------------------------------------------

def iso(when: datetime) -> str:
    return when.isoformat()


def candidate_path(candidate_id: str, step: str | None = None) -> str:
    return f"{BASE}/candidates/{candidate_id}" + (f"/{step}" if step else "")


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The answer is a problem+json of this status, with the four RFC 9457 members."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM, response.headers.get("Content-Type")
    body = json.loads(response.get_data(as_text=True))
    for member, kind in (("type", str), ("title", str), ("status", int), ("detail", str)):
        assert isinstance(body.get(member), kind), (member, body)
    assert body["status"] == status
    assert body["type"] and body["title"] and body["detail"]
    return body


def pointers(body: dict[str, Any]) -> set[str]:
    """The JSON Pointers of the fields a 422 problem lists."""
    errors = body.get("errors")
    assert isinstance(errors, list) and errors, body
    for error in errors:
        assert isinstance(error.get("pointer"), str) and isinstance(error.get("detail"), str)
    return {error["pointer"] for error in errors}


def assert_invalid(response: Any, *fields: str) -> dict[str, Any]:
    """A 422 problem that lists (at least) each of these fields, as JSON Pointers."""
    body = assert_problem(response, 422)
    listed = pointers(body)
    for field in fields:
        assert field in listed, (field, listed)
    return body


def log_head(api: Api) -> int:
    ready = api.client.get("/readyz")
    assert ready.status_code == 200, ready.json
    return ready.json["log_head"]


def version(api: Api, candidate_id: str) -> int:
    answer = api.get(candidate_path(candidate_id))
    assert answer.status_code == 200, answer.json
    return answer.json["version"]


@contextmanager
def records_nothing(api: Api, candidate_id: str) -> Iterator[None]:
    """The block records no event: neither on the candidate nor anywhere in the log."""
    before = version(api, candidate_id), log_head(api)
    yield
    assert (version(api, candidate_id), log_head(api)) == before


def step(api: Api, candidate_id: str, name: str, body: dict[str, Any] | None = None,
         **kwargs: Any) -> dict[str, Any]:
    answer = api.post(candidate_path(candidate_id, name), body or {}, **kwargs)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.json


def to_assessment(api: Api, candidate_id: str, clock: FakeClock) -> None:
    """contacted -> applied -> assessment_assigned."""
    step(api, candidate_id, "application")
    step(api, candidate_id, "assessment", {"due_at": iso(clock.now + timedelta(days=7))})


def to_hire_decided(world: World, candidate_id: str, clock: FakeClock) -> None:
    """... -> assessed -> recommended -> interviewed -> hire_decided (the client's decision)."""
    api = world.recruiter
    to_assessment(api, candidate_id, clock)
    step(api, candidate_id, "assessment/result", {"grades": {"python": "yes", "sql": "yes"}})
    step(api, candidate_id, "recommendation", {"summary": "solid"})
    step(world.client_a, candidate_id, "interview-request")
    step(api, candidate_id, "interview", {"scheduled_at": iso(clock.now + timedelta(days=2)),
                                          "interviewers": ["Grace"]})
    clock.advance(days=2)  # feedback once the interview has taken place
    step(api, candidate_id, "interview/feedback", {"interviewer": "Grace", "rating": "yes"})
    step(world.client_a, candidate_id, "decision", {"outcome": "hire", "reason": "good"})


def json_post(api: Api, path: str, raw: bytes | str, content_type: str | None,
              **headers: str) -> Any:
    extra = {"Content-Type": content_type} if content_type else {}
    return api.client.post(path, data=raw, headers=api.headers({**extra, **headers}))


# --- 400: malformed JSON ---------------------------------------------------------------------

@pytest.mark.store_independent
@pytest.mark.parametrize("raw", ['{"note": ', "{bad json}", "{'note': 'single quotes'}",
                                 '{"note": "x",}', "\x00\x01"])
def test_malformed_json_is_400(world: World, raw: str) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        answer = json_post(api, candidate_path(cid, "application"), raw, "application/json")
        assert_problem(answer, 400)


@pytest.mark.store_independent
def test_malformed_json_on_a_create_is_400(world: World) -> None:
    api = world.recruiter
    before = log_head(api)
    assert_problem(json_post(api, f"{BASE}/candidates", '{"position_id": ', "application/json"),
                   400)
    assert log_head(api) == before


# --- 415: a body that is not JSON ------------------------------------------------------------

@pytest.mark.store_independent
@pytest.mark.parametrize("content_type", ["text/plain", "application/xml",
                                          "application/x-www-form-urlencoded", None])
def test_a_body_that_is_not_json_is_415(world: World, content_type: str | None) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        answer = json_post(api, candidate_path(cid, "application"), '{"note": "hello"}',
                           content_type)
        assert_problem(answer, 415)


@pytest.mark.store_independent
def test_a_form_body_is_415(world: World) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        answer = api.client.post(candidate_path(cid, "withdrawal"), data={"reason": "moved"},
                                 headers=api.headers())
        assert_problem(answer, 415)


# --- 413: a body over MAX_BODY (256 KiB) ----------------------------------------------------

def padded_body(total: int) -> bytes:
    """A valid JSON object of exactly `total` bytes."""
    skeleton = b'{"note": ""}'
    return b'{"note": "' + b"x" * (total - len(skeleton)) + b'"}'


@pytest.mark.store_independent
def test_a_body_over_the_limit_is_413(world: World) -> None:
    api, cid = world.recruiter, world.candidate_a
    raw = padded_body(MAX_BODY + 1)
    assert len(raw) == 256 * 1024 + 1
    with records_nothing(api, cid):
        assert_problem(json_post(api, candidate_path(cid, "application"), raw,
                                 "application/json"), 413)
        assert_problem(json_post(api, candidate_path(cid, "application"), padded_body(800_000),
                                 "application/json"), 413)


def streamed_post(api: Api, path: str, raw: bytes) -> Any:
    """A chunked body without Content-Length, as gunicorn hands it over: the server marks the
    stream as terminated (wsgi.input_terminated) and sets no CONTENT_LENGTH."""
    return api.client.post(path, input_stream=io.BytesIO(raw),
                           environ_overrides={"wsgi.input_terminated": True},
                           headers=api.headers({"Content-Type": "application/json",
                                                "Transfer-Encoding": "chunked"}))


@pytest.mark.store_independent
def test_a_small_streamed_body_is_read(world: World) -> None:
    api, cid = world.recruiter, world.candidate_a
    answer = streamed_post(api, candidate_path(cid, "application"), b'{"note": "chunked"}')
    assert answer.status_code == 200, answer.json
    assert api.get(candidate_path(cid, "history")).json[-1]["data"]["note"] == "chunked"


@pytest.mark.parametrize("raw", [
    padded_body(MAX_BODY + 6000),  # cut in the middle of the note
    b'{"note": "hi"}' + b" " * (MAX_BODY + 6000),  # the first MAX_BODY alone is valid JSON
], ids=["cut-note", "valid-prefix"])
@pytest.mark.store_independent
def test_a_streamed_body_over_the_limit_is_413(world: World, raw: bytes) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        assert_problem(streamed_post(api, candidate_path(cid, "application"), raw), 413)


@pytest.mark.store_independent
def test_a_body_of_exactly_the_limit_is_not_too_large(world: World) -> None:
    """At the limit the body is read and validated: the note is too long (422), not 413."""
    api, cid = world.recruiter, world.candidate_a
    raw = padded_body(MAX_BODY)
    assert len(raw) == 256 * 1024
    with records_nothing(api, cid):
        assert_invalid(json_post(api, candidate_path(cid, "application"), raw,
                                 "application/json"), "/note")


# --- 404 and 405 -----------------------------------------------------------------------------

@pytest.mark.store_independent
@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/nothing-here", "/api/v2/candidates",
                                  "/api/v1/candidates/not-a-uuid",
                                  "/api/v1/candidates/{cid}/no-such-step"])
@pytest.mark.parametrize("with_token", [True, False])
def test_an_unknown_route_is_404(world: World, path: str, with_token: bool) -> None:
    api = world.recruiter
    path = path.format(cid=world.candidate_a)
    headers = api.headers() if with_token else {}
    assert_problem(api.client.get(path, headers=headers), 404)
    with records_nothing(api, world.candidate_a):
        assert_problem(api.client.post(path, json={}, headers=headers), 404)


def test_an_unknown_candidate_is_404(world: World) -> None:
    api, missing = world.recruiter, "00000000-0000-4000-8000-000000000000"
    before = log_head(api)
    assert_problem(api.get(candidate_path(missing)), 404)
    assert_problem(api.get(candidate_path(missing, "history")), 404)
    assert_problem(api.post(candidate_path(missing, "application"), {}), 404)
    assert_problem(api.post(candidate_path(missing, "withdrawal"), {"reason": "x"}), 404)
    assert_problem(api.get(f"{BASE}/positions/{missing}"), 404)
    assert_problem(api.get(f"{BASE}/clients/{missing}"), 404)
    assert log_head(api) == before


@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("delete", "/api/v1/candidates/{cid}", {"GET"}),
    ("put", "/api/v1/candidates/{cid}", {"GET"}),
    ("get", "/api/v1/candidates/{cid}/application", {"POST"}),
    ("patch", "/api/v1/candidates/{cid}/withdrawal", {"POST"}),
    ("delete", "/api/v1/candidates", {"GET", "POST"}),
    ("delete", "/api/v1/clients", {"POST"}),
    ("post", "/api/v1/candidates/{cid}/history", {"GET"}),
    ("post", "/healthz", {"GET"}),
])
@pytest.mark.store_independent
def test_a_wrong_method_is_405(world: World, method: str, path: str,
                               allowed: set[str]) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        answer = getattr(api.client, method)(path.format(cid=cid), json={},
                                             headers=api.headers())
        assert_problem(answer, 405)
    allow = {m.strip() for m in answer.headers.get("Allow", "").split(",")}
    assert allowed <= allow, allow


# --- 401 and 403 are problems too ------------------------------------------------------------

@pytest.mark.store_independent
def test_missing_token_and_forbidden_role_are_problems(world: World) -> None:
    cid = world.candidate_a
    with records_nothing(world.recruiter, cid):
        anonymous = world.recruiter.client.post(candidate_path(cid, "application"), json={})
        assert_problem(anonymous, 401)
        assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
        assert_problem(world.auditor.post(candidate_path(cid, "application"), {}), 403)
        assert_problem(world.client_b.post(candidate_path(cid, "interview-request"), {}), 404)


# --- 422: unknown fields ---------------------------------------------------------------------

@pytest.mark.store_independent
def test_an_unknown_field_is_422_listing_it(world: World) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        body = assert_invalid(api.post(candidate_path(cid, "application"),
                                       {"note": "ok", "colour": "blue"}), "/colour")
        assert pointers(body) == {"/colour"}
        assert_invalid(api.post(candidate_path(cid, "withdrawal"),
                                {"reason": "moved", "when": "now", "why": "x"}), "/when", "/why")
        assert_invalid(api.post(f"{BASE}/candidates", {
            "position_id": world.position_a, "name": "Bo", "email": "bo@example.com",
            "source": "referral", "phone": "555"}), "/phone")
        assert_invalid(api.post(f"{BASE}/clients", {"name": "Initech", "vat": "x"}), "/vat")
        assert_invalid(api.post(f"{BASE}/positions", {
            "client_id": world.client_a_id, "title": "SRE", "headcount": 1,
            "skills": [{"name": "go", "weight": 3, "required": True, "level": "senior"}],
            "assessment": {"name": "Quiz", "duration_minutes": 30}}), "/skills/0/level")


# --- 422: missing required fields ------------------------------------------------------------

@pytest.mark.parametrize(("step_name", "missing"), [
    ("assessment", {"/due_at"}),
    ("assessment/reschedule", {"/due_at", "/reason"}),
    ("assessment/result", {"/grades"}),
    ("assessment/abandonment", {"/reason"}),
    ("recommendation", {"/summary"}),
    ("disqualification", {"/reason"}),
    ("interview", {"/scheduled_at", "/interviewers"}),
    ("interview/feedback", {"/interviewer", "/rating"}),
    ("decision", {"/outcome", "/reason"}),
    ("offer", {"/salary", "/currency", "/start_date", "/expires_at"}),
    ("offer/response", {"/accepted"}),
    ("placement", {"/start_date"}),
    ("withdrawal", {"/reason"}),
])
@pytest.mark.store_independent
def test_missing_required_fields_are_422_listing_each(world: World, step_name: str,
                                                      missing: set[str]) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        body = assert_invalid(api.post(candidate_path(cid, step_name), {}), *missing)
        assert pointers(body) == missing


@pytest.mark.parametrize(("path", "missing"), [
    ("/api/v1/candidates", {"/position_id", "/name", "/email", "/source"}),
    ("/api/v1/clients", {"/name"}),
    ("/api/v1/positions", {"/client_id", "/title", "/headcount", "/skills", "/assessment"}),
    ("/api/v1/positions/{position}/rubric", {"/skills"}),
    ("/api/v1/positions/{position}/status", {"/status"}),
])
@pytest.mark.store_independent
def test_missing_required_fields_of_creates_are_422(world: World, path: str,
                                                    missing: set[str]) -> None:
    api = world.recruiter
    before = log_head(api)
    body = assert_invalid(api.post(path.format(position=world.position_a), {}), *missing)
    assert pointers(body) == missing
    assert log_head(api) == before


# --- 422: bad values, each class -------------------------------------------------------------

@pytest.mark.store_independent
@pytest.mark.parametrize("source", ["linkedin", "REFERRAL", "", 3, None])
def test_a_bad_source_is_422(world: World, source: Any) -> None:
    api = world.recruiter
    before = log_head(api)
    assert_invalid(api.post(f"{BASE}/candidates", {
        "position_id": world.position_a, "name": "Bo", "email": "bo@example.com",
        "source": source}), "/source")
    assert log_head(api) == before


@pytest.mark.store_independent
def test_every_bad_field_of_a_create_is_listed(world: World) -> None:
    api = world.recruiter
    before = log_head(api)
    body = assert_invalid(api.post(f"{BASE}/candidates", {
        "position_id": "not-a-uuid", "name": "", "email": "not an email", "source": "ads",
        "extra": 1}), "/position_id", "/name", "/email", "/source", "/extra")
    assert pointers(body) == {"/position_id", "/name", "/email", "/source", "/extra"}
    assert log_head(api) == before


@pytest.mark.store_independent
@pytest.mark.parametrize("reason", ["bored", "TOO_LONG", "", None])
def test_a_bad_abandonment_reason_is_422(world: World, clock: FakeClock, reason: Any) -> None:
    api, cid = world.recruiter, world.candidate_a
    to_assessment(api, cid, clock)
    with records_nothing(api, cid):
        assert_invalid(api.post(candidate_path(cid, "assessment/abandonment"),
                                {"reason": reason}), "/reason")


@pytest.mark.store_independent
@pytest.mark.parametrize("outcome", ["maybe", "HIRE", "hired", "", None])
def test_a_bad_decision_outcome_is_422(world: World, outcome: Any) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        assert_invalid(api.post(candidate_path(cid, "decision"),
                                {"outcome": outcome, "reason": "fit"}), "/outcome")


@pytest.mark.store_independent
@pytest.mark.parametrize("rating", ["great", "no_decision", "YES", 4, None])
def test_a_bad_interview_rating_is_422(world: World, rating: Any) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        assert_invalid(api.post(candidate_path(cid, "interview/feedback"),
                                {"interviewer": "Grace", "rating": rating}), "/rating")


@pytest.mark.store_independent
@pytest.mark.parametrize("accepted", ["yes", "true", "false", None, [],
                                      1, 0])
def test_offer_response_accepted_must_be_a_boolean(world: World, clock: FakeClock,
                                                   accepted: Any) -> None:
    api, cid = world.recruiter, world.candidate_a
    to_hire_decided(world, cid, clock)
    step(api, cid, "offer", offer_body("EUR", clock))
    with records_nothing(api, cid):
        assert_invalid(api.post(candidate_path(cid, "offer/response"), {"accepted": accepted}),
                       "/accepted")


@pytest.mark.store_independent
def test_a_bad_position_status_is_422(world: World) -> None:
    api = world.recruiter
    before = log_head(api)
    assert_invalid(api.post(f"{BASE}/positions/{world.position_a}/status",
                            {"status": "paused"}), "/status")
    assert log_head(api) == before


@pytest.mark.parametrize(("step_name", "field", "body"), [
    ("assessment", "/due_at", {"due_at": "2026-02-01T10:00:00"}),
    ("assessment", "/due_at", {"due_at": "2026-02-01"}),
    ("assessment", "/due_at", {"due_at": "next tuesday"}),
    ("assessment/reschedule", "/due_at", {"due_at": "2026-02-01T10:00:00", "reason": "x"}),
    ("interview", "/scheduled_at", {"scheduled_at": "2026-02-01T10:00:00",
                                    "interviewers": ["Grace"]}),
    ("offer", "/expires_at", {"salary": "90000", "currency": "EUR",
                              "start_date": "2026-03-02", "expires_at": "2026-02-01T10:00"}),
])
@pytest.mark.store_independent
def test_a_datetime_without_offset_is_422(world: World, step_name: str, field: str,
                                          body: dict[str, Any]) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        body_ = assert_invalid(api.post(candidate_path(cid, step_name), body), field)
        assert pointers(body_) == {field}


@pytest.mark.store_independent
@pytest.mark.parametrize("start_date", ["2026-02-30", "2026-13-01", "05/01/2026", "tomorrow",
                                        20260301])
def test_a_bad_date_is_422(world: World, start_date: Any) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        assert_invalid(api.post(candidate_path(cid, "placement"), {"start_date": start_date}),
                       "/start_date")
        assert_invalid(api.post(candidate_path(cid, "offer"), {
            "salary": "90000", "currency": "EUR", "start_date": start_date,
            "expires_at": "2026-02-01T10:00:00+00:00"}), "/start_date")


def position_body(world: World, skills: list[dict[str, Any]]) -> dict[str, Any]:
    return {"client_id": world.client_a_id, "title": "SRE", "headcount": 1, "skills": skills,
            "assessment": {"name": "Quiz", "duration_minutes": 30}}


@pytest.mark.store_independent
def test_weights_0_and_6_are_422_listing_each_skill(world: World) -> None:
    api = world.recruiter
    before = log_head(api)
    skills = [{"name": "go", "weight": 0, "required": True},
              {"name": "k8s", "weight": 6, "required": False},
              {"name": "sql", "weight": 3, "required": False}]
    body = assert_invalid(api.post(f"{BASE}/positions", position_body(world, skills)),
                          "/skills/0/weight", "/skills/1/weight")
    assert pointers(body) == {"/skills/0/weight", "/skills/1/weight"}
    body = assert_invalid(api.post(f"{BASE}/positions/{world.position_a}/rubric",
                                   {"skills": skills}), "/skills/0/weight", "/skills/1/weight")
    assert pointers(body) == {"/skills/0/weight", "/skills/1/weight"}
    assert log_head(api) == before


@pytest.mark.store_independent
@pytest.mark.parametrize("weight", [0, 6, -1, 2.5, "3", True, None])
def test_a_bad_weight_is_422(world: World, weight: Any) -> None:
    api = world.recruiter
    before = log_head(api)
    assert_invalid(api.post(f"{BASE}/positions", position_body(
        world, [{"name": "go", "weight": weight, "required": True}])), "/skills/0/weight")
    assert log_head(api) == before


@pytest.mark.parametrize("weight", [1, 5])
def test_weights_1_and_5_are_accepted(world: World, weight: int) -> None:
    answer = world.recruiter.post(f"{BASE}/positions", position_body(
        world, [{"name": "go", "weight": weight, "required": True}]))
    assert answer.status_code == 201, answer.json


def offer_body(currency: Any, clock: FakeClock) -> dict[str, Any]:
    return {"salary": "90000", "currency": currency, "start_date": "2026-03-02",
            "expires_at": iso(clock.now + timedelta(days=10))}


@pytest.mark.store_independent
@pytest.mark.parametrize("currency", ["eur", "EURO", "E1R", "EU", "", "€", 978, None])
def test_a_malformed_currency_is_422(world: World, clock: FakeClock, currency: Any) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        assert_invalid(api.post(candidate_path(cid, "offer"), offer_body(currency, clock)),
                       "/currency")


@pytest.mark.store_independent
@pytest.mark.parametrize("currency", ["ABC", "ZZZ", "QQQ"])
def test_a_currency_that_is_not_iso_4217_is_422(world: World, clock: FakeClock,
                                                currency: str) -> None:
    api, cid = world.recruiter, world.candidate_a
    to_hire_decided(world, cid, clock)
    with records_nothing(api, cid):
        assert_invalid(api.post(candidate_path(cid, "offer"), offer_body(currency, clock)),
                       "/currency")


@pytest.mark.store_independent
@pytest.mark.parametrize("salary", [0, -5, "-1", "lots", None])
def test_a_bad_salary_is_422(world: World, clock: FakeClock, salary: Any) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        assert_invalid(api.post(candidate_path(cid, "offer"),
                                {**offer_body("EUR", clock), "salary": salary}), "/salary")


@pytest.mark.store_independent
def test_every_bad_field_of_an_offer_is_listed(world: World) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        body = assert_invalid(api.post(candidate_path(cid, "offer"), {
            "salary": 0, "currency": "euro", "start_date": "2026-02-30",
            "expires_at": "2026-02-01T10:00:00", "bonus": 1}),
            "/salary", "/currency", "/start_date", "/expires_at", "/bonus")
        assert pointers(body) == {"/salary", "/currency", "/start_date", "/expires_at",
                                  "/bonus"}


# --- 422: assessment results against the rubric ----------------------------------------------

ALL_GRADES = {"python": "yes", "sql": "mixed"}


@pytest.mark.parametrize("grades", [
    {**ALL_GRADES, "rust": "yes"},  # a skill the rubric does not have
    {"python": "yes"},  # a rubric skill not graded
    {"python": "yes", "rust": "yes"},  # both
    {},  # nothing graded
])
@pytest.mark.store_independent
def test_assessment_result_must_grade_exactly_the_rubric(world: World, clock: FakeClock,
                                                         grades: dict[str, str]) -> None:
    api, cid = world.recruiter, world.candidate_a
    to_assessment(api, cid, clock)
    with records_nothing(api, cid):
        assert_problem(api.post(candidate_path(cid, "assessment/result"), {"grades": grades}),
                       422)
    assert api.get(candidate_path(cid)).json["stage"] == "assessment_assigned"


@pytest.mark.parametrize(("grades", "field"), [
    ({**ALL_GRADES, "rust": "yes"}, "/grades"),
    ({"python": "yes"}, "/grades"),
])
@pytest.mark.store_independent
def test_assessment_result_errors_point_at_the_grades(world: World, clock: FakeClock,
                                                      grades: dict[str, str],
                                                      field: str) -> None:
    api, cid = world.recruiter, world.candidate_a
    to_assessment(api, cid, clock)
    body = assert_problem(api.post(candidate_path(cid, "assessment/result"),
                                   {"grades": grades}), 422)
    assert any(p == field or p.startswith(field + "/") for p in pointers(body)), body


@pytest.mark.store_independent
def test_a_bad_grade_value_is_422_listing_the_skill(world: World, clock: FakeClock) -> None:
    api, cid = world.recruiter, world.candidate_a
    to_assessment(api, cid, clock)
    with records_nothing(api, cid):
        body = assert_problem(api.post(candidate_path(cid, "assessment/result"),
                                       {"grades": {"python": "great", "sql": "yes"}}), 422)
        assert all(p.startswith("/grades/python") for p in pointers(body)), body
        body = assert_problem(api.post(candidate_path(cid, "assessment/result"),
                                       {"grades": ["python", "sql"]}), 422)
        assert all(p.startswith("/grades") for p in pointers(body)), body


def test_a_complete_assessment_result_is_accepted(world: World, clock: FakeClock) -> None:
    api, cid = world.recruiter, world.candidate_a
    to_assessment(api, cid, clock)
    assert step(api, cid, "assessment/result", {"grades": ALL_GRADES})["stage"] == "assessed"


# --- 409: a step not allowed in the current stage --------------------------------------------

def valid_bodies(clock: FakeClock) -> dict[str, dict[str, Any]]:
    later = iso(clock.now + timedelta(days=7))
    return {
        "assessment": {"due_at": later},
        "assessment/reschedule": {"due_at": later, "reason": "holiday"},
        "assessment/result": {"grades": ALL_GRADES},
        "assessment/abandonment": {"reason": "too_long"},
        "recommendation": {"summary": "strong"},
        "interview-request": {},
        "interview": {"scheduled_at": later, "interviewers": ["Grace"]},
        "interview/feedback": {"interviewer": "Grace", "rating": "yes"},
        "decision": {"outcome": "reject", "reason": "fit"},
        "offer": offer_body("EUR", clock),
        "rejection-notice": {},
        "offer/response": {"accepted": True},
        "placement": {"start_date": "2026-03-02"},
    }


ILLEGAL_WHEN_CONTACTED = ["assessment", "assessment/reschedule", "assessment/result",
                          "assessment/abandonment", "recommendation", "interview-request",
                          "interview", "interview/feedback", "decision", "offer",
                          "rejection-notice", "offer/response", "placement"]


def assert_illegal_step(answer: Any, stage: str, allowed: list[str]) -> dict[str, Any]:
    body = assert_problem(answer, 409)
    assert body["stage"] == stage
    assert body["allowed_steps"] == allowed
    assert f"'{stage}'" in body["detail"] or stage in body["detail"]
    for name in allowed:
        assert name in body["detail"], (name, body["detail"])
    return body


@pytest.mark.parametrize("step_name", ILLEGAL_WHEN_CONTACTED)
def test_a_step_not_allowed_now_is_409_naming_stage_and_allowed_steps(
        world: World, clock: FakeClock, step_name: str) -> None:
    api, cid = world.recruiter, world.candidate_a
    state = api.get(candidate_path(cid)).json
    assert state["stage"] == "contacted"
    assert state["allowed_steps"] == ["application", "disqualification", "withdrawal"]
    with records_nothing(api, cid):
        answer = api.post(candidate_path(cid, step_name), valid_bodies(clock)[step_name])
        body = assert_illegal_step(answer, "contacted", state["allowed_steps"])
        assert step_name in body["detail"]


def test_409_follows_the_stage(world: World, clock: FakeClock) -> None:
    api, cid = world.recruiter, world.candidate_a
    to_assessment(api, cid, clock)
    allowed = ["assessment/reschedule", "assessment/result", "assessment/abandonment",
               "withdrawal"]
    assert api.get(candidate_path(cid)).json["allowed_steps"] == allowed
    with records_nothing(api, cid):
        assert_illegal_step(api.post(candidate_path(cid, "application"), {}),
                            "assessment_assigned", allowed)
        assert_illegal_step(api.post(candidate_path(cid, "disqualification"),
                                     {"reason": "x"}), "assessment_assigned", allowed)
    step(api, cid, "assessment/abandonment", {"reason": "too_long"})
    step(api, cid, "rejection-notice")
    with records_nothing(api, cid):
        body = assert_illegal_step(api.post(candidate_path(cid, "withdrawal"),
                                            {"reason": "late"}), "abandoned", [])
        assert "none" in body["detail"]


def test_a_client_decision_to_hire_before_the_interview_is_409(world: World,
                                                               clock: FakeClock) -> None:
    api, cid = world.recruiter, world.candidate_a
    to_assessment(api, cid, clock)
    step(api, cid, "assessment/result", {"grades": ALL_GRADES})
    step(api, cid, "recommendation", {"summary": "good"})
    with records_nothing(api, cid):
        body = assert_problem(world.client_a.post(candidate_path(cid, "decision"),
                                                  {"outcome": "hire", "reason": "great"}), 409)
        assert body["stage"] == "recommended"
        assert "recommended" in body["detail"]


# --- 409: the same email for the same position -----------------------------------------------

@pytest.mark.parametrize("email", ["ann@example.com", "ANN@EXAMPLE.COM", "Ann@Example.com"])
def test_the_same_email_for_the_same_position_is_409(world: World, email: str) -> None:
    api = world.recruiter
    before = log_head(api)
    answer = api.post(f"{BASE}/candidates", {"position_id": world.position_a, "name": "Ann Lee",
                                             "email": email, "source": "inbound"})
    assert_problem(answer, 409)
    assert log_head(api) == before
    assert len(api.get(candidate_path(world.candidate_a, "history")).json) == 1


def test_the_same_email_for_another_position_is_a_new_candidate(world: World) -> None:
    position_c = world.recruiter.post(f"{BASE}/positions", position_body(world, SKILLS)).json
    answer = world.recruiter.post(f"{BASE}/candidates", {
        "position_id": position_c["id"], "name": "Ann Lee", "email": "ANN@example.com",
        "source": "inbound"})
    assert answer.status_code == 201, answer.json
    assert answer.json["id"] not in (world.candidate_a, world.candidate_b)


# --- If-Match --------------------------------------------------------------------------------

def test_if_match_with_a_stale_version_is_412_and_records_nothing(world: World) -> None:
    api, cid = world.recruiter, world.candidate_a
    etag = api.get(candidate_path(cid)).headers["ETag"]
    assert etag == '"1"'
    step(api, cid, "application")  # the candidate moves on to version 2
    with records_nothing(api, cid):
        body = assert_problem(api.post(candidate_path(cid, "disqualification"),
                                       {"reason": "no"}, headers={"If-Match": etag}), 412)
        assert body.get("current_version", 2) == 2
    assert api.get(candidate_path(cid)).json["stage"] == "applied"


def test_if_match_ahead_of_the_candidate_is_412(world: World) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        assert_problem(api.post(candidate_path(cid, "application"), {},
                                headers={"If-Match": '"5"'}), 412)


def test_if_match_with_the_current_version_is_200(world: World) -> None:
    api, cid = world.recruiter, world.candidate_a
    etag = api.get(candidate_path(cid)).headers["ETag"]
    receipt = step(api, cid, "application", headers={"If-Match": etag})
    assert receipt["version"] == 2
    etag = api.get(candidate_path(cid)).headers["ETag"]
    assert etag == '"2"'
    assert step(api, cid, "disqualification", {"reason": "no"},
                headers={"If-Match": etag})["stage"] == "disqualified"


def test_if_match_is_checked_before_the_stage(world: World) -> None:
    """A stale If-Match is a 412 even when the step would not be allowed anyway."""
    api, cid = world.recruiter, world.candidate_a
    step(api, cid, "application")
    with records_nothing(api, cid):
        assert_problem(api.post(candidate_path(cid, "application"), {},
                                headers={"If-Match": '"1"'}), 412)


@pytest.mark.store_independent
@pytest.mark.parametrize("if_match", ["1", "abc", '"one"', '"1', "v1", '"-1"', '""'])
def test_a_malformed_if_match_is_400(world: World, if_match: str) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        assert_problem(api.post(candidate_path(cid, "application"), {},
                                headers={"If-Match": if_match}), 400)


def test_if_match_on_a_position_command(world: World) -> None:
    api, position = world.recruiter, world.position_a
    before = log_head(api)
    assert_problem(api.post(f"{BASE}/positions/{position}/status", {"status": "on_hold"},
                            headers={"If-Match": '"7"'}), 412)
    assert log_head(api) == before
    answer = api.post(f"{BASE}/positions/{position}/status", {"status": "on_hold"},
                      headers={"If-Match": '"1"'})
    assert answer.status_code == 200, answer.json
    assert answer.json["version"] == 2


# --- no error path records anything ----------------------------------------------------------

def test_no_error_path_records_anything(world: World, clock: FakeClock) -> None:
    """Every class of error, one after another, on the same candidate: nothing recorded."""
    api, cid = world.recruiter, world.candidate_a
    path = candidate_path(cid, "application")
    errors = [
        (lambda: json_post(api, path, "{oops", "application/json"), 400),
        (lambda: json_post(api, path, "note=x", "text/plain"), 415),
        (lambda: json_post(api, path, padded_body(MAX_BODY + 6000), "application/json"), 413),
        (lambda: api.post(candidate_path(cid, "no-such-step"), {}), 404),
        (lambda: api.client.put(path, json={}, headers=api.headers()), 405),
        (lambda: api.client.post(path, json={}), 401),
        (lambda: world.auditor.post(path, {}), 403),
        (lambda: world.client_b.post(candidate_path(cid, "interview-request"), {}), 404),
        (lambda: api.post(path, {"bogus": True}), 422),
        (lambda: api.post(candidate_path(cid, "offer"), offer_body("eur", clock)), 422),
        (lambda: api.post(candidate_path(cid, "placement"), valid_bodies(clock)["placement"]),
         409),
        (lambda: api.post(path, {}, headers={"If-Match": '"9"'}), 412),
        (lambda: api.post(path, {}, headers={"If-Match": "nine"}), 400),
        (lambda: api.post(f"{BASE}/candidates", {"position_id": world.position_a,
                                                  "name": "Ann", "email": "ANN@example.com",
                                                  "source": "referral"}), 409),
    ]
    for send, status in errors:
        with records_nothing(api, cid):
            assert_problem(send(), status)
    history = api.get(candidate_path(cid, "history")).json
    assert [event["type"] for event in history] == ["Contacted"]


# --- Idempotency-Key -------------------------------------------------------------------------

def test_a_repeated_step_with_the_same_key_returns_the_first_answer(world: World) -> None:
    api, cid = world.recruiter, world.candidate_a
    key = {"Idempotency-Key": "apply-ann-1"}
    first = api.post(candidate_path(cid, "application"), {"note": "via referral"}, headers=key)
    assert first.status_code == 200, first.json
    with records_nothing(api, cid):
        for _ in range(3):
            repeat = api.post(candidate_path(cid, "application"), {"note": "via referral"},
                              headers=key)
            assert repeat.status_code == 200
            assert repeat.json == first.json
            assert repeat.get_data() == first.get_data()
    # without the key the same step is a new command, refused in the new stage
    assert_problem(api.post(candidate_path(cid, "application"), {"note": "via referral"}), 409)
    history = api.get(candidate_path(cid, "history")).json
    assert [event["type"] for event in history] == ["Contacted", "Applied"]


def test_a_repeated_create_with_the_same_key_returns_the_same_candidate(world: World) -> None:
    api = world.recruiter
    key = {"Idempotency-Key": "contact-bo"}
    body = {"position_id": world.position_a, "name": "Bo Chen", "email": "bo@example.com",
            "source": "sourced", "channel": "github"}
    first = api.post(f"{BASE}/candidates", body, headers=key)
    assert first.status_code == 201, first.json
    head = log_head(api)
    repeat = api.post(f"{BASE}/candidates", body, headers=key)
    assert repeat.status_code == 201
    assert repeat.json == first.json
    assert repeat.json["id"] == first.json["id"]
    assert repeat.headers["Location"] == first.headers["Location"]
    assert log_head(api) == head
    # one candidate: one Contacted event, and contacting them again is a duplicate
    assert len(api.get(candidate_path(first.json["id"], "history")).json) == 1
    assert_problem(api.post(f"{BASE}/candidates", body), 409)
    assert log_head(api) == head


def test_an_error_answer_is_replayed_too(world: World, clock: FakeClock) -> None:
    api, cid = world.recruiter, world.candidate_a
    key = {"Idempotency-Key": "offer-too-early"}
    body = valid_bodies(clock)["offer"]
    with records_nothing(api, cid):
        first = api.post(candidate_path(cid, "offer"), body, headers=key)
        assert_problem(first, 409)
        repeat = api.post(candidate_path(cid, "offer"), body, headers=key)
        assert repeat.status_code == 409
        assert repeat.mimetype == PROBLEM
        assert repeat.json == first.json


def test_the_same_key_with_a_different_body_is_422(world: World) -> None:
    api, cid = world.recruiter, world.candidate_a
    key = {"Idempotency-Key": "apply-ann-2"}
    assert api.post(candidate_path(cid, "application"), {"note": "a"},
                    headers=key).status_code == 200
    with records_nothing(api, cid):
        assert_problem(api.post(candidate_path(cid, "application"), {"note": "b"},
                                headers=key), 422)
        assert_problem(api.post(candidate_path(cid, "withdrawal"), {"reason": "b"},
                                headers=key), 422)
    # the first answer is still the one a true repeat gets
    repeat = api.post(candidate_path(cid, "application"), {"note": "a"}, headers=key)
    assert repeat.status_code == 200
    assert repeat.json["version"] == 2


def test_the_same_key_with_a_different_create_body_is_422(world: World) -> None:
    api = world.recruiter
    key = {"Idempotency-Key": "client-1"}
    assert api.post(f"{BASE}/clients", {"name": "Initech"}, headers=key).status_code == 201
    head = log_head(api)
    assert_problem(api.post(f"{BASE}/clients", {"name": "Hooli"}, headers=key), 422)
    assert log_head(api) == head


def test_the_same_key_used_by_another_token_is_independent(app: Any, world: World) -> None:
    first_api = world.recruiter
    other_api = Api(first_api.client, new_token(app, "recruiter"))
    key = {"Idempotency-Key": "shared-key"}
    head = log_head(first_api)
    mine = first_api.post(f"{BASE}/clients", {"name": "Initech"}, headers=key)
    theirs = other_api.post(f"{BASE}/clients", {"name": "Initech"}, headers=key)
    assert mine.status_code == theirs.status_code == 201
    assert mine.json["id"] != theirs.json["id"]
    assert log_head(first_api) == head + 2
    # and a different body under the same key is not a mismatch for another token
    third = world.admin.post(f"{BASE}/clients", {"name": "Hooli"}, headers=key)
    assert third.status_code == 201, third.json
    assert log_head(first_api) == head + 3
    # each token still gets its own first answer
    again = other_api.post(f"{BASE}/clients", {"name": "Initech"}, headers=key)
    assert again.status_code == 201
    assert again.json == theirs.json
    assert log_head(first_api) == head + 3


def test_the_same_key_on_a_step_by_another_token_runs_again(world: World) -> None:
    """Not a replay for the other token: the step runs, and is refused in the new stage."""
    cid, key = world.candidate_a, {"Idempotency-Key": "apply"}
    assert world.recruiter.post(candidate_path(cid, "application"), {},
                                headers=key).status_code == 200
    with records_nothing(world.recruiter, cid):
        assert_problem(world.admin.post(candidate_path(cid, "application"), {}, headers=key),
                       409)


@pytest.mark.store_independent
@pytest.mark.parametrize("key", ["", "k" * 256])
def test_an_idempotency_key_of_a_bad_length_is_400(world: World, key: str) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        assert_problem(api.post(candidate_path(cid, "application"), {},
                                headers={"Idempotency-Key": key}), 400)


@pytest.mark.store_independent
@pytest.mark.parametrize("raw", ["null", "[]", '"note"', "3"])
def test_a_body_that_is_json_but_not_an_object_is_422(world: World, raw: str) -> None:
    api, cid = world.recruiter, world.candidate_a
    with records_nothing(api, cid):
        body = assert_problem(json_post(api, candidate_path(cid, "application"), raw,
                                        "application/json"), 422)
        assert pointers(body) == {"/"}


def test_a_version_the_candidate_never_had_is_404(world: World) -> None:
    api, cid = world.recruiter, world.candidate_a
    assert api.get(candidate_path(cid) + "?version=1").status_code == 200
    assert_problem(api.get(candidate_path(cid) + "?version=2"), 404)

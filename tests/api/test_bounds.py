"""Issue 10, section 1: every value the API accepts can be stored and projected on both
stores, and every value it cannot store is refused at the edge with a 422 naming the field.

The cases come from the request schemas themselves (tests/api/bounds_cases.py): a field
added to any schema is walked here without anyone writing a test for it. Every command runs
once with every field at its upper bound (longest text with astral characters, latest time
written with the offset furthest from UTC, largest number), after each of its fields has
been sent just past its bounds (refused, nothing recorded); then the projector applies the
whole log and every read model must have reached the head, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import marshmallow as ma
import pytest
from flask import Flask

from api.schemas import fields as f
from api.schemas import positions as position_schemas
from api.schemas import steps
from api.schemas.candidates import CandidateCreateSchema
from api.schemas.clients import ClientCreateSchema
from api.schemas.tokens import TokenCreateSchema
from domain import bounds
from domain.values import normalise_email
from projections import catalog
from projections.registry import MODELS
from tests.api.bounds_cases import (
    LATEST,
    at_max_query,
    beyond,
    leaf_fields,
    long_text,
    maximal,
    query_cases,
    request_routes,
    with_value,
)
from tests.apiclient import Api, assert_problem, new_token
from tests.readmodels import project_all

BASE = "/api/v1"


# --- every field is bounded, and its bounds are documented ------------------------------------

def test_every_field_of_every_request_schema_is_a_bounded_kind(app: Flask) -> None:
    routes = list(request_routes(app))
    assert len(routes) > 30
    for route in routes:
        for pointer, field in leaf_fields(route.schema):
            assert isinstance(field, f.Bounded), (
                f"{route.method} {route.rule} {pointer}: {type(field).__name__} is not one of "
                "api/schemas/fields.py's bounded fields")
            if isinstance(field, f.Items | f.Object | f.Mapping):
                continue
            beyond(field)  # generation knows the kind (raises otherwise)


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _undocumented(spec: dict[str, Any], schema: dict[str, Any], where: str) -> list[str]:
    schema = _resolve(spec, schema)
    kind, missing = schema.get("type"), []
    if kind == "object" or "properties" in schema:
        for name, sub in schema.get("properties", {}).items():
            missing += _undocumented(spec, sub, f"{where}/{name}")
        if isinstance(schema.get("additionalProperties"), dict):
            if "maxProperties" not in schema:
                missing.append(f"{where}: no maxProperties")
            missing += _undocumented(spec, schema["additionalProperties"], f"{where}/*")
    elif kind == "array":
        if "maxItems" not in schema:
            missing.append(f"{where}: no maxItems")
        missing += _undocumented(spec, schema["items"], f"{where}/0")
    elif kind == "string":
        fmt = schema.get("format")
        if fmt in ("date", "date-time"):
            if not {"x-earliest", "x-latest"} <= set(schema):
                missing.append(f"{where}: no x-earliest/x-latest")
        elif fmt != "uuid" and "enum" not in schema and "maxLength" not in schema:
            missing.append(f"{where}: no maxLength")
    elif kind in ("integer", "number") and ("maximum" not in schema or "minimum" not in schema):
        missing.append(f"{where}: no minimum/maximum")
    return missing


def test_every_bound_is_documented_in_the_openapi_document(client: Any) -> None:
    spec = client.get(f"{BASE}/openapi.json").get_json()
    missing: list[str] = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                if parameter.get("in") == "query":
                    missing += _undocumented(spec, parameter["schema"],
                                             f"{where}?{parameter['name']}")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                missing += _undocumented(spec, body["schema"], where)
    assert missing == []


# --- the journey at the bounds, on both stores -------------------------------------------------

class Journey:
    """Sends each command: first every field past its bounds (each a 422 naming the field,
    nothing recorded), then the whole body at its upper bounds (accepted)."""

    def __init__(self, app: Flask, api: Api) -> None:
        self.app, self.api = app, api
        self.recruitment = app.extensions["hirelog"].recruitment
        self.refusals = 0

    def head(self) -> int:
        return self.recruitment.recorder.max_notification_id() or 0

    def send(self, path: str, schema: type[ma.Schema], body: dict[str, Any],
             status: int = 200) -> dict[str, Any]:
        before = self.head()
        for pointer, field in leaf_fields(schema()):
            for what, value in beyond(field):
                answer = self.api.post(BASE + path, with_value(body, pointer, value))
                problem = assert_problem(answer, 422) if answer.status_code != 400 else None
                if problem is None:  # a value JSON cannot carry as sent (400) is refused too
                    assert_problem(answer, 400)
                    continue
                named = [e["pointer"] for e in problem.get("errors", [])]
                assert any(p.startswith(pointer.rsplit("/0", 1)[0]) for p in named), (
                    path, pointer, what, problem)
                self.refusals += 1
        assert self.head() == before, f"a refused {path} recorded something"
        answer = self.api.post(BASE + path, body)
        assert answer.status_code == status, (path, answer.get_json())
        return answer.get_json()


def skill_names(count: int) -> list[str]:
    return [long_text(200, f"skill{i}") for i in range(count)]


@pytest.fixture
def journey(app: Flask, client: Any) -> Journey:
    return Journey(app, Api(client, new_token(app, "admin")))


def test_every_command_at_its_bounds_is_stored_and_projected(
        journey: Journey, figures: Callable[[str, str], None]) -> None:
    send = journey.send
    client = send("/clients", ClientCreateSchema, {"name": long_text(200, "client")}, 201)
    skills = [{"name": name, "weight": 5, "required": True} for name in skill_names(50)]
    position = send("/positions", position_schemas.PositionCreateSchema, {
        "client_id": client["id"], "title": long_text(200, "title"),
        "headcount": bounds.MAX_HEADCOUNT, "skills": skills,
        "assessment": {"name": long_text(200, "test"),
                       "duration_minutes": bounds.MAX_ASSESSMENT_MINUTES}}, 201)
    send(f"/positions/{position['id']}/rubric", position_schemas.RubricRevisionSchema,
         {"skills": skills})

    def contact(seed: str) -> str:
        body = {name: maximal(field, seed) for name, field in CandidateCreateSchema().fields.items()
                if name != "position_id"}
        body["position_id"] = position["id"]
        return send("/candidates", CandidateCreateSchema, body, 201)["id"]

    def step(candidate: str, path: str, schema: type[ma.Schema], **given: Any) -> None:
        body = {name: given[name] if name in given else maximal(field)
                for name, field in schema().fields.items()}
        send(f"/candidates/{candidate}/{path}", schema, body)

    hired, abandoned, disqualified, withdrawn = (contact(s) for s in "habw")
    interviewers = [long_text(200, f"interviewer{i}") for i in range(20)]
    step(hired, "application", steps.ApplicationSchema)
    step(hired, "assessment", steps.AssessmentAssignmentSchema)
    step(hired, "assessment/reschedule", steps.AssessmentRescheduleSchema)
    step(hired, "assessment/result", steps.AssessmentResultSchema,
         grades={s["name"]: "strong_yes" for s in skills})
    step(hired, "recommendation", steps.RecommendationSchema)
    step(hired, "interview-request", steps.InterviewRequestSchema)
    step(hired, "interview", steps.InterviewScheduleSchema, interviewers=interviewers)
    # the interview moved to the earliest moment accepted: held, so feedback can follow
    step(hired, "interview", steps.InterviewScheduleSchema, interviewers=interviewers,
         scheduled_at=bounds.EARLIEST.isoformat())
    step(hired, "interview/feedback", steps.InterviewFeedbackSchema,
         interviewer=interviewers[-1])
    step(hired, "decision", steps.DecisionRequestSchema, outcome="hire")
    step(hired, "offer", steps.OfferSchema)
    step(hired, "offer/response", steps.OfferResponseSchema, accepted=True)
    step(hired, "placement", steps.PlacementSchema)

    step(abandoned, "application", steps.ApplicationSchema)
    step(abandoned, "assessment", steps.AssessmentAssignmentSchema)
    step(abandoned, "assessment/abandonment", steps.AbandonmentSchema)
    step(abandoned, "rejection-notice", steps.RejectionNoticeSchema)
    step(disqualified, "disqualification", steps.DisqualificationSchema)
    step(withdrawn, "withdrawal", steps.WithdrawalSchema)
    send(f"/positions/{position['id']}/status", position_schemas.StatusChangeSchema,
         {"status": "on_hold", "reason": long_text(2000, "hold")})
    send("/tokens", TokenCreateSchema, {"name": long_text(200, "token"), "role": "client",
                                        "client_id": client["id"]}, 201)
    assert journey.refusals > 300
    store = journey.app.extensions["hirelog"].settings.database_url.split(":")[0]
    figures(f"bounds, {store}", f"{journey.refusals} values past their bounds refused (422 "
                                f"naming the field, nothing recorded); {journey.head()} events "
                                "at the bounds recorded and projected")

    # the projector applies everything, and every read model reaches the head
    project_all(journey.recruitment)
    head = journey.head()
    with journey.recruitment.tables.transaction(commit=False) as cursor:
        positions = {m.name: catalog.active(cursor, m.name)[1] for m in MODELS}
    assert positions == {m.name: head for m in MODELS}

    # and shows the values as stored
    api = journey.api
    listed = api.get(f"{BASE}/candidates?position_id={position['id']}&limit=200").get_json()
    names = {item["name"] for item in listed["items"]}
    assert long_text(200, "h") in names and len(names) == 4
    sent_email = maximal(CandidateCreateSchema().fields["email"], "h")
    assert normalise_email(sent_email) in {item["email"] for item in listed["items"]}
    shortlist = api.get(f"{BASE}/positions/{position['id']}/shortlist",
                        query_string={"show": "all"}).get_json()
    assert shortlist["candidates"][0]["score"] == 100.0  # the hire's, graded at the bounds
    assert api.get(f"{BASE}/clients/{client['id']}/dashboard").status_code == 200
    assert api.get(f"{BASE}/positions/{position['id']}/pipeline").status_code == 200
    for report in ("funnel", "assessments", "compliance", "notices-due", "recruiters"):
        assert api.get(f"{BASE}/reports/{report}").status_code == 200, report
    candidate = api.get(f"{BASE}/candidates/{hired}").get_json()
    assert candidate["offer"]["expires_at"] == LATEST
    assert candidate["offer"]["salary"] == str(bounds.MAX_SALARY)


# --- query parameters --------------------------------------------------------------------------

def _concrete(rule: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        rule = rule.replace(f"<uuid:{name}>", value)
    assert "<" not in rule, rule
    return rule


def test_every_query_parameter_past_its_bounds_is_a_4xx_and_at_them_is_answered(
        app: Flask, world: Any) -> None:
    token_id = app.extensions["hirelog"].tokens.list()[0].id
    ids = {"client_id": world.client_a_id, "position_id": world.position_a,
           "candidate_id": world.candidate_a, "token_id": token_id}
    checked = 0
    for route in request_routes(app):
        if route.location != "query":
            continue
        path = _concrete(route.rule, ids)
        for pointer, what, value in query_cases(route.schema):
            name = pointer.strip("/")
            if isinstance(value, bytes):  # not UTF-8: read as U+FFFD, which is storable
                answer = world.admin.get(f"{path}?{name}={quote(value)}")
                assert answer.status_code < 500, (path, name, what, answer.get_json())
                continue
            answer = world.admin.get(path, query_string={name: value})
            problem = assert_problem(answer, 422)
            assert any(e["pointer"].endswith("/" + name) for e in problem["errors"]), (
                path, name, what, problem)
            checked += 1
        answer = world.admin.get(path, query_string=at_max_query(route.schema))
        assert answer.status_code in (200, 404), (path, answer.get_json())
    assert checked > 100

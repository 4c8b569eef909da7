"""The OpenAPI document and Swagger UI (issue 3, "Serving").

GET /api/v1/openapi.json is a valid OpenAPI 3 document of every endpoint, schema and error;
Swagger UI answers at /docs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from api import create_app
from api.docs import ASSETS
from hirelog.settings import Settings
from tests.databases import TEST_ID_KEY
from tests.fakes import FakeClock

PROBLEM = "application/problem+json"
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# Every endpoint of the contract, with its methods.
CONTRACT: dict[str, set[str]] = {
    "/api/v1/clients": {"post"},
    "/api/v1/clients/{client_id}": {"get"},
    "/api/v1/positions": {"post"},
    "/api/v1/positions/{position_id}": {"get"},
    "/api/v1/positions/{position_id}/rubric": {"post"},
    "/api/v1/positions/{position_id}/status": {"post"},
    "/api/v1/candidates": {"get", "post"},
    "/api/v1/positions/{position_id}/pipeline": {"get"},
    "/api/v1/positions/{position_id}/shortlist": {"get"},
    "/api/v1/clients/{client_id}/dashboard": {"get"},
    "/api/v1/reports/notices-due": {"get"},
    "/api/v1/reports/recruiters": {"get"},
    "/api/v1/audit/events": {"get"},
    "/api/v1/audit/verify": {"get"},
    "/api/v1/audit/reads": {"get"},
    "/api/v1/reports/funnel": {"get"},
    "/api/v1/reports/assessments": {"get"},
    "/api/v1/reports/compliance": {"get"},
    "/api/v1/candidates/{candidate_id}": {"get"},
    "/api/v1/candidates/{candidate_id}/history": {"get"},
    "/api/v1/tokens": {"get", "post"},
    "/api/v1/tokens/{token_id}": {"delete"},
    **{f"/api/v1/candidates/{{candidate_id}}/{step}": {"post"} for step in (
        "application", "assessment", "assessment/reschedule", "assessment/result",
        "assessment/abandonment", "recommendation", "disqualification", "interview-request",
        "interview", "interview/feedback", "decision", "offer", "rejection-notice",
        "offer/response", "placement", "withdrawal", "presentation", "reopening",
        "assessment/correction", "contact-details/correction")},
}
COMMANDS = sorted(path for path, methods in CONTRACT.items() if "post" in methods)
ADMIN_ONLY = [("get", "/api/v1/tokens"), ("post", "/api/v1/tokens"),
              ("get", "/api/v1/tokens/{token_id}"), ("delete", "/api/v1/tokens/{token_id}"),
              ("get", "/api/v1/audit/reads")]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One application for the module: the document does not depend on the store or on what
    the log holds, so it is read from one SQLite application, built once."""
    path = tmp_path_factory.mktemp("openapi") / "hirelog.sqlite"
    flask_app = create_app(Settings(database_url=f"sqlite:///{path}", id_key=TEST_ID_KEY),
                           clock=FakeClock())
    yield flask_app
    flask_app.extensions["hirelog"].close()


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def spec(client: FlaskClient) -> dict[str, Any]:
    answer = client.get("/api/v1/openapi.json")  # no token needed for the document
    assert answer.status_code == 200
    assert answer.mimetype == "application/json"
    return answer.json


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, operation) for path, item in spec["paths"].items()
            for method, operation in item.items() if method in HTTP_METHODS]


def resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        assert node["$ref"].startswith("#/"), node
        target: Any = spec
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def openapi_path(rule: str) -> str:
    """Flask's /candidates/<uuid:candidate_id> as OpenAPI's /candidates/{candidate_id}."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


# --- a valid OpenAPI 3 document --------------------------------------------------------------

def test_the_document_is_openapi_3(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"] == "hirelog"
    assert spec["info"]["version"]


def test_the_document_validates_as_openapi_3(spec: dict[str, Any]) -> None:
    validate(spec)


def test_the_offer_salary_is_documented_as_more_than_zero(spec: dict[str, Any]) -> None:
    salary = spec["components"]["schemas"]["Offer"]["properties"]["salary"]
    assert salary["minimum"] == 0
    assert not isinstance(salary["minimum"], str)
    assert salary.get("exclusiveMinimum") is True
    assert salary.get("exclusiveMinimum") is True


# --- every route, with its methods -----------------------------------------------------------

def test_every_api_route_is_documented_with_its_methods(app: Flask,
                                                        spec: dict[str, Any]) -> None:
    registered: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs."):
            continue  # the document itself is not an endpoint of the API
        methods = {m.lower() for m in rule.methods or ()} - {"head", "options"}
        registered.setdefault(openapi_path(rule.rule), set()).update(methods)
    documented = {path: {m for m in item if m in HTTP_METHODS}
                  for path, item in spec["paths"].items() if path.startswith("/api/v1/")}
    assert documented == registered


def test_every_endpoint_of_the_contract_is_there(spec: dict[str, Any]) -> None:
    for path, methods in CONTRACT.items():
        assert path in spec["paths"], path
        assert methods <= set(spec["paths"][path]), (path, methods)


def test_health_checks_are_documented(spec: dict[str, Any]) -> None:
    assert "get" in spec["paths"]["/healthz"]
    assert "get" in spec["paths"]["/readyz"]


def test_path_parameters_are_documented(spec: dict[str, Any]) -> None:
    for path, method, operation in operations(spec):
        names = set(re.findall(r"{([^}]+)}", path))
        params = [resolve(spec, p) for p in
                  spec["paths"][path].get("parameters", []) + operation.get("parameters", [])]
        documented = {p["name"] for p in params if p["in"] == "path"}
        assert names == documented, (method, path, documented)
        for param in params:
            if param["in"] == "path" and param["name"].endswith(("candidate_id", "client_id",
                                                                 "position_id")):
                assert param["schema"].get("format") == "uuid", (path, param)


def test_every_command_documents_its_json_body(spec: dict[str, Any]) -> None:
    for path in COMMANDS:
        body = spec["paths"][path]["post"].get("requestBody")
        assert body, path
        schema = resolve(spec, body["content"]["application/json"]["schema"])
        assert schema["type"] == "object"
        assert schema.get("additionalProperties") is False, path  # unknown fields -> 422
    grades = resolve(spec, spec["paths"][
        "/api/v1/candidates/{candidate_id}/assessment/result"]["post"]["requestBody"][
        "content"]["application/json"]["schema"])
    assert grades["required"] == ["grades"]


def test_candidate_reads_document_the_etag(spec: dict[str, Any]) -> None:
    ok = resolve(spec, spec["paths"]["/api/v1/candidates/{candidate_id}"]["get"]["responses"][
        "200"])
    assert "ETag" in ok.get("headers", {})
    receipt = resolve(spec, spec["paths"]["/api/v1/candidates/{candidate_id}/application"][
        "post"]["responses"]["200"]["content"]["application/json"]["schema"])
    assert set(receipt["required"]) == {"id", "version", "stage", "position"}


# --- bearer security -------------------------------------------------------------------------

def bearer_schemes(spec: dict[str, Any]) -> set[str]:
    schemes = spec.get("components", {}).get("securitySchemes", {})
    return {name for name, scheme in schemes.items()
            if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "bearer"}


def test_bearer_security_is_documented(spec: dict[str, Any]) -> None:
    bearer = bearer_schemes(spec)
    assert bearer
    for path, method, operation in operations(spec):
        if not path.startswith("/api/v1/"):
            continue
        requirements = operation.get("security", spec.get("security", []))
        assert any(set(r) & bearer for r in requirements), (method, path)


def test_health_checks_are_documented_without_a_token(spec: dict[str, Any]) -> None:
    for path in ("/healthz", "/readyz"):
        assert spec["paths"][path]["get"].get("security") == [], path


# --- problem+json errors ---------------------------------------------------------------------

def test_the_problem_schema_has_the_rfc_9457_members(spec: dict[str, Any]) -> None:
    problem = spec["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["properties"])
    assert {"type", "title", "status", "detail"} <= set(problem.get("required", []))
    assert {"errors", "allowed_steps", "stage"} <= set(problem["properties"])


def test_every_error_response_is_documented_as_problem_json(spec: dict[str, Any]) -> None:
    for path, method, operation in operations(spec):
        errors = {code: resolve(spec, response)
                  for code, response in operation["responses"].items()
                  if code == "default" or code.startswith(("4", "5"))}
        assert errors, (method, path)
        for code, response in errors.items():
            content = response.get("content", {})
            assert set(content) == {PROBLEM}, (method, path, code, content)
            schema = resolve(spec, content[PROBLEM]["schema"])
            assert {"type", "title", "status", "detail"} <= set(schema["properties"])


def test_every_api_operation_has_a_default_problem_response(spec: dict[str, Any]) -> None:
    for path, method, operation in operations(spec):
        if path.startswith("/api/v1/"):
            assert "default" in operation["responses"], (method, path)


@pytest.mark.parametrize("path", COMMANDS)
def test_every_command_documents_validation_errors(spec: dict[str, Any], path: str) -> None:
    assert "422" in spec["paths"][path]["post"]["responses"]


@pytest.mark.parametrize("path", [
    p
    for p in COMMANDS])
def test_every_command_documents_403(spec: dict[str, Any], path: str) -> None:
    """Auditors may not give commands: every POST can answer 403."""
    assert "403" in spec["paths"][path]["post"]["responses"]


@pytest.mark.parametrize(("method", "path"), [
    (m, p)
    for m, p in ADMIN_ONLY])
def test_admin_only_operations_document_403(spec: dict[str, Any], method: str,
                                            path: str) -> None:
    assert "403" in spec["paths"][path][method]["responses"]


@pytest.mark.parametrize("path", [p for p in COMMANDS if p.startswith(
    "/api/v1/candidates/{candidate_id}/")])
def test_every_step_documents_404_409_and_412(spec: dict[str, Any], path: str) -> None:
    responses = spec["paths"][path]["post"]["responses"]
    assert {"404", "409", "412"} <= set(responses)


def test_reads_document_404(spec: dict[str, Any]) -> None:
    for path in ("/api/v1/clients/{client_id}", "/api/v1/positions/{position_id}",
                 "/api/v1/candidates/{candidate_id}", "/api/v1/candidates/{candidate_id}/history"):
        assert "404" in spec["paths"][path]["get"]["responses"], path


# --- Swagger UI ------------------------------------------------------------------------------

def test_docs_answer_html(client: FlaskClient) -> None:
    answer = client.get("/docs")
    assert answer.status_code == 200
    assert answer.mimetype == "text/html"
    page = answer.get_data(as_text=True)
    assert "<html" in page.lower()
    assert "swagger" in page.lower()
    assert "/api/v1/openapi.json" in page
    assert "http" not in page  # nothing from another origin (no CDN): it works offline


def test_swagger_uis_files_are_served_from_the_pinned_package(client: FlaskClient) -> None:
    page = client.get("/docs").get_data(as_text=True)
    loaded = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sorted(loaded) == ["/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui-"
                              "standalone-preset.js", "/docs/assets/swagger-ui.css"]
    for path in loaded:
        with client.get(path) as answer:  # a file response: closed when read
            assert answer.status_code == 200, path
            name = path.rsplit("/", 1)[1]
            assert answer.get_data() == (ASSETS / name).read_bytes()
            assert answer.headers["Cache-Control"] == "public, max-age=86400"
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
            if name.endswith(".js"):
                assert answer.mimetype in ("text/javascript", "application/javascript")
    assert "swagger-ui-4.15.5" in str(ASSETS)  # the version swagger-ui-bundle 1.1.0 carries
    # revalidated after a day: the 304 keeps the asset cacheable
    with client.get(loaded[0]) as first:
        validator = first.headers["ETag"]
    with client.get(loaded[0], headers={"If-None-Match": validator}) as again:
        assert again.status_code == 304
        assert again.headers["Cache-Control"] == "public, max-age=86400"
    with client.get("/favicon.ico") as icon:
        assert (icon.status_code, icon.mimetype) == (200, "image/png")
        assert icon.get_data() == (ASSETS / "favicon-32x32.png").read_bytes()
    for path in ("/docs/assets/index.html", "/docs/assets/nothing.js",
                 "/docs/assets/..%2f__init__.py"):
        answer = client.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["Cache-Control"] == "no-store"

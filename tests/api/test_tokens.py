"""Tokens (issue 3, "Tokens and roles"): bearer authentication, token management by admins,
revocation at once, the bootstrap admin token, the CLI, and the actor and request id that
every recorded event carries."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from api import create_app
from cli.main import main
from domain.scope import AGENCY
from hirelog.settings import Settings, SettingsError
from tests.apiclient import Api, World, assert_problem
from tests.databases import TEST_ID_KEY

PROBLEM = "application/problem+json"
TOKEN_FIELDS = {"id", "name", "role", "client_id", "created_at", "revoked_at"}
STEPS_TO_RECOMMENDED = (
    ("application", {}),
    ("assessment", {"due_at": "2026-01-12T17:00:00+00:00"}),
    ("assessment/result", {"grades": {"python": "yes", "sql": "mixed"}}),
    ("recommendation", {"summary": "solid"}),
)


def assert_unauthorized(answer: Any) -> None:
    assert_problem(answer, 401)
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def create_token(admin: Api, **body: Any) -> tuple[str, str]:
    answer = admin.post("/api/v1/tokens", body)
    assert answer.status_code == 201, answer.get_json()
    created = answer.get_json()
    assert set(created) == {"id", "token"}
    return created["id"], created["token"]


def log_head(client: FlaskClient) -> int:
    return client.get("/readyz").get_json()["log_head"]


# --- authentication ---

PROTECTED = [
    ("GET", "/api/v1/tokens"),
    ("POST", "/api/v1/tokens"),
    ("GET", "/api/v1/clients/{client}"),
    ("POST", "/api/v1/clients"),
    ("GET", "/api/v1/candidates/{candidate}"),
    ("GET", "/api/v1/candidates/{candidate}/history"),
    ("POST", "/api/v1/candidates/{candidate}/application"),
]
BAD_AUTHORIZATION = {
    "missing": None,
    "empty": "",
    "scheme only": "Bearer",
    "scheme and blank": "Bearer   ",
    "basic": "Basic dXNlcjpwYXNzd29yZA==",
    "token without scheme": "{token}",
    "other scheme with a good token": "Token {token}",
    "good token with trailing junk": "Bearer {token} extra",
    "unknown token": "Bearer hl_" + "x" * 43,
}


def test_a_request_without_a_valid_bearer_token_is_401(world: World) -> None:
    head = log_head(world.admin.client)
    statuses: dict[tuple[str, str, str], int] = {}
    for case, header in BAD_AUTHORIZATION.items():
        headers = {} if header is None else {
            "Authorization": header.format(token=world.admin.token)}
        for method, path in PROTECTED:
            url = path.format(client=world.client_a_id, candidate=world.candidate_a)
            answer = world.admin.client.open(
                url, method=method, headers=headers,
                json={"name": "Initech"} if method == "POST" else None)
            statuses[case, method, path] = answer.status_code
            if answer.status_code == 401:
                assert_unauthorized(answer)
                assert answer.headers["X-Request-ID"]
    assert statuses == dict.fromkeys(statuses, 401)
    assert log_head(world.admin.client) == head


def test_the_401_comes_before_the_body_is_looked_at(client: FlaskClient) -> None:
    for data, content_type in (("{not json", "application/json"), ("x=1", "text/plain"),
                               ('{"surprise": 1}', "application/json")):
        answer = client.post("/api/v1/clients", data=data, content_type=content_type)
        assert_unauthorized(answer)


def test_health_checks_docs_and_the_openapi_document_need_no_token(
        client: FlaskClient) -> None:
    for path in ("/healthz", "/readyz", "/api/v1/openapi.json", "/docs"):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.get_data(as_text=True)[:300])
    assert client.get("/api/v1/openapi.json").get_json()["openapi"].startswith("3.")


# --- POST /tokens ---

@pytest.mark.parametrize("role", ["admin", "recruiter", "auditor", "client"])
def test_a_new_token_works_at_once_with_its_role(world: World, role: str) -> None:
    body: dict[str, Any] = {"name": f"new {role}", "role": role}
    if role == "client":
        body["client_id"] = world.client_a_id
    token_id, secret = create_token(world.admin, **body)
    uuid.UUID(token_id)
    assert len(secret) >= 32
    api = Api(world.admin.client, secret)

    own_client = api.get(f"/api/v1/clients/{world.client_a_id}")
    assert own_client.status_code == 200
    other_client = api.get(f"/api/v1/clients/{world.client_b_id}")
    listing = api.get("/api/v1/tokens")
    new_client = api.post("/api/v1/clients", {"name": f"made by {role}"})
    expected = {
        "admin": (200, 200, 201), "recruiter": (200, 403, 201),
        "auditor": (200, 403, 403), "client": (404, 403, 403)}[role]
    assert (other_client.status_code, listing.status_code, new_client.status_code) == expected

    shown = world.admin.get(f"/api/v1/tokens/{token_id}").get_json()
    assert shown["name"] == f"new {role}" and shown["role"] == role
    assert shown["client_id"] == body.get("client_id")
    assert shown["revoked_at"] is None


def test_two_tokens_are_never_the_same(world: World) -> None:
    secrets = {create_token(world.admin, name="twin", role="auditor")[1] for _ in range(3)}
    assert len(secrets) == 3


@pytest.mark.parametrize("role", ["recruiter", "auditor", "client_a"])
def test_only_an_admin_manages_tokens(world: World, role: str) -> None:
    api = world.as_role(role)
    token_id, _ = create_token(world.admin, name="target", role="auditor")
    before = world.admin.get("/api/v1/tokens").get_json()
    for answer in (api.post("/api/v1/tokens", {"name": "mine", "role": "admin"}),
                   api.get("/api/v1/tokens"),
                   api.get(f"/api/v1/tokens/{token_id}"),
                   api.delete(f"/api/v1/tokens/{token_id}")):
        assert assert_problem(answer, 403)["type"].endswith("/forbidden")
    assert world.admin.get("/api/v1/tokens").get_json() == before


INVALID_TOKEN_BODIES = {
    "client without client_id": lambda w: {"name": "x", "role": "client"},
    "client_id on a recruiter": lambda w: {"name": "x", "role": "recruiter",
                                           "client_id": w.client_a_id},
    "client_id on an admin": lambda w: {"name": "x", "role": "admin",
                                        "client_id": w.client_a_id},
    "unknown client_id": lambda w: {"name": "x", "role": "client",
                                    "client_id": str(uuid.uuid4())},
    "client_id of a position": lambda w: {"name": "x", "role": "client",
                                          "client_id": w.position_a},
    "client_id not a uuid": lambda w: {"name": "x", "role": "client", "client_id": "acme"},
    "unknown field": lambda w: {"name": "x", "role": "recruiter", "scopes": ["all"]},
    "unknown role": lambda w: {"name": "x", "role": "superuser"},
    "system role": lambda w: {"name": "x", "role": "system"},
    "missing role": lambda w: {"name": "x"},
    "missing name": lambda w: {"role": "auditor"},
    "empty name": lambda w: {"name": "", "role": "auditor"},
    "blank name": lambda w: {"name": "   ", "role": "auditor"},
}


def test_an_invalid_token_request_is_422_and_creates_nothing(world: World) -> None:
    before = world.admin.get("/api/v1/tokens").get_json()
    statuses = {}
    for case, make_body in INVALID_TOKEN_BODIES.items():
        answer = world.admin.post("/api/v1/tokens", make_body(world))
        statuses[case] = answer.status_code
        if answer.status_code == 422:
            assert assert_problem(answer, 422).get("errors"), case
    assert statuses == dict.fromkeys(INVALID_TOKEN_BODIES, 422)
    assert world.admin.get("/api/v1/tokens").get_json() == before


# --- GET /tokens ---

def test_the_listing_shows_no_secret_and_no_hash(world: World) -> None:
    token_id, secret = create_token(world.admin, name="Listed Lou", role="client",
                                    client_id=world.client_b_id)
    digest = hashlib.sha256(secret.encode()).hexdigest()
    for answer in (world.admin.get("/api/v1/tokens"),
                   world.admin.get(f"/api/v1/tokens/{token_id}")):
        assert answer.status_code == 200
        text = answer.get_data(as_text=True)
        for hidden in (secret, secret.removeprefix("hl_"), digest, world.admin.token,
                       world.recruiter.token, world.client_a.token):
            assert hidden not in text
    listing = world.admin.get("/api/v1/tokens").get_json()
    for entry in listing:
        assert set(entry) <= TOKEN_FIELDS, entry
        assert not {"token", "secret", "hash", "token_hash"} & set(entry)
    mine = [entry for entry in listing if entry["id"] == token_id]
    assert mine == [world.admin.get(f"/api/v1/tokens/{token_id}").get_json()]
    assert mine[0]["name"] == "Listed Lou" and mine[0]["role"] == "client"
    assert mine[0]["client_id"] == world.client_b_id
    # the world's five tokens and this one
    assert {"admin", "recruiter", "auditor", "client"} <= {e["role"] for e in listing}
    assert len(listing) >= 6


def database_text(flask_app: Flask) -> str:
    """Every row of every table of the store, as text (bytes decoded as latin-1)."""
    tables = flask_app.extensions["hirelog"].tokens.tables
    with tables.transaction(commit=False) as cursor:
        if tables.is_postgres:
            names = [row["table_name"] for row in cursor.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (tables.datastore.schema,)).all()]
        else:
            names = [row["name"] for row in cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'").all()]
        assert "hirelog_api_tokens" in names
        rows = [row for name in names
                for row in cursor.execute(f'SELECT * FROM {{schema}}."{name}"').all()]
    return "\n".join(as_text(value) for row in rows for value in row.values())


def as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")
    return str(value)


@pytest.mark.parametrize("idempotency_key", [None, "create-token-1"],
                         ids=["plain", "with Idempotency-Key"])
def test_a_secret_is_stored_only_as_a_hash(app: Flask, world: World,
                                           idempotency_key: str | None) -> None:
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    answer = world.admin.post("/api/v1/tokens", {"name": "hashed", "role": "recruiter"},
                              headers=headers)
    assert answer.status_code == 201
    secret = answer.get_json()["token"]
    assert Api(world.admin.client, secret).get(
        f"/api/v1/clients/{world.client_a_id}").status_code == 200
    stored = database_text(app)
    assert hashlib.sha256(secret.encode()).hexdigest() in stored
    assert secret.removeprefix("hl_") not in stored
    if idempotency_key:  # a repeat names the token it created, never its secret again
        again = world.admin.post("/api/v1/tokens", {"name": "hashed", "role": "recruiter"},
                                 headers=headers)
        assert again.status_code == 409
        assert answer.get_json()["id"] in again.get_json()["detail"]
        assert secret.removeprefix("hl_") not in again.get_data(as_text=True)


# --- DELETE /tokens/{id} ---

def test_a_revoked_token_is_refused_on_the_very_next_request(world: World) -> None:
    token_id, secret = create_token(world.admin, name="leaving", role="recruiter")
    api = Api(world.admin.client, secret)
    assert api.get(f"/api/v1/candidates/{world.candidate_a}").status_code == 200

    answer = world.admin.delete(f"/api/v1/tokens/{token_id}")
    assert answer.status_code == 204
    assert answer.get_data() == b""

    head = log_head(world.admin.client)
    assert_unauthorized(api.get(f"/api/v1/candidates/{world.candidate_a}"))
    assert_unauthorized(api.post(f"/api/v1/candidates/{world.candidate_a}/application", {}))
    assert log_head(world.admin.client) == head
    shown = world.admin.get(f"/api/v1/tokens/{token_id}").get_json()
    assert shown["revoked_at"] is not None
    # the other tokens still work
    assert world.recruiter.get(f"/api/v1/candidates/{world.candidate_a}").status_code == 200


def test_a_revocation_holds_in_every_worker_at_once(app: Flask, world: World,
                                                    settings: Settings) -> None:
    """Another process (a second gunicorn worker) refuses a token revoked by the first."""
    token_id, secret = create_token(world.admin, name="everywhere", role="auditor")
    other = create_app(settings)
    try:
        other_client = other.test_client()
        auth = {"Authorization": f"Bearer {secret}"}
        url = f"/api/v1/candidates/{world.candidate_a}"
        assert other_client.get(url, headers=auth).status_code == 200
        assert world.admin.delete(f"/api/v1/tokens/{token_id}").status_code == 204
        assert_unauthorized(other_client.get(url, headers=auth))
    finally:
        other.extensions["hirelog"].close()


def test_an_admin_can_revoke_its_own_token(world: World) -> None:
    token_id, secret = create_token(world.admin, name="self", role="admin")
    me = Api(world.admin.client, secret)
    assert me.delete(f"/api/v1/tokens/{token_id}").status_code == 204
    assert_unauthorized(me.get("/api/v1/tokens"))


@pytest.mark.parametrize("token_id", ["random-uuid", "not-a-uuid"])
def test_an_unknown_token_id_is_404(world: World, token_id: str) -> None:
    token_id = str(uuid.uuid4()) if token_id == "random-uuid" else token_id
    before = world.admin.get("/api/v1/tokens").get_json()
    assert_problem(world.admin.delete(f"/api/v1/tokens/{token_id}"), 404)
    assert_problem(world.admin.get(f"/api/v1/tokens/{token_id}"), 404)
    assert world.admin.get("/api/v1/tokens").get_json() == before


# --- HIRELOG_BOOTSTRAP_ADMIN_TOKEN ---

@pytest.fixture
def bootstrap_client(sqlite_settings: Settings) -> Iterator[FlaskClient]:
    settings = dataclasses.replace(sqlite_settings, bootstrap_admin_token="boot-" + "s" * 40)
    flask_app = create_app(settings)
    flask_app.config["TESTING"] = True
    yield flask_app.test_client()
    flask_app.extensions["hirelog"].close()


def test_the_bootstrap_token_is_read_from_the_environment() -> None:
    settings = Settings.from_env({"DATABASE_URL": "sqlite:///:memory:",
                                  "HIRELOG_BOOTSTRAP_ADMIN_TOKEN": "from-env-secret-0123"})
    assert settings.bootstrap_admin_token == "from-env-secret-0123"
    assert Settings.from_env({"HIRELOG_BOOTSTRAP_ADMIN_TOKEN": ""}).bootstrap_admin_token is None
    with pytest.raises(SettingsError, match="16 characters"):  # a guessable admin token
        Settings.from_env({"HIRELOG_BOOTSTRAP_ADMIN_TOKEN": "change-me"})


def test_the_bootstrap_token_is_an_admin_token(bootstrap_client: FlaskClient) -> None:
    boot = Api(bootstrap_client, "boot-" + "s" * 40)
    assert boot.get("/api/v1/tokens").status_code == 200
    _, secret = create_token(boot, name="first recruiter", role="recruiter")
    recruiter = Api(bootstrap_client, secret)
    answer = recruiter.post("/api/v1/clients", {"name": "Acme"})
    assert answer.status_code == 201
    # an admin command recorded with the bootstrap token names an admin actor
    by_boot = boot.post("/api/v1/clients", {"name": "Globex"},
                        headers={"X-Request-ID": "boot-req-1"})
    assert by_boot.status_code == 201
    recruitment = bootstrap_client.application.extensions["hirelog"].recruitment
    event = recruitment.history(uuid.UUID(by_boot.get_json()["id"]), AGENCY)[0]
    assert event.actor.role == "admin" and event.actor.id and event.actor.name
    assert event.request_id == "boot-req-1"


def test_another_value_than_the_bootstrap_token_is_refused(
        bootstrap_client: FlaskClient) -> None:
    for value in ("boot-" + "s" * 39, "boot-" + "s" * 41, "BOOT-" + "s" * 40, "", "wrong"):
        assert_unauthorized(Api(bootstrap_client, value).get("/api/v1/tokens"))


def test_without_the_setting_there_is_no_bootstrap_token(client: FlaskClient,
                                                         settings: Settings) -> None:
    assert settings.bootstrap_admin_token is None
    assert_unauthorized(Api(client, "boot-" + "s" * 40).get("/api/v1/tokens"))
    assert_unauthorized(Api(client, "").get("/api/v1/tokens"))


# --- the CLI: hirelog token create ---

def cli_env(settings: Settings) -> dict[str, str | None]:
    assert settings.id_key == TEST_ID_KEY
    return {"DATABASE_URL": settings.database_url, "HIRELOG_ID_KEY": settings.id_key,
            "HIRELOG_BOOTSTRAP_ADMIN_TOKEN": None}


def test_the_cli_prints_a_token_the_api_accepts(runner: CliRunner,
                                                sqlite_settings: Settings) -> None:
    result = runner.invoke(main, ["token", "create", "--role", "recruiter", "--name", "x"],
                           env=cli_env(sqlite_settings))
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret and "\n" not in secret and " " not in secret

    flask_app = create_app(sqlite_settings)
    try:
        api = Api(flask_app.test_client(), secret)
        created = api.post("/api/v1/clients", {"name": "Acme"}, headers={"X-Request-ID": "r1"})
        assert created.status_code == 201, created.get_json()
        assert_problem(api.get("/api/v1/tokens"), 403)  # a recruiter, not an admin
        event = flask_app.extensions["hirelog"].recruitment.history(
            uuid.UUID(created.get_json()["id"]), AGENCY)[0]
        assert (event.actor.name, event.actor.role, event.request_id) == ("x", "recruiter", "r1")
    finally:
        flask_app.extensions["hirelog"].close()


def test_the_cli_makes_client_tokens_bound_to_their_client(runner: CliRunner, world: World,
                                                           settings: Settings) -> None:
    env = cli_env(settings)
    result = runner.invoke(main, ["token", "create", "--role", "client", "--name", "Acme HM",
                                  "--client-id", world.client_a_id], env=env)
    assert result.exit_code == 0, result.output
    api = Api(world.admin.client, result.stdout.strip())
    assert api.get(f"/api/v1/clients/{world.client_a_id}").status_code == 200
    assert_problem(api.get(f"/api/v1/clients/{world.client_b_id}"), 404)


@pytest.mark.parametrize("args", [
    ["--role", "client", "--name", "x"],
    ["--role", "recruiter", "--name", "x", "--client-id", str(uuid.uuid4())],
    ["--role", "client", "--name", "x", "--client-id", str(uuid.uuid4())],
    ["--role", "auditor", "--name", "   "],
], ids=["client without client id", "client id on a recruiter", "unknown client id",
        "blank name"])
def test_the_cli_refuses_a_bad_token_in_one_line(runner: CliRunner, sqlite_settings: Settings,
                                                 args: list[str]) -> None:
    result = runner.invoke(main, ["token", "create", *args], env=cli_env(sqlite_settings))
    assert result.exit_code != 0
    assert result.stdout == ""  # no token printed
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    listed = runner.invoke(main, ["token", "list"], env=cli_env(sqlite_settings))
    assert listed.exit_code == 0 and listed.stdout.strip() == ""


# --- the actor and the request id on every recorded event ---

def drive_to_recommended(recruiter: Api, candidate_id: str, request_id: str) -> None:
    for step, body in STEPS_TO_RECOMMENDED:
        answer = recruiter.post(f"/api/v1/candidates/{candidate_id}/{step}", body,
                                headers={"X-Request-ID": f"{request_id}-{step}"})
        assert answer.status_code == 200, (step, answer.get_json())


def test_every_event_carries_the_actor_and_the_request_id(world: World) -> None:
    recruiter_id, recruiter_secret = create_token(world.admin, name="Rita Recruiter",
                                                  role="recruiter")
    client_id, client_secret = create_token(world.admin, name="Hank Hiring-Manager",
                                            role="client", client_id=world.client_a_id)
    rita = Api(world.admin.client, recruiter_secret)
    hank = Api(world.admin.client, client_secret)
    candidate = world.candidate_a

    drive_to_recommended(rita, candidate, "rita")
    answer = hank.post(f"/api/v1/candidates/{candidate}/interview-request", {"note": "yes"},
                       headers={"X-Request-ID": "hank-pick-1"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.headers["X-Request-ID"] == "hank-pick-1"

    history = world.auditor.get(f"/api/v1/candidates/{candidate}/history").get_json()
    assert [e["version"] for e in history] == list(range(1, len(history) + 1))
    for entry in history:
        assert set(entry) >= {"type", "version", "recorded_at", "actor", "request_id", "data"}
        assert set(entry["actor"]) == {"id", "name", "role", "client_id"}
        assert entry["actor"]["id"] and entry["actor"]["name"] and entry["request_id"]
    # the first contact, by the world's recruiter token
    assert history[0]["actor"]["role"] == "recruiter"
    assert history[0]["actor"]["name"] == "test recruiter"
    rita_entries = history[1:5]
    assert [e["request_id"] for e in rita_entries] == [
        f"rita-{step}" for step, _ in STEPS_TO_RECOMMENDED]
    for entry in rita_entries:
        assert entry["actor"] == {"id": recruiter_id, "name": "Rita Recruiter",
                                  "role": "recruiter", "client_id": None}
    assert history[5]["actor"] == {"id": client_id, "name": "Hank Hiring-Manager",
                                   "role": "client", "client_id": world.client_a_id}
    assert history[5]["request_id"] == "hank-pick-1"
    assert len(history) == 6


def test_a_generated_request_id_is_echoed_and_stored(world: World) -> None:
    url = f"/api/v1/candidates/{world.candidate_a}"
    first = world.recruiter.post(f"{url}/application", {})
    assert first.status_code == 200
    generated = first.headers.get("X-Request-ID")
    assert generated
    history = world.recruiter.get(f"{url}/history")
    assert history.headers["X-Request-ID"] not in ("", generated)
    assert history.get_json()[-1]["request_id"] == generated
    # and a later command gets a new one
    second = world.recruiter.post(f"{url}/assessment",
                                  {"due_at": "2026-01-12T17:00:00+00:00"})
    assert second.status_code == 200
    assert second.headers["X-Request-ID"] not in ("", generated)
    assert world.recruiter.get(f"{url}/history").get_json()[-1]["request_id"] == \
        second.headers["X-Request-ID"]


def test_a_given_request_id_is_echoed_on_errors_and_reads_too(world: World) -> None:
    for answer in (
        world.recruiter.get(f"/api/v1/candidates/{world.candidate_a}",
                            headers={"X-Request-ID": "read-1"}),
        world.auditor.post("/api/v1/clients", {"name": "x"}, headers={"X-Request-ID": "read-1"}),
        world.admin.client.get("/api/v1/tokens", headers={"X-Request-ID": "read-1"}),
    ):
        assert answer.headers["X-Request-ID"] == "read-1"


# Each is called twice, call 0 with a request id and call 1 without: (world, n) -> (path, body).
COMMANDS = [
    ("POST clients", lambda w, n: ("/api/v1/clients", {"name": f"Initech {n}"})),
    ("POST positions", lambda w, n: ("/api/v1/positions", {
        "client_id": w.client_a_id, "title": f"SRE {n}", "headcount": 1,
        "skills": [{"name": "linux", "weight": 3, "required": True}],
        "assessment": {"name": "Quiz", "duration_minutes": 30}})),
    ("POST rubric", lambda w, n: (f"/api/v1/positions/{w.position_a}/rubric", {
        "skills": [{"name": "python", "weight": 4 - n, "required": True}]})),
    ("POST status", lambda w, n: (f"/api/v1/positions/{w.position_a}/status",
                                  {"status": ("on_hold", "open")[n]})),
    ("POST candidates", lambda w, n: ("/api/v1/candidates", {
        "position_id": w.position_a, "name": "Cy", "email": f"cy.{n}@example.com",
        "source": "inbound"})),
    ("POST steps", lambda w, n: (
        f"/api/v1/candidates/{w.candidate_a}/{('application', 'disqualification')[n]}",
        ({}, {"reason": "no work permit"})[n])),
]


@pytest.mark.parametrize("make", [make for _, make in COMMANDS],
                         ids=[name for name, _ in COMMANDS])
def test_clients_positions_and_candidates_record_who_and_which_request(world: World,
                                                                       make) -> None:
    services = world.admin.client.application.extensions["hirelog"]
    me = services.tokens.authenticate(world.recruiter.token)
    for n, given in enumerate(("cmd-42.a/b", None)):
        path, body = make(world, n)
        answer = world.recruiter.post(path, body,
                                      headers={"X-Request-ID": given} if given else {})
        assert answer.status_code in (200, 201), answer.get_json()
        request_id = answer.headers["X-Request-ID"]
        assert request_id
        if given:
            assert request_id == given
        event = services.recruitment.history(uuid.UUID(answer.get_json()["id"]), AGENCY)[-1]
        assert event.request_id == request_id
        assert (event.actor.id, event.actor.name, event.actor.role, event.actor.client_id) == (
            me.id, "test recruiter", "recruiter", None)

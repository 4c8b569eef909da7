"""Every endpoint for every role (issue 3, "Tokens and roles").

The matrix: each endpoint is called by admin, recruiter, auditor, client A on its own data and
client A on client B's data. A role that may not do the thing at all gets 403; client A asking
for anything of client B gets 404, exactly as for an id that does not exist; an allowed call
never answers 401/403/404. A 403 or a 404 records nothing.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from domain.scope import AGENCY
from tests.apiclient import SKILLS, Api, World, assert_problem, contact
from tests.fakes import FakeClock

PROBLEM = "application/problem+json"
ROLES = ("admin", "recruiter", "auditor", "client_a", "client_a_on_b")

# Valid bodies for every step (the fake clock starts 2026-01-05 09:00 UTC).
STEP_BODIES: dict[str, dict[str, Any]] = {
    "application": {"note": "applied through the form"},
    "assessment": {"due_at": "2026-01-12T17:00:00+00:00"},
    "assessment/reschedule": {"due_at": "2026-01-14T17:00:00+00:00", "reason": "travelling"},
    "assessment/result": {"grades": {"python": "strong_yes", "sql": "yes"}, "notes": "good"},
    "assessment/abandonment": {"reason": "too_long"},
    "recommendation": {"summary": "strong Python, some SQL"},
    "disqualification": {"reason": "no work permit"},
    "interview-request": {"note": "we would like to meet them"},
    "interview": {"scheduled_at": "2026-01-20T14:00:00+01:00",
                  "interviewers": ["Ina Interviewer"], "location": "HQ"},
    "interview/feedback": {"interviewer": "Ina Interviewer", "rating": "yes", "notes": "solid"},
    "decision": {"outcome": "hire", "reason": "best of the round"},
    "offer": {"salary": "85000", "currency": "EUR", "start_date": "2026-03-01",
              "expires_at": "2026-01-31T23:59:00+00:00"},
    "rejection-notice": {"message": "thank you for your time"},
    "offer/response": {"accepted": True},
    "placement": {"start_date": "2026-03-01"},
    "withdrawal": {"reason": "took another job"},
    "presentation": {"summary": "now also leads a team"},
    "reopening": {"reason": "recorded for the wrong candidate"},
    "assessment/correction": {"grades": {"python": "yes", "sql": "no"},
                              "reason": "graded from the wrong sheet"},
    "contact-details/correction": {"channel": "referral by Kim", "reason": "mistyped"},
}
CLIENT_STEPS = ("interview-request", "interview/feedback", "decision")
STAFF_STEPS = tuple(step for step in STEP_BODIES if step not in CLIENT_STEPS)
assert len(STEP_BODIES) == 20

# An allowed step on a candidate in the wrong stage may be refused (409) or find a bad value
# (422), but never 401/403/404.
STEP_OK = frozenset({200, 409, 422})


@dataclass(frozen=True)
class Target:
    """The ids one role works on: client A's, or (client_a_on_b) client B's. `candidate` was
    presented to its client (recommended); `unpresented` never was."""

    client: str
    position: str
    candidate: str
    token: str
    unpresented: str


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    path: str  # formatted with a Target
    expected: dict[str, int | frozenset[int]]
    body: Callable[[Target, str], Any] | None = None  # (target, role) -> JSON body
    xfail: str | None = field(default=None)


def expect(admin: Any, recruiter: Any, auditor: Any, client_a: Any,
           client_a_on_b: Any) -> dict[str, int | frozenset[int]]:
    return dict(zip(ROLES, (admin, recruiter, auditor, client_a, client_a_on_b), strict=True))


def _position_body(target: Target, role: str) -> dict[str, Any]:
    return {"client_id": target.client, "title": f"Data engineer ({role})", "headcount": 2,
            "skills": SKILLS, "assessment": {"name": "Pairing", "duration_minutes": 90}}


def _candidate_body(target: Target, role: str) -> dict[str, Any]:
    return {"position_id": target.position, "name": "Bo Berg",
            "email": f"bo.{role}@example.com", "source": "sourced", "channel": "linkedin"}


_STATUS_OF = {"admin": "on_hold", "recruiter": "open"}  # each allowed call really changes it

ENDPOINTS: list[Endpoint] = [
    Endpoint("POST clients", "POST", "/api/v1/clients",
             expect(201, 201, 403, 403, 403), lambda t, role: {"name": f"Initech {role}"}),
    Endpoint("GET clients", "GET", "/api/v1/clients", expect(200, 200, 200, 200, 200)),
    Endpoint("GET client", "GET", "/api/v1/clients/{t.client}",
             expect(200, 200, 200, 200, 404)),
    Endpoint("POST positions", "POST", "/api/v1/positions",
             expect(201, 201, 403, 403, 403), _position_body),
    Endpoint("GET positions", "GET", "/api/v1/positions?client_id={t.client}",
             expect(200, 200, 200, 200, 404)),  # another client's, like any of its reads
    Endpoint("GET position", "GET", "/api/v1/positions/{t.position}",
             expect(200, 200, 200, 200, 404)),
    Endpoint("POST rubric", "POST", "/api/v1/positions/{t.position}/rubric",
             expect(200, 200, 403, 403, 403),
             lambda t, role: {"skills": [*SKILLS, {"name": "go", "weight": 1,
                                                   "required": False}]}),
    Endpoint("POST status", "POST", "/api/v1/positions/{t.position}/status",
             expect(200, 200, 403, 403, 403),
             lambda t, role: {"status": _STATUS_OF.get(role, "on_hold"), "reason": "budget"}),
    Endpoint("POST candidates", "POST", "/api/v1/candidates",
             expect(201, 201, 403, 403, 403), _candidate_body),
    Endpoint("GET candidate", "GET", "/api/v1/candidates/{t.candidate}",
             expect(200, 200, 200, 200, 404)),
    Endpoint("GET candidate at a version", "GET", "/api/v1/candidates/{t.candidate}?version=5",
             expect(200, 200, 200, 200, 404)),  # version 5: recommended, so presented
    Endpoint("GET candidate as it was before it was presented", "GET",
             "/api/v1/candidates/{t.candidate}?version=4", expect(200, 200, 200, 404, 404)),
    # a candidate the agency never presented to the client: not there for the client
    Endpoint("GET candidate not presented", "GET", "/api/v1/candidates/{t.unpresented}",
             expect(200, 200, 200, 404, 404)),
    Endpoint("GET candidate not presented, at a version", "GET",
             "/api/v1/candidates/{t.unpresented}?version=1", expect(200, 200, 200, 404, 404)),
    Endpoint("step interview-request on a candidate not presented", "POST",
             "/api/v1/candidates/{t.unpresented}/interview-request",
             expect(STEP_OK, STEP_OK, 403, 404, 404), lambda t, role: {}),
    Endpoint("GET history", "GET", "/api/v1/candidates/{t.candidate}/history",
             expect(200, 200, 200, 403, 403)),
    Endpoint("GET candidates", "GET", "/api/v1/candidates?client_id={t.client}",
             expect(200, 200, 200, 200, 404)),  # another client's, like any of its reads
    Endpoint("GET pipeline", "GET", "/api/v1/positions/{t.position}/pipeline",
             expect(200, 200, 200, 200, 404)),
    Endpoint("GET shortlist", "GET", "/api/v1/positions/{t.position}/shortlist",
             expect(200, 200, 200, 200, 404)),
    Endpoint("GET dashboard", "GET", "/api/v1/clients/{t.client}/dashboard",
             expect(200, 200, 200, 200, 404)),
    Endpoint("GET notices due", "GET", "/api/v1/reports/notices-due?client_id={t.client}",
             expect(200, 200, 200, 200, 404)),
    Endpoint("GET recruiters report", "GET", "/api/v1/reports/recruiters",
             expect(200, 200, 200, 403, 403)),
    Endpoint("GET funnel", "GET", "/api/v1/reports/funnel?client_id={t.client}",
             expect(200, 200, 200, 200, 404)),
    Endpoint("GET assessments", "GET", "/api/v1/reports/assessments?client_id={t.client}",
             expect(200, 200, 200, 200, 404)),
    Endpoint("GET compliance", "GET", "/api/v1/reports/compliance?client_id={t.client}",
             expect(200, 403, 200, 403, 403)),
    Endpoint("GET audit events", "GET", "/api/v1/audit/events",
             expect(200, 403, 200, 403, 403)),
    Endpoint("GET audit verify", "GET", "/api/v1/audit/verify",
             expect(200, 403, 200, 403, 403)),
    Endpoint("GET audit verify of a candidate", "GET",
             "/api/v1/audit/verify?aggregate_id={t.candidate}",
             expect(200, 403, 200, 403, 403)),
    Endpoint("GET audit reads", "GET", "/api/v1/audit/reads",
             expect(200, 403, 200, 403, 403)),
    Endpoint("GET audit reads of a candidate", "GET",
             "/api/v1/audit/reads?candidate_id={t.candidate}",
             expect(200, 403, 200, 403, 403)),
    Endpoint("GET candidate as of a time", "GET",
             "/api/v1/candidates/{t.candidate}?as_of=2030-01-01T00:00:00%2B00:00",
             expect(200, 200, 200, 200, 404)),
    Endpoint("POST tokens", "POST", "/api/v1/tokens",
             expect(201, 403, 403, 403, 403),
             lambda t, role: {"name": f"made by {role}", "role": "auditor"}),
    Endpoint("GET tokens", "GET", "/api/v1/tokens", expect(200, 403, 403, 403, 403)),
    Endpoint("GET token", "GET", "/api/v1/tokens/{t.token}", expect(200, 403, 403, 403, 403)),
    Endpoint("DELETE token", "DELETE", "/api/v1/tokens/{t.token}",
             expect(204, 403, 403, 403, 403)),
    *[Endpoint(f"step {step}", "POST", f"/api/v1/candidates/{{t.candidate}}/{step}",
               expect(STEP_OK, STEP_OK, 403, 403, 403),
               lambda t, role, step=step: STEP_BODIES[step]) for step in STAFF_STEPS],
    *[Endpoint(f"step {step}", "POST", f"/api/v1/candidates/{{t.candidate}}/{step}",
               expect(STEP_OK, STEP_OK, 403, STEP_OK, 404),
               lambda t, role, step=step: STEP_BODIES[step]) for step in CLIENT_STEPS],
]


def endpoint_params() -> list[Any]:
    return [pytest.param(e, id=e.name, marks=[pytest.mark.xfail(strict=True, reason=e.xfail)]
                         if e.xfail else []) for e in ENDPOINTS]


# --- helpers ---

def throwaway_token_id(world: World) -> str:
    answer = world.admin.post("/api/v1/tokens", {"name": "throwaway", "role": "auditor"})
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


@dataclass(frozen=True)
class Presented:
    """Per client (A, B): a candidate presented to it, and one never presented."""

    a: str
    b: str
    a_unpresented: str
    b_unpresented: str


def present_the_world(world: World) -> Presented:
    """The world's two candidates recommended (presented), and one more for each client's
    position that is only contacted."""
    drive_to_recommended(world.recruiter, world.candidate_a)
    drive_to_recommended(world.recruiter, world.candidate_b)
    return Presented(world.candidate_a, world.candidate_b,
                     contact(world.recruiter, world.position_a, "quiet.a@example.com"),
                     contact(world.recruiter, world.position_b, "quiet.b@example.com"))


def caller_and_target(world: World, role: str, token_id: str,
                      presented: Presented) -> tuple[Api, Target]:
    if role == "client_a_on_b":
        return world.client_a, Target(world.client_b_id, world.position_b, presented.b,
                                      token_id, presented.b_unpresented)
    return world.as_role(role), Target(world.client_a_id, world.position_a, presented.a,
                                       token_id, presented.a_unpresented)


def call(api: Api, method: str, path: str, body: Any = None,
         headers: dict[str, str] | None = None) -> Any:
    if method == "GET":
        return api.get(path, headers=headers)
    if method == "DELETE":
        return api.delete(path, headers=headers)
    return api.post(path, body, headers=headers)


def snapshot(world: World) -> dict[str, Any]:
    """Everything a wrongly accepted call could have changed, read from the store itself
    (the log's head, every aggregate's version, every token and its revocation)."""
    services = world.admin.client.application.extensions["hirelog"]
    recruitment = services.recruitment
    state: dict[str, Any] = {"log_head": recruitment.recorder.max_notification_id()}
    # (the log's head covers every other candidate)
    for get, ids in ((recruitment.get_candidate, (world.candidate_a, world.candidate_b)),
                     (recruitment.get_position, (world.position_a, world.position_b)),
                     (recruitment.get_client, (world.client_a_id, world.client_b_id))):
        for aggregate_id in ids:
            state[aggregate_id] = get(uuid.UUID(aggregate_id), AGENCY).version
    state["tokens"] = sorted((t.id, t.revoked_at) for t in services.tokens.list())
    return state


def is_expected(status: int, expected: int | frozenset[int]) -> bool:
    return status in expected if isinstance(expected, frozenset) else status == expected


# --- the matrix ---

@pytest.mark.parametrize("endpoint", endpoint_params())
def test_every_role_gets_the_status_its_role_allows(world: World, endpoint: Endpoint) -> None:
    token_id = throwaway_token_id(world)
    presented = present_the_world(world)
    # Refusals first (they must change nothing), then the allowed calls (which may change
    # the candidate, so that later allowed steps meet another stage: 409 is fine for them).
    order = sorted(ROLES, key=lambda role: not is_expected(403, endpoint.expected[role])
                   and not is_expected(404, endpoint.expected[role]))
    actual: dict[str, int] = {}
    for role in order:
        api, target = caller_and_target(world, role, token_id, presented)
        path = endpoint.path.format(t=target)
        body = endpoint.body(target, role) if endpoint.body else None
        expected = endpoint.expected[role]
        refused = expected in (403, 404)
        before = snapshot(world) if refused else None
        answer = call(api, endpoint.method, path, body)
        actual[role] = answer.status_code
        if answer.status_code >= 400:
            assert_problem(answer, answer.status_code)
        if answer.status_code == 409:
            assert answer.get_json()["type"].endswith("/illegal-step"), answer.get_json()
        if refused:
            assert snapshot(world) == before, f"{role}: a refused call recorded something"
    shown = {role: sorted(e) if isinstance(e, frozenset) else e
             for role, e in endpoint.expected.items()}
    got = {role: shown[role] if is_expected(status, endpoint.expected[role]) else status
           for role, status in actual.items()}
    assert got == shown


def test_no_endpoint_needs_less_than_a_token(world: World) -> None:
    """Without a token every endpoint is a 401, before roles, ids or bodies are looked at."""
    token_id = throwaway_token_id(world)
    _, target = caller_and_target(world, "admin", token_id,
                                  Presented(*(world.candidate_a, world.candidate_b) * 2))
    before = snapshot(world)
    for endpoint in ENDPOINTS:
        path = endpoint.path.format(t=target)
        body = endpoint.body(target, "admin") if endpoint.body else None
        answer = world.admin.client.open(path, method=endpoint.method, json=body)
        assert answer.status_code == 401, endpoint.name
        assert_problem(answer, 401)
        assert answer.headers["WWW-Authenticate"].startswith("Bearer"), endpoint.name
    assert snapshot(world) == before


def test_a_refused_role_is_refused_before_its_body_is_read(world: World) -> None:
    """403 whatever the body: a forbidden caller learns nothing from validation."""
    before = snapshot(world)
    for api, path in ((world.auditor, f"candidates/{world.candidate_a}/offer"),
                      (world.client_a, f"candidates/{world.candidate_a}/offer"),
                      (world.client_a, f"candidates/{world.candidate_b}/offer"),
                      (world.auditor, "clients"), (world.recruiter, "tokens")):
        answer = api.post(f"/api/v1/{path}", {"nonsense": 1})
        body = assert_problem(answer, 403)
        assert body["type"].endswith("/forbidden"), path
    assert snapshot(world) == before


# --- 404, never 403, for another client's data: the same answer as for nothing at all ---

NOT_YOURS = [
    ("GET", "/api/v1/clients/{id}", "client"),
    ("GET", "/api/v1/clients/{id}?version=1", "client"),
    ("GET", "/api/v1/positions/{id}", "position"),
    ("GET", "/api/v1/positions/{id}?version=1", "position"),
    ("GET", "/api/v1/candidates/{id}", "candidate"),
    ("GET", "/api/v1/candidates/{id}?version=1", "candidate"),
    *[("POST", f"/api/v1/candidates/{{id}}/{step}", "candidate") for step in CLIENT_STEPS],
    # lists and reports asked for another client's figures
    *[("GET", f"/api/v1/{read}?client_id={{id}}", "client")
      for read in ("candidates", "positions", "reports/funnel", "reports/assessments",
                   "reports/notices-due")],
]


def normalised(answer: Any, aggregate_id: str) -> tuple[int, str, str, list[str]]:
    """Status, content type, body (with the asked-for id blanked out) and header names."""
    text = answer.get_data(as_text=True).replace(aggregate_id, "<id>")
    names = sorted(name.lower() for name, _ in answer.headers.items())
    return answer.status_code, answer.headers["Content-Type"], text, names


@pytest.mark.parametrize(("method", "path", "kind"), NOT_YOURS,
                         ids=[f"{m} {p.replace('/api/v1/', '')}" for m, p, _ in NOT_YOURS])
def test_another_clients_data_looks_exactly_like_nothing(world: World, method: str, path: str,
                                                         kind: str) -> None:
    drive_to_recommended(world.recruiter, world.candidate_b)  # presented to client B
    theirs = {"client": world.client_b_id, "position": world.position_b,
              "candidate": world.candidate_b}[kind]
    nothing = str(uuid.uuid4())
    body = STEP_BODIES[path.split("{id}/", 1)[1]] if method == "POST" else None
    # a command also with If-Match: the right version of B's candidate, or a wrong one
    variants = [{}, {"If-Match": '"1"'}, {"If-Match": '"7"'}] if method == "POST" else [{}]
    before = snapshot(world)
    for headers in variants:
        for_theirs = call(world.client_a, method, path.format(id=theirs), body, headers)
        for_nothing = call(world.client_a, method, path.format(id=nothing), body, headers)
        assert_problem(for_theirs, 404)
        assert normalised(for_theirs, theirs) == normalised(for_nothing, nothing), headers
    assert snapshot(world) == before
    # and client B itself does see it: the 404 is about who asks, not what exists
    own = call(world.client_b, "GET", f"/api/v1/{kind}s/{theirs}")
    assert own.status_code == 200


def test_another_clients_candidate_is_not_found_even_when_the_step_would_be_legal(
        world: World) -> None:
    """Candidate B shortlisted: client A's pick, feedback and decision on it are still 404s."""
    drive_to_recommended(world.recruiter, world.candidate_b)
    nothing = str(uuid.uuid4())
    for step in CLIENT_STEPS:
        before = snapshot(world)
        theirs = world.client_a.post(f"/api/v1/candidates/{world.candidate_b}/{step}",
                                     STEP_BODIES[step])
        absent = world.client_a.post(f"/api/v1/candidates/{nothing}/{step}", STEP_BODIES[step])
        assert snapshot(world) == before
        assert_problem(theirs, 404)
        assert normalised(theirs, world.candidate_b) == normalised(absent, nothing)
    # client B may pick its own candidate
    answer = world.client_b.post(f"/api/v1/candidates/{world.candidate_b}/interview-request",
                                 {})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["stage"] == "interview_requested"


def test_a_client_sees_its_own_candidate_and_not_another_clients_in_the_same_shape(
        world: World) -> None:
    drive_to_recommended(world.recruiter, world.candidate_a)
    own = world.client_a.get(f"/api/v1/candidates/{world.candidate_a}")
    assert own.status_code == 200
    assert own.get_json()["client_id"] == world.client_a_id
    assert own.headers["ETag"] == f'"{own.get_json()["version"]}"'
    other = world.client_b.get(f"/api/v1/candidates/{world.candidate_a}")
    assert_problem(other, 404)
    assert "ETag" not in other.headers


# --- the real thing: a client's picks, feedback and decision on its own candidate ---

def drive_to_recommended(recruiter: Api, candidate_id: str) -> None:
    for step in ("application", "assessment", "assessment/result", "recommendation"):
        answer = recruiter.post(f"/api/v1/candidates/{candidate_id}/{step}", STEP_BODIES[step])
        assert answer.status_code == 200, (step, answer.get_json())
    assert recruiter.get(f"/api/v1/candidates/{candidate_id}").get_json()["stage"] == \
        "recommended"


def test_a_client_records_its_pick_feedback_and_decision(world: World,
                                                         clock: FakeClock) -> None:
    candidate = world.candidate_a
    drive_to_recommended(world.recruiter, candidate)
    url = f"/api/v1/candidates/{candidate}"

    answer = world.client_a.post(f"{url}/interview-request", {"note": "yes please"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["stage"] == "interview_requested"
    assert set(answer.get_json()) == {"id", "version", "stage", "position"}

    answer = world.client_a.post(f"{url}/interview", STEP_BODIES["interview"])
    assert_problem(answer, 403)  # scheduling is the recruiter's
    answer = world.recruiter.post(f"{url}/interview", STEP_BODIES["interview"])
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["stage"] == "interview_scheduled"

    clock.now = datetime.fromisoformat(STEP_BODIES["interview"]["scheduled_at"])
    answer = world.client_a.post(f"{url}/interview/feedback", STEP_BODIES["interview/feedback"])
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["stage"] == "interviewed"

    answer = world.client_a.post(f"{url}/decision", {"outcome": "hire", "reason": "great fit"})
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["stage"] == "hire_decided"

    before = snapshot(world)
    assert_problem(world.client_a.post(f"{url}/offer", STEP_BODIES["offer"]), 403)
    assert_problem(world.client_b.post(f"{url}/offer", STEP_BODIES["offer"]), 403)
    assert_problem(world.auditor.post(f"{url}/offer", STEP_BODIES["offer"]), 403)
    assert snapshot(world) == before

    state = world.client_a.get(url).get_json()
    assert state["stage"] == "hire_decided"
    assert state["decision"]["outcome"] == "hire"
    assert state["interviews"][0]["feedback"][0]["rating"] == "yes"

    history = world.auditor.get(f"{url}/history").get_json()
    by_client = [e for e in history if e["actor"]["role"] == "client"]
    assert len(by_client) == 3
    assert {e["actor"]["client_id"] for e in by_client} == {world.client_a_id}
    assert_problem(world.client_a.get(f"{url}/history"), 403)


def test_version_of_a_candidate_is_unchanged_by_every_refusal(world: World) -> None:
    """All refusals in a row (403 and 404, every step): the candidates stay at version 1."""
    for api, candidate in ((world.auditor, world.candidate_a),
                           (world.client_a, world.candidate_b),
                           (world.client_b, world.candidate_a)):
        for step, body in STEP_BODIES.items():
            answer = api.post(f"/api/v1/candidates/{candidate}/{step}", body)
            assert answer.status_code in (403, 404), (step, answer.status_code)
    for staff_step in STAFF_STEPS:
        answer = world.client_a.post(f"/api/v1/candidates/{world.candidate_a}/{staff_step}",
                                     STEP_BODIES[staff_step])
        assert_problem(answer, 403)
    for candidate in (world.candidate_a, world.candidate_b):
        state = world.recruiter.get(f"/api/v1/candidates/{candidate}")
        assert state.get_json()["version"] == 1
        assert state.headers["ETag"] == '"1"'
        assert len(world.recruiter.get(f"/api/v1/candidates/{candidate}/history").get_json()) \
            == 1


def test_the_matrix_covers_every_route(app) -> None:
    """Every /api/v1 route and method of the application is in the matrix (and no other)."""
    routes = {(method, rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.rule != "/api/v1/openapi.json"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    placeholder = re.compile(r"\{t\.\w+\}")
    covered = {(e.method, placeholder.sub("<id>", e.path.split("?")[0])) for e in ENDPOINTS}
    assert {(m, re.sub(r"<[^>]+>", "<id>", r)) for m, r in routes} == covered

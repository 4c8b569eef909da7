"""Issue 10, sections 5 and 6, in process: the per-token rate limit (shared by every process on
the same store), security headers on every response, and the figures on GET /metrics. Real
servers, workers and log lines are in tests/e2e/test_serving.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

from api import create_app
from hirelog.settings import Settings
from tests.apiclient import Api, World, assert_problem, new_token
from tests.fakes import FakeClock
from tests.readmodels import project_all

BASE = "/api/v1"


@pytest.fixture
def limited(settings: Settings, clock: FakeClock) -> Iterator[list[Flask]]:
    """Two applications (as two processes would be) on one store, 5 requests a minute."""
    tight = dataclasses.replace(settings, rate_limit=((5, 60),))
    apps = [create_app(tight, clock=clock) for _ in range(2)]
    yield apps
    for app in apps:
        app.extensions["hirelog"].close()


def test_a_token_past_its_limit_gets_429_and_the_others_go_on(limited: list[Flask]) -> None:
    first, second = limited
    noisy = Api(first.test_client(), new_token(first, "admin"))
    quiet = Api(first.test_client(), new_token(first, "admin"))
    answers = [noisy.get(f"{BASE}/tokens") for _ in range(5)]
    assert [a.status_code for a in answers] == [200] * 5
    assert [a.headers["RateLimit-Remaining"] for a in answers] == ["4", "3", "2", "1", "0"]
    assert answers[0].headers["RateLimit-Limit"] == "5"
    refused = noisy.post(f"{BASE}/clients", {"name": "Acme"})
    body = assert_problem(refused, 429)
    assert body["type"].endswith("/rate-limited")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert quiet.get(f"{BASE}/tokens").status_code == 200  # another token is not held up
    # the count is the store's: the same token through another process is refused too
    elsewhere = Api(second.test_client(), noisy.token)
    assert_problem(elsewhere.get(f"{BASE}/tokens"), 429)
    # health checks and figures are never limited
    assert first.test_client().get("/healthz").status_code == 200


def test_the_window_passes_and_the_token_may_send_again(limited: list[Flask]) -> None:
    app = limited[0]
    limiter = app.extensions["hirelog"].rate_limiter
    token_id = "tok-window"
    decisions = [limiter.hit(token_id, now=1_000_000.0 + n) for n in range(6)]
    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert decisions[-1].retry_after == 60 - (1_000_005 % 60)
    assert limiter.hit(token_id, now=1_000_000.0 + 60 - 1_000_000 % 60).allowed


def test_several_rules_each_hold(settings: Settings, clock: FakeClock) -> None:
    app = create_app(dataclasses.replace(settings, rate_limit=((2, 1), (3, 60))), clock=clock)
    limiter = app.extensions["hirelog"].rate_limiter
    at = 2_000_040.0
    assert [limiter.hit("t", now=at).allowed for _ in range(3)] == [True, True, False]
    later = limiter.hit("t", now=at + 1)  # a new second, but the minute holds 3 already
    assert not later.allowed and later.retry_after >= 1
    app.extensions["hirelog"].close()


def test_off_means_no_limit(settings: Settings, clock: FakeClock) -> None:
    app = create_app(dataclasses.replace(settings, rate_limit=()), clock=clock)
    api = Api(app.test_client(), new_token(app, "admin"))
    answer = api.get(f"{BASE}/tokens")
    assert answer.status_code == 200 and "RateLimit-Limit" not in answer.headers
    app.extensions["hirelog"].close()


API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def test_every_response_carries_the_security_headers(app: Flask, world: World) -> None:
    client = app.test_client()
    responses = {
        "read": world.recruiter.get(f"{BASE}/candidates/{world.candidate_a}"),
        "command": world.recruiter.post(f"{BASE}/clients", {"name": "Initech"}),
        "problem": world.recruiter.get(f"{BASE}/candidates/{'0' * 8}-0000-0000-0000-"
                                       f"{'0' * 12}"),
        "unauthorized": client.get(f"{BASE}/candidates"),
        "unknown route": client.get("/nothing-here"),
        "health": client.get("/healthz"),
        "openapi": client.get(f"{BASE}/openapi.json"),
        "metrics": client.get("/metrics"),
    }
    for what, response in responses.items():
        headers = response.headers
        assert headers["X-Content-Type-Options"] == "nosniff", what
        assert headers["Cache-Control"] == "no-store", what
        assert headers["Content-Security-Policy"].startswith(API_POLICY), what
        assert headers["X-Frame-Options"] == "DENY", what
    docs = client.get("/docs")
    policy = docs.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy
    assert "script-src 'self' 'unsafe-inline'" in policy
    assert "http" not in policy  # no other origin: Swagger UI is served from here
    assert docs.headers["Cache-Control"] == "no-store"


def scrape(app: Flask, headers: dict[str, str] | None = None) -> dict[str, Any]:
    answer = app.test_client().get("/metrics", headers=headers or {})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.headers["Content-Type"].startswith("text/plain; version=")
    samples: dict[str, Any] = {}
    for family in text_string_to_metric_families(answer.get_data(as_text=True)):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def value(samples: dict[str, Any], name: str, **labels: str) -> float:
    return sum(v for found, v in samples.get(name, []) if labels.items() <= found.items())


def test_metrics_count_requests_commands_events_replays_and_the_read_models(
        app: Flask, world: World) -> None:
    before = scrape(app)
    route = "/api/v1/candidates/<uuid:candidate_id>/application"
    path = f"{BASE}/candidates/{world.candidate_a}/application"
    assert world.recruiter.post(path, {}, headers={"Idempotency-Key": "m1"}).status_code == 200
    assert world.recruiter.post(path, {}, headers={"Idempotency-Key": "m1"}).status_code == 200
    assert world.recruiter.post(path, {}).status_code == 409
    project_all(app.extensions["hirelog"].recruitment)
    after = scrape(app)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("hirelog_http_requests_total", method="POST", route=route, status="200") == 2
    assert grew("hirelog_http_requests_total", method="POST", route=route, status="409") == 1
    assert grew("hirelog_http_request_duration_seconds_count", method="POST", route=route) == 3
    assert grew("hirelog_commands_total", command="steps.apply", outcome="recorded") == 2
    assert grew("hirelog_commands_total", command="steps.apply", outcome="refused") == 1
    assert grew("hirelog_events_recorded_total", aggregate="candidate") == 1
    assert grew("hirelog_idempotent_replays_total") == 1
    head = value(after, "hirelog_log_head")
    assert head == app.extensions["hirelog"].recruitment.recorder.max_notification_id()
    assert value(after, "hirelog_read_model_lag", model="candidates") == 0
    assert value(after, "hirelog_read_model_position", model="shortlist") == head
    assert value(after, "hirelog_read_model_stopped", model="funnel") == 0
    assert value(after, "hirelog_store_up") == 1


def test_metrics_hold_no_personal_data_and_no_ids(app: Flask, world: World) -> None:
    world.recruiter.get(f"{BASE}/candidates/{world.candidate_a}")
    world.recruiter.get(f"{BASE}/candidates?q=ann")
    text = app.test_client().get("/metrics").get_data(as_text=True)
    for secret in ("Ann Lee", "ann@example.com", world.candidate_a, world.recruiter.token,
                   "q=ann"):
        assert secret not in text


def test_metrics_can_ask_for_a_token(settings: Settings, clock: FakeClock) -> None:
    guarded = dataclasses.replace(settings, metrics_token="metrics-secret-0123456789")
    app = create_app(guarded, clock=clock)
    client = app.test_client()
    assert_problem(client.get("/metrics"), 401)
    assert_problem(client.get("/metrics", headers={"Authorization": "Bearer wrong"}), 401)
    assert_problem(client.get("/metrics", headers={"Authorization": "Bearer \u00e9t\u00e9"}),
                   401)
    scrape(app, {"Authorization": "Bearer metrics-secret-0123456789"})
    app.extensions["hirelog"].close()


def test_the_root_points_a_newcomer_to_everything_without_a_token(app: Flask) -> None:
    client = app.test_client()
    answer = client.get("/")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    links = answer.get_json()["links"]
    assert set(links) == {"docs", "openapi", "healthz", "readyz", "api"}
    for name in ("docs", "openapi", "healthz", "readyz"):
        assert client.get(links[name]).status_code == 200, name
    assert "/" in client.get(links["openapi"]).get_json()["paths"]
    assert_problem(client.get(f"{links['api']}/tokens"), 401)  # the rest needs a token

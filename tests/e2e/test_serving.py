"""Issue 10, sections 4 to 6, on real servers: gunicorn with the documented configuration
(2 workers) and `hirelog serve` (waitress). Errors the servers answer themselves are
problem+json; slow and silent bodies do not hold a worker; the rate limit is counted across
workers; every worker's figures are on /metrics; logs are JSON lines with no secret and no
personal data; the projector process logs its progress and serves its figures."""

from __future__ import annotations

import contextlib
import json
import select
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families

from api.serving import BODY_DEADLINE, READ_TIMEOUT
from hirelog.settings import Settings
from tests.servers import (
    HIRELOG,
    free_port,
    start_gunicorn,
    start_server,
    stop,
)

pytestmark = pytest.mark.slow
BASE = "/api/v1"


def raw(url: str, data: bytes, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are; the answer's status, headers and body."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        with contextlib.suppress(OSError):  # the server may answer and close before the end
            conn.sendall(data)
        return read_answer(conn)


def read_answer(conn: socket.socket) -> tuple[int, dict[str, str], bytes]:
    received = b""
    while chunk := conn.recv(65536):
        received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, body


def assert_raw_problem(answer: tuple[int, dict[str, str], bytes], status: int) -> None:
    code, headers, body = answer
    assert code == status, (code, body)
    assert headers["Content-Type"].startswith("application/problem+json"), headers
    problem = json.loads(body)
    assert problem["status"] == status and problem["title"] and problem["detail"]


def json_lines(log: Path) -> list[dict[str, Any]]:
    lines = [line for line in log.read_text().splitlines() if line.strip()]
    parsed = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(parsed) >= len(lines) - 2, "every log line is JSON"  # bar a line of the CLI
    return parsed


def metric(url: str, name: str, **labels: str) -> float:
    text = requests.get(url + "/metrics", timeout=10).text
    total = 0.0
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and labels.items() <= sample.labels.items():
                total += sample.value
    return total


@pytest.fixture
def gunicorn(sqlite_settings: Settings, tmp_path: Path) -> Any:
    log = tmp_path / "gunicorn.log"
    running = start_gunicorn(sqlite_settings, log, workers=2, env={
        "HIRELOG_LOG_FORMAT": "json", "HIRELOG_RATE_LIMIT": "40/hour"})
    yield running, log
    stop(running.process)


def test_gunicorn_errors_logs_limits_and_figures(gunicorn: Any) -> None:
    server, log = gunicorn
    admin = server.api()
    # errors gunicorn answers itself are problems
    assert_raw_problem(raw(server.url, b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n"), 414)
    assert_raw_problem(raw(server.url, b"GET / HTTP/1.1\r\n" + b"X-A: b\r\n" * 200 + b"\r\n"),
                       431)
    assert_raw_problem(raw(server.url, b"NOT HTTP AT ALL\r\n\r\n"), 400)
    leaky = raw(server.url, b"GET /?q=zoe.leak@example.com HTTP/1.1\r\n"
                            b"Authorization Bearer hl_leaked_secret\r\n\r\n")
    assert_raw_problem(leaky, 400)
    assert b"leak" not in leaky[2]  # the answer says what was wrong, not what was sent

    # slow and silent bodies: answered 408 and the worker freed, while others are served
    started = time.monotonic()
    slow: dict[str, Any] = {}

    def silent() -> None:
        slow["silent"] = raw(server.url, b"POST /api/v1/clients HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Type: application/json\r\nContent-Length: 100\r\n"
                             b"Authorization: Bearer " + server.admin_token.encode() + b"\r\n\r\n")
        slow["silent_after"] = time.monotonic() - started

    def trickle() -> None:
        host, port = server.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=60) as conn:
            conn.sendall(b"POST /api/v1/clients HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
                         b"Content-Type: application/json\r\nAuthorization: Bearer "
                         + server.admin_token.encode() + b"\r\n\r\n")
            try:
                for _ in range(40):
                    conn.sendall(b" ")
                    # sleep, but wake as soon as the server answers (and closes)
                    if select.select([conn], [], [], READ_TIMEOUT / 2)[0]:
                        break
            except OSError:
                pass
            slow["trickle"] = read_answer(conn)
        slow["trickle_after"] = time.monotonic() - started

    threads = [threading.Thread(target=f) for f in (silent, trickle)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    assert admin.get("/healthz").status_code == 200  # served meanwhile
    for thread in threads:
        thread.join(timeout=60)
    assert_raw_problem(slow["silent"], 408)
    assert slow["silent_after"] < READ_TIMEOUT + 3
    assert_raw_problem(slow["trickle"], 408)
    assert slow["trickle_after"] < BODY_DEADLINE + READ_TIMEOUT + 3

    # the rate limit is counted across both workers (many connections, both serve)
    token = admin.post("/api/v1/tokens", {"name": "noisy", "role": "admin"}).json()["token"]
    noisy = server.api(token)
    left = 3600 - time.time() % 3600  # the limit counts per calendar hour: stay inside one
    if left < 15:
        time.sleep(left + 0.5)
    statuses = [noisy.get("/api/v1/tokens").status_code for _ in range(50)]
    assert statuses.count(200) == 40 and statuses.count(429) == 10, statuses

    # every worker's counts are on /metrics (there is one file per worker)
    served = metric(server.url, "hirelog_http_requests_total", route="/api/v1/tokens",
                    method="GET")
    assert served == 50
    assert metric(server.url, "hirelog_rate_limited_total", role="admin") == 10

    # one JSON line per request, with no secret and no personal data
    created = admin.post(f"{BASE}/clients", {"name": "Acme"}, headers={"X-Request-ID": "r-42"})
    position = admin.post(f"{BASE}/positions", {
        "client_id": created.json()["id"], "title": "Dev", "headcount": 1,
        "skills": [{"name": "py", "weight": 3, "required": True}],
        "assessment": {"name": "Take-home", "duration_minutes": 60}}).json()["id"]
    admin.post(f"{BASE}/candidates", {"position_id": position, "name": "Zoe Secret",
                                      "email": "zoe.secret@example.com", "source": "referral"})
    admin.get(f"{BASE}/candidates?q=zoe.secret")
    deadline = time.monotonic() + 5
    while '"r-42"' not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    lines = json_lines(log)
    access = [line for line in lines if line.get("logger") == "hirelog.access"]
    mine = [line for line in access if line.get("request_id") == "r-42"]
    assert mine and mine[0]["method"] == "POST" and mine[0]["route"] == "/api/v1/clients"
    assert mine[0]["status"] == 201 and mine[0]["duration_ms"] > 0 and mine[0]["token_id"]
    assert {"time", "level", "logger", "message"} <= set(mine[0])
    text = log.read_text()
    for secret in (server.admin_token, token, "Zoe Secret", "zoe.secret", "hl_leaked_secret",
                   "zoe.leak"):
        assert secret not in text, secret
    assert "Traceback" not in text


def test_hirelog_serve_answers_its_own_errors_as_problems_and_no_body_holds_a_thread(
        sqlite_settings: Settings, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    server = start_server(sqlite_settings, log)
    try:
        assert_raw_problem(raw(server.url, b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n"),
                           400)
        assert_raw_problem(raw(server.url, b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n"
                                           b"\r\n"), 501)
        # eight silent bodies (as many as serve's threads) do not hold up another request
        host, port = server.url.removeprefix("http://").split(":")
        silent = [socket.create_connection((host, int(port))) for _ in range(8)]
        for conn in silent:
            conn.sendall(b"POST /api/v1/clients HTTP/1.1\r\nContent-Length: 500\r\n\r\n")
        started = time.monotonic()
        assert requests.get(server.url + "/healthz", timeout=5).status_code == 200
        assert time.monotonic() - started < 1
        for conn in silent:
            conn.close()
    finally:
        stop(server.process)


def test_the_projector_process_logs_its_progress_and_serves_its_figures(
        sqlite_settings: Settings, tmp_path: Path) -> None:
    port, log = free_port(), tmp_path / "project.log"
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": sqlite_settings.database_url,
           "HIRELOG_ID_KEY": sqlite_settings.id_key or "", "HIRELOG_LOG_FORMAT": "json"}
    subprocess.run([HIRELOG, "demo", "--candidates", "5"], env=env, check=True,
                   capture_output=True, timeout=120)
    head = log_head_of(sqlite_settings)
    with log.open("w") as out:
        process = subprocess.Popen([HIRELOG, "project", "--metrics-port", str(port)], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30

        def progress() -> list[dict]:
            return [line for line in json_lines(log) if line.get("logger") == "hirelog.projector"]

        # the progress line is written just after the batch's figures: wait for both
        while time.monotonic() < deadline:
            try:
                if metric(url, "hirelog_read_model_lag", model="candidates") == 0 and metric(
                        url, "hirelog_projector_events_applied_total", model="candidates") > 0 \
                        and progress():
                    break
            except requests.RequestException:
                pass
            time.sleep(0.2)
        assert metric(url, "hirelog_projector_events_applied_total",
                      model="candidates") == head
        assert metric(url, "hirelog_log_head") == head
        assert progress() and "applied" in progress()[0]["message"], log.read_text()
    finally:
        stop(process)


def log_head_of(settings: Settings) -> int:
    from storage.event_store import open_recruitment

    app = open_recruitment(settings)
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()

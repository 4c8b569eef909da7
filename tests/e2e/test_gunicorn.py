"""The documented production command, `gunicorn 'api:create_app()'` with several workers:
each worker builds its own application after the fork, and idempotency keys hold across them."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.e2e.conftest import Server, free_port
from tests.e2e.test_server import at_once, interviewed_candidate

pytestmark = pytest.mark.slow
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


@pytest.fixture
def gunicorn(settings, tmp_path):
    port, token = free_port(), secrets.token_urlsafe(24)
    env = {**os.environ, "DATABASE_URL": settings.database_url,
           "HIRELOG_ID_KEY": settings.id_key, "HIRELOG_BOOTSTRAP_ADMIN_TOKEN": token}
    log = tmp_path / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [GUNICORN, "--workers", "3", "--threads", "4", "--bind", f"127.0.0.1:{port}",
             "api:create_app()"], env=env, stdout=out, stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parents[2])
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            try:
                if requests.get(url + "/readyz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        yield Server(url, token, process)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert "Traceback" not in log.read_text()


def test_idempotency_keys_hold_across_gunicorn_workers(gunicorn):
    recruiter, candidate = interviewed_candidate(gunicorn, "gus@example.com")
    # many connections, so the repeats land on different worker processes
    answers = at_once(12, lambda _: recruiter.post(
        f"/api/v1/candidates/{candidate}/interview/feedback",
        {"interviewer": "i1", "rating": "strong_yes"}, headers={"Idempotency-Key": "k-1"}))
    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1
    history = recruiter.get(f"/api/v1/candidates/{candidate}/history").json()
    assert [e["data"]["interviewer"] for e in history if e["type"] == "Interviewed"] == ["i1"]

"""The documented production command, `gunicorn -c python:hirelog.gunicorn_config
'api:create_app()'` with several workers:
each worker builds its own application after the fork, and idempotency keys hold across them."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.http_flows import at_once, interviewed_candidate
from tests.servers import start_gunicorn, stop

pytestmark = pytest.mark.slow
GUNICORN = str(Path(sys.executable).parent / "gunicorn")


@pytest.fixture
def gunicorn(settings, tmp_path):
    log = tmp_path / "gunicorn.log"
    running = start_gunicorn(settings, log, workers=3)
    try:
        yield running
    finally:
        stop(running.process)
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

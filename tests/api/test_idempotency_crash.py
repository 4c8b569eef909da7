"""Issue 10, section 3: an idempotency key's answer is part of the command's own transaction,
so a retry after any crash either gets the original answer or runs the command exactly once,
and no request waits for another's key.

"The process died after the command and before answering" is played here exactly: the
request's before-request hooks and its view run (the command commits), and the
after-request hooks that used to store the answer never do. The SIGKILL of a real server
under load is in tests/e2e/test_reliability.py.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Flask

from tests.apiclient import Api, World, assert_problem

BASE = "/api/v1"


def log_head(app: Flask) -> int:
    return app.extensions["hirelog"].recruitment.recorder.max_notification_id() or 0


def die_after_the_command(app: Flask, api: Api, path: str, body: dict[str, Any],
                          key: str) -> None:
    """Run the request up to and including its view, then stop as a killed process would:
    no after-request hook, no answer."""
    headers = api.headers({"Idempotency-Key": key, "Content-Type": "application/json"})
    with app.test_request_context(path, method="POST", data=app.json.dumps(body),
                                  headers=headers):
        assert app.preprocess_request() is None
        app.dispatch_request()


def key_rows(app: Flask, key: str) -> list[dict[str, Any]]:
    tables = app.extensions["hirelog"].recruitment.tables
    with tables.transaction(commit=False) as cursor:
        return cursor.execute("SELECT * FROM {schema}.hirelog_idempotency_keys "
                              "WHERE idempotency_key = %s", (key,)).all()


def test_a_retry_after_a_crash_following_the_command_gets_its_answer(
        app: Flask, world: World) -> None:
    path = f"{BASE}/candidates/{world.candidate_a}/application"
    before = log_head(app)
    die_after_the_command(app, world.recruiter, path, {"note": "by phone"}, "crash-1")
    assert log_head(app) == before + 1  # recorded, never answered
    (row,) = key_rows(app, "crash-1")  # ... and its answer was recorded with it
    assert row["status"] == 200
    retry = world.recruiter.post(path, {"note": "by phone"},
                                 headers={"Idempotency-Key": "crash-1"})
    assert retry.status_code == 200
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert retry.get_json() == {"id": world.candidate_a, "version": 2, "stage": "applied",
                                "position": before + 1}
    assert log_head(app) == before + 1  # not recorded twice


def test_a_crash_after_creating_answers_the_retry_with_the_created_resource(
        app: Flask, world: World) -> None:
    body = {"position_id": world.position_a, "name": "Zoe", "email": "zoe@example.com",
            "source": "referral"}
    die_after_the_command(app, world.recruiter, f"{BASE}/candidates", body, "crash-2")
    retry = world.recruiter.post(f"{BASE}/candidates", body,
                                 headers={"Idempotency-Key": "crash-2"})
    assert retry.status_code == 201
    created = retry.get_json()
    assert retry.headers["Location"].endswith(f"{BASE}/candidates/{created['id']}")
    again = world.recruiter.post(f"{BASE}/candidates", body,
                                 headers={"Idempotency-Key": "crash-2"})
    assert again.get_json() == created and again.headers["Location"] == retry.headers["Location"]


def test_the_stored_answer_is_exactly_the_answer_given(app: Flask, world: World) -> None:
    """For every kind of command answer (201 with Location, 200), byte for byte."""
    calls = [(f"{BASE}/clients", {"name": "Initech"}),
             (f"{BASE}/positions/{world.position_a}/status", {"status": "on_hold"}),
             (f"{BASE}/candidates/{world.candidate_a}/application", {}),
             (f"{BASE}/candidates/{world.candidate_a}/withdrawal", {"reason": "moved"})]
    for n, (path, body) in enumerate(calls):
        first = world.recruiter.post(path, body, headers={"Idempotency-Key": f"exact-{n}"})
        assert first.status_code in (200, 201), first.get_json()
        repeat = world.recruiter.post(path, body, headers={"Idempotency-Key": f"exact-{n}"})
        assert repeat.get_data() == first.get_data()
        assert repeat.status_code == first.status_code
        assert repeat.headers.get("Location") == first.headers.get("Location")
        assert repeat.headers["Content-Type"] == first.headers["Content-Type"]


def test_a_command_that_fails_writes_no_answer(app: Flask, world: World) -> None:
    path = f"{BASE}/candidates/{world.candidate_a}/offer/response"  # not allowed now: 409
    first = world.recruiter.post(path, {"accepted": True}, headers={"Idempotency-Key": "k409"})
    assert_problem(first, 409)
    (row,) = key_rows(app, "k409")  # a 4xx is kept, after the fact
    assert row["status"] == 409
    assert world.recruiter.post(path, {"accepted": True}, headers={
        "Idempotency-Key": "k409"}).headers["Idempotent-Replayed"] == "true"


def test_a_claim_left_in_progress_by_the_old_design_does_not_block_a_retry(
        app: Flask, world: World) -> None:
    """Before this change a key was claimed first (status NULL) and answered later; a crash
    between left it "in progress" for 48 hours. Such a row no longer blocks anything."""
    tables = app.extensions["hirelog"].recruitment.tables
    token_id = app.extensions["hirelog"].tokens.authenticate(world.recruiter.token).id
    with tables.transaction() as cursor:
        cursor.execute("INSERT INTO {schema}.hirelog_idempotency_keys (token_id, "
                       "idempotency_key, fingerprint, created_at) VALUES (%s, %s, %s, %s)",
                       (token_id, "stuck", "old", "2026-01-05T09:00:00+00:00"))
    started = time.monotonic()
    answer = world.recruiter.post(f"{BASE}/clients", {"name": "Hooli"},
                                  headers={"Idempotency-Key": "stuck"})
    assert answer.status_code == 201 and time.monotonic() - started < 2
    assert key_rows(app, "stuck")[0]["status"] == 201


def test_repeats_racing_on_a_repeatable_step_record_it_once_and_wait_for_nobody(
        app: Flask, world: World) -> None:
    """A reschedule can be recorded many times, so only the key can stop a racing repeat:
    the repeat's transaction is rolled back and it answers what the first answered."""
    candidate = world.candidate_a
    for step, body in (("application", {}), ("assessment", {"due_at": "2026-02-01T09:00:00Z"})):
        assert world.recruiter.post(f"{BASE}/candidates/{candidate}/{step}", body
                                    ).status_code == 200
    path = f"{BASE}/candidates/{candidate}/assessment/reschedule"
    body = {"due_at": "2026-02-08T09:00:00Z", "reason": "holiday"}
    before = log_head(app)
    answers: list[Any] = []
    took: list[float] = []
    gate = threading.Barrier(8)

    def send() -> None:
        client = app.test_client()
        gate.wait()
        started = time.monotonic()
        answers.append(client.post(path, json=body, headers=world.recruiter.headers(
            {"Idempotency-Key": "race"})))
        took.append(time.monotonic() - started)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert log_head(app) == before + 1
    assert {a.status_code for a in answers} == {200}
    assert len({a.get_data() for a in answers}) == 1
    assert max(took) < 5  # nobody waited out another's claim

"""The projector in real processes: the one `hirelog serve` runs in-process (read-your-writes
without a polling delay), `serve --no-projector` beside a `hirelog project` process, and
`hirelog projections rebuild` while the server keeps serving."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from hirelog.settings import Settings
from storage.event_store import open_recruitment
from tests.history import load_history
from tests.servers import HIRELOG, HttpApi, Server, free_port, wait_ready

pytestmark = pytest.mark.slow
V1 = "/api/v1"
PROMPT = 1.5  # seconds: no multi-second polling delay (this is not a benchmark)


def env_of(settings: Settings, **extra: str) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": settings.database_url,
            "HIRELOG_ID_KEY": settings.id_key or "e2e", **extra}


@contextmanager
def serving(settings: Settings, log: Path, *args: str, **env: str) -> Iterator[Server]:
    """`hirelog serve` with extra arguments and environment, stopped (or killed) at exit."""
    port, token = free_port(), f"admin-{os.getpid()}-{time.monotonic_ns()}"
    with log.open("w") as out:
        process = subprocess.Popen(
            [HIRELOG, "serve", "--port", str(port), *args],
            env=env_of(settings, HIRELOG_BOOTSTRAP_ADMIN_TOKEN=token, **env),
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url, process, log)
        yield Server(url, token, process)
    finally:
        stop(process)


@contextmanager
def projector_process(settings: Settings, log: Path) -> Iterator[subprocess.Popen]:
    with log.open("w") as out:
        process = subprocess.Popen([HIRELOG, "project"], env=env_of(settings), stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait()


def ok(answer: requests.Response, status: int = 200) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()


def open_position(api: HttpApi, name: str = "Acme") -> str:
    client_id = ok(api.post(f"{V1}/clients", {"name": name}), 201)["id"]
    return ok(api.post(f"{V1}/positions", {
        "client_id": client_id, "title": "Platform engineer", "headcount": 1,
        "skills": [{"name": "go", "weight": 4, "required": True}],
        "assessment": {"name": "Take-home", "duration_minutes": 120}}), 201)["id"]


def contact(api: HttpApi, position_id: str, email: str) -> dict:
    return ok(api.post(f"{V1}/candidates", {"position_id": position_id, "name": "Ann Lee",
                                            "email": email, "source": "sourced"}), 201)


def lags(server: Server) -> dict[str, int]:
    body = ok(requests.get(server.url + "/readyz", timeout=10))
    assert body["projections"], body
    return {name: p["lag"] for name, p in body["projections"].items()}


def wait_for_lag_zero(server: Server, timeout: float = 60) -> float:
    started = time.monotonic()
    while any(lags(server).values()):
        assert time.monotonic() - started < timeout, f"read models still behind: {lags(server)}"
        time.sleep(0.05)
    return time.monotonic() - started


def read_after(api: HttpApi, position: int, **query: str) -> tuple[requests.Response, float]:
    """GET /candidates?min_position=position; the answer and how long it took."""
    params = "&".join(f"{k}={v}" for k, v in {"min_position": position, "limit": 200,
                                               **query}.items())
    started = time.monotonic()
    answer = api.get(f"{V1}/candidates?{params}")
    return answer, time.monotonic() - started


def test_the_in_process_projector_answers_a_read_after_a_write_promptly(server: Server):
    api = server.api()
    position_id = open_position(api)
    took = []
    for n in range(6):
        receipt = contact(api, position_id, f"ann{n}@example.com")
        answer, elapsed = read_after(api, receipt["position"], position_id=position_id)
        took.append(elapsed)
        page = ok(answer)
        assert int(answer.headers["X-Projection-Position"]) >= receipt["position"]
        assert receipt["id"] in [c["id"] for c in page["items"]]
        step = ok(api.post(f"{V1}/candidates/{receipt['id']}/application", {}))
        answer, elapsed = read_after(api, step["position"], position_id=position_id)
        took.append(elapsed)
        stages = {c["id"]: c["stage"] for c in ok(answer)["items"]}
        assert stages[receipt["id"]] == "applied"
    assert max(took) < PROMPT, f"reads after writes took {[round(t, 3) for t in took]} s"
    wait_for_lag_zero(server)  # and every other read model follows just as well


def test_a_server_without_projector_is_caught_up_by_a_projector_process(
        settings: Settings, tmp_path: Path):
    with serving(settings, tmp_path / "server.log", "--no-projector",
                 HIRELOG_READ_WAIT_SECONDS="2") as server:
        assert "projector running in this process" not in (tmp_path / "server.log").read_text()
        api = server.api()
        position_id = open_position(api)
        receipt = contact(api, position_id, "bo@example.com")
        time.sleep(0.5)
        assert all(lag > 0 for lag in lags(server).values()), "something projected the log"
        answer, elapsed = read_after(api, receipt["position"])
        assert answer.status_code == 503, answer.text
        assert answer.headers["Retry-After"] and 1.8 <= elapsed < 10

        with projector_process(settings, tmp_path / "projector.log") as projector:
            wait_for_lag_zero(server, timeout=60)
            answer, _ = read_after(api, receipt["position"])
            assert receipt["id"] in [c["id"] for c in ok(answer)["items"]]
            for n in range(3):  # and it keeps following new commands
                later = contact(api, position_id, f"cy{n}@example.com")
                answer, elapsed = read_after(api, later["position"])
                assert answer.status_code == 200, (answer.text, elapsed)
                assert later["id"] in [c["id"] for c in answer.json()["items"]]
            assert projector.poll() is None
        assert projector.returncode == 0  # SIGTERM stops it cleanly
    log = (tmp_path / "projector.log").read_text()
    assert "Traceback" not in log, log


def all_candidates(api: HttpApi) -> list[dict]:
    items, cursor = [], None
    while True:
        page = ok(api.get(f"{V1}/candidates?limit=200" + (f"&cursor={cursor}" if cursor else "")))
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_rebuild_while_the_server_serves(settings: Settings, tmp_path: Path):
    store = open_recruitment(settings)
    try:
        load_history(store, candidates=300)  # exactly what `hirelog demo --candidates 300` records
    finally:
        store.close()
    with serving(settings, tmp_path / "server.log") as server:
        api = server.api()
        wait_for_lag_zero(server)
        before = all_candidates(api)
        assert len(before) == 300
        position_id = open_position(api, "Rebuild Ltd")
        # commands keep being recorded and read back while the rebuild runs, on both stores
        writes_during_rebuild = True
        answers: list[tuple[str, int]] = []
        written: list[str] = []
        failures: list[BaseException] = []
        stopping = threading.Event()

        def read() -> None:
            try:
                while not stopping.is_set():
                    answer = api.get(f"{V1}/candidates?limit=200")
                    answers.append(("list", answer.status_code))
                    answers.append(("readyz", requests.get(server.url + "/readyz",
                                                           timeout=30).status_code))
            except BaseException as error:
                failures.append(error)

        def write() -> None:
            try:
                while not stopping.is_set():
                    if not writes_during_rebuild:
                        return
                    receipt = contact(api, position_id, f"w{len(written)}@example.com")
                    written.append(receipt["id"])
                    answer, _ = read_after(api, receipt["position"], position_id=position_id)
                    answers.append(("read-after-write", answer.status_code))
                    time.sleep(0.01)
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=read), threading.Thread(target=write)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(0.3)
            rebuilt = subprocess.run([HIRELOG, "projections", "rebuild"], env=env_of(settings),
                                     capture_output=True, text=True, timeout=300, check=False)
            time.sleep(0.3)
        finally:
            stopping.set()
            for thread in threads:
                thread.join(timeout=60)
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert failures == []
        assert bool(written) == writes_during_rebuild and len(answers) > 10
        bad = [answer for answer in answers if answer[1] != 200]
        server_log = (tmp_path / "server.log").read_text()[-4000:]
        assert bad == [], f"{len(bad)} of {len(answers)} failed: {bad[:10]}\n{server_log}"

        for n in range(3):  # the server's projector follows the new generations
            receipt = contact(api, position_id, f"after{n}@example.com")
            written.append(receipt["id"])
            answer, elapsed = read_after(api, receipt["position"], position_id=position_id)
            assert receipt["id"] in [c["id"] for c in ok(answer)["items"]]
            assert elapsed < PROMPT
        wait_for_lag_zero(server)
        status = subprocess.run([HIRELOG, "projections", "status"], env=env_of(settings),
                                capture_output=True, text=True, timeout=60, check=False)
        assert status.returncode == 0, status.stderr
        assert all(" generation 2 " in line and line.endswith(" lag 0")
                   for line in status.stdout.splitlines()), status.stdout
        after = all_candidates(api)
        assert [c["id"] for c in after] == [c["id"] for c in before] + written

        def comparable(c: dict) -> dict:
            return {k: v for k, v in c.items() if k != "days_in_stage"}
        assert [comparable(c) for c in after[:len(before)]] == [comparable(c) for c in before]

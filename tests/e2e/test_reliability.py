"""Issue 10, section 7: a standing reliability suite, against gunicorn with 2 workers and the
documented configuration, traffic on 127.0.0.1 only, bounded in time and count, each scenario
printing its figures.

- 32 clients driving whole hiring flows at once, on SQLite and on PostgreSQL: no 5xx, every
  2xx one event and every event one 2xx, and the read models (kept by a `hirelog project`
  process meanwhile) equal a clean rebuild.
- SIGKILL of the whole server mid-load, and a restart, with clients retrying by
  Idempotency-Key: nothing acknowledged is lost, nothing is recorded twice, no key is stuck.
- PostgreSQL backends terminated again and again mid-load (the test's own database only):
  only 2xx or 503, and every flow completes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from hirelog.settings import Settings
from storage.event_store import open_recruitment
from tests.e2e.load import Tally, new_tokens, run_clients
from tests.postgres import postgres_settings_for, terminate
from tests.readmodels import assert_live_equals_clean_rebuild
from tests.servers import HIRELOG, Server, free_port, start_gunicorn, stop

pytestmark = pytest.mark.slow


def events_after(settings: Settings, position: int) -> list[int]:
    """The positions of the events recorded after `position`."""
    app = open_recruitment(settings)
    try:
        found: list[int] = []
        while batch := app.recorder.select_notifications(start=position + 1, limit=1000):
            found += [n.id for n in batch]
            position = batch[-1].id
        return found
    finally:
        app.close()


def log_head(settings: Settings) -> int:
    app = open_recruitment(settings)
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


def assert_each_2xx_is_recorded_once(settings: Settings, before: int, tally: Tally) -> int:
    """Each 2xx command's events, and nothing else, are in the log: once each (a command's
    events end at the position it answered)."""
    events = events_after(settings, before)
    answered = [position - n for key, position in tally.positions.items()
                for n in range(tally.recorded[key])]
    assert len(answered) == len(set(answered)), "two commands answered the same position"
    assert sorted(answered) == events, (
        f"{len(tally.positions)} commands answered 2xx ({len(answered)} events), the log "
        f"gained {len(events)} events")
    return len(events)


@pytest.fixture
def projector(settings: Settings, tmp_path: Path) -> Iterator[subprocess.Popen]:
    env = {"PATH": os.environ.get("PATH", ""), "DATABASE_URL": settings.database_url,
           "HIRELOG_ID_KEY": settings.id_key or ""}
    with (tmp_path / "project.log").open("w") as out:
        process = subprocess.Popen([HIRELOG, "project", "--metrics-port", "0"], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    yield process
    stop(process)


def wait_caught_up(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = requests.get(server.url + "/readyz", timeout=10).json()
        if all(p["lag"] == 0 for p in ready["projections"].values()):
            return
        time.sleep(0.2)
    raise AssertionError(f"the read models did not catch up: {ready}")


def test_32_clients_drive_whole_flows_with_no_5xx_and_each_2xx_recorded_once(
        settings: Settings, tmp_path: Path, projector: subprocess.Popen,
        figures: Callable[[str, str], None]) -> None:
    server = start_gunicorn(settings, tmp_path / "gunicorn.log", workers=2)
    try:
        tokens = new_tokens(server.url, server.admin_token, 32)
        before, tally = log_head(settings), Tally()
        elapsed = run_clients(server.url, tokens, flows_each=1, tally=tally, retry=False)
        assert tally.failures == []
        assert tally.flows_done == 32
        assert not [s for s in tally.statuses if s >= 500], tally.statuses
        events = assert_each_2xx_is_recorded_once(settings, before, tally)
        wait_caught_up(server)
    finally:
        stop(server.process)
    app = open_recruitment(settings)
    try:
        assert_live_equals_clean_rebuild(app)
    finally:
        app.close()
    figures(f"reliability, 32 clients, {settings.database_url.split(':')[0]}",
                  f"{tally.summary()}; {events} events in {elapsed:.1f} s "
                  f"({sum(tally.statuses.values()) / elapsed:.0f} requests/s)")


def test_sigkill_mid_load_loses_nothing_acknowledged_and_records_nothing_twice(
        settings: Settings, tmp_path: Path, figures: Callable[[str, str], None]) -> None:
    log, port = tmp_path / "gunicorn.log", free_port()
    server = start_gunicorn(settings, log, workers=2, port=port, new_session=True)
    tokens = new_tokens(server.url, server.admin_token, 16)
    before, tally = log_head(settings), Tally()
    load = threading.Thread(target=run_clients, args=(server.url, tokens, 3, tally, True, 90))
    load.start()
    kills, recoveries = [], []
    for _ in range(3):  # SIGKILL the master and every worker at once, then start again
        time.sleep(0.8)
        if not load.is_alive():
            break
        kills.append(sum(tally.statuses.values()))
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait()
        killed_at = time.monotonic()
        server = start_gunicorn(settings, log, workers=2, port=port, new_session=True,
                                admin_token=server.admin_token)
        recoveries.append(time.monotonic() - killed_at)
    try:
        load.join(timeout=120)
        assert not load.is_alive()
        assert tally.failures == []
        assert tally.flows_done == 48
        events = assert_each_2xx_is_recorded_once(settings, before, tally)
        app = open_recruitment(settings)
        try:
            with app.tables.transaction(commit=False) as cursor:
                stuck = cursor.execute("SELECT COUNT(*) AS n FROM "
                                       "{schema}.hirelog_idempotency_keys "
                                       "WHERE status IS NULL").one()
            assert stuck is not None and stuck["n"] == 0
        finally:
            app.close()
    finally:
        stop(server.process)
    assert kills, "the load ended before the first kill"
    figures(f"reliability, SIGKILL mid-load, {settings.database_url.split(':')[0]}",
                  f"{len(kills)} kills (after {', '.join(map(str, kills))} answers), ready "
                  f"again in {', '.join(f'{r:.1f}' for r in recoveries)} s; "
                  f"{tally.summary()}; {events} events")


@pytest.mark.postgres
def test_postgres_backends_terminated_mid_load_answer_only_2xx_or_503_and_recover(
        own_database: str, tmp_path: Path, figures: Callable[[str, str], None]) -> None:
    settings = postgres_settings_for(own_database)
    server = start_gunicorn(settings, tmp_path / "gunicorn.log", workers=2)
    try:
        tokens = new_tokens(server.url, server.admin_token, 16)
        before, tally = log_head(settings), Tally()
        load = threading.Thread(target=run_clients,
                                args=(server.url, tokens, 2, tally, True, 90))
        load.start()
        terminations, until = 0, time.monotonic() + 3
        while time.monotonic() < until and load.is_alive():
            time.sleep(0.3)
            terminate(own_database)
            terminations += 1
        stopped_at = time.monotonic()
        load.join(timeout=120)
        recovered = time.monotonic() - stopped_at
        assert not load.is_alive()
        assert tally.failures == []
        assert set(tally.statuses) <= {200, 201, 503}, tally.statuses
        assert tally.flows_done == 32
        events = assert_each_2xx_is_recorded_once(settings, before, tally)
    finally:
        stop(server.process)
    figures("reliability, PostgreSQL backends terminated",
                  f"{terminations} terminations; {tally.summary()}; {events} events; the "
                  f"flows finished {recovered:.1f} s after the last termination")

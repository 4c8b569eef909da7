"""Issue 10, section 2: when the store cannot be used, every request answers 503 problem+json
with Retry-After saying what is wrong (never a 500), /readyz says not ready and why, nothing
is recorded, and hirelog recovers by itself as soon as the store is back.

Each failure is real: a SQLite file made immutable (read-only even for root), replaced or
deleted under the running process, locked by another writer, on a full file system (a
small tmpfs); a PostgreSQL server cut off by a TCP proxy the test owns, its backends
terminated, its database made read-only. PostgreSQL cases use a database of their own.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from flask import Flask

from api import create_app
from hirelog.settings import Settings
from storage import errors as store_errors
from storage.datastores import PROBE_EVERY
from storage.event_store import StoredRecruitment, eventsourcing_env, id_key, open_recruitment
from tests.apiclient import Api, assert_problem, new_token
from tests.databases import TEST_ID_KEY
from tests.fakes import by
from tests.postgres import as_admin, postgres_settings_for, terminate
from tests.tcp_proxy import TcpProxy

BASE = "/api/v1"


@dataclasses.dataclass
class Running:
    app: Flask
    api: Api

    def register(self, name: str = "Acme") -> Any:
        return self.api.post(f"{BASE}/clients", {"name": name})

    def head(self) -> int:
        return self.app.extensions["hirelog"].recruitment.recorder.max_notification_id() or 0

    def ready(self) -> Any:
        return self.app.test_client().get("/readyz")

    def close(self) -> None:
        self.app.extensions["hirelog"].close()


def start(settings: Settings, connect_timeout: int = 2) -> Running:
    app = create_app(dataclasses.replace(settings, db_lock_timeout=1,
                                         db_connect_timeout=connect_timeout))
    app.config["TESTING"] = True
    return Running(app, Api(app.test_client(), new_token(app, "admin")))


def assert_unavailable(answer: Any, what: str) -> dict[str, Any]:
    body = assert_problem(answer, 503)
    assert int(answer.headers["Retry-After"]) >= 1
    assert what in body["detail"], body
    return body


def assert_recovers(running: Running) -> None:
    """The very first command after the store is back is recorded."""
    answer = running.register("Back")
    assert answer.status_code == 201, answer.get_json()
    assert running.ready().status_code == 200


# --- SQLite ------------------------------------------------------------------------------------

def chattr(flag: str, path: Path) -> None:
    subprocess.run(["chattr", flag, str(path)], check=True, capture_output=True)


@pytest.fixture
def immutable_ok(tmp_path: Path) -> None:
    probe = tmp_path / "probe"
    probe.touch()
    if shutil.which("chattr") is None or subprocess.run(
            ["chattr", "+i", str(probe)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here (needs root on ext4 and the like)")
    chattr("-i", probe)


def test_a_read_only_database_file_fails_cleanly_and_recovers_at_once(
        sqlite_settings: Settings, immutable_ok: None) -> None:
    path = Path(sqlite_settings.database.path)  # type: ignore[union-attr]
    open_recruitment(sqlite_settings).close()  # tables made
    chattr("+i", path)  # SQLite now opens it read-only, even for root
    try:
        app = StoredRecruitment(eventsourcing_env(sqlite_settings, create_table=False),
                                id_key=id_key(sqlite_settings))
        for _ in range(3):
            with pytest.raises(Exception) as failed:
                app.register_client("Acme", by())
            assert store_errors.unavailable(failed.value)
            assert store_errors.describe(failed.value) == "the database is read-only"
    finally:
        chattr("-i", path)
    # the connections opened read-only were discarded: the next command is recorded
    assert app.register_client("Acme", by()).version == 1
    app.close()


@pytest.mark.parametrize("how", ["replaced", "deleted"])
def test_a_database_file_replaced_or_deleted_under_the_process_refuses_every_request(
        sqlite_settings: Settings, how: str) -> None:
    running = start(sqlite_settings)
    assert running.register().status_code == 201
    path = Path(sqlite_settings.database.path)  # type: ignore[union-attr]
    if how == "replaced":
        other = path.with_name("other.sqlite")
        sqlite3.connect(other).close()
        os.replace(other, path)
    else:
        path.unlink()
    assert_unavailable(running.register(), f"is no longer the file this process opened ({how})")
    assert_unavailable(running.api.get(f"{BASE}/candidates"), "no longer the file")
    body = assert_unavailable(running.ready(), "no longer the file")
    assert body["type"].endswith("/not-ready")
    running.close()


@pytest.mark.slow
def test_a_database_locked_too_long_is_503_and_then_works(sqlite_settings: Settings) -> None:
    running = start(sqlite_settings)
    locker = sqlite3.connect(sqlite_settings.database.path,  # type: ignore[union-attr]
                             isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        before = running.head()
        assert_unavailable(running.register(), "the database is locked by another writer")
        assert_unavailable(running.ready(), "locked")
        assert running.api.get(f"{BASE}/candidates").status_code == 200  # reads go on
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert running.head() == before
    assert_recovers(running)
    running.close()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler


def test_a_full_disk_is_503_and_hirelog_writes_again_once_there_is_room(
        small_disk: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{small_disk}/hirelog.sqlite",
                        id_key=TEST_ID_KEY)
    running = start(settings)
    assert running.register().status_code == 201
    filler = fill(small_disk)
    before = running.head()
    answers = [running.register(f"Acme {n}") for n in range(30)]  # the WAL needs new pages
    statuses = {a.status_code for a in answers}
    assert statuses <= {201, 503} and 503 in statuses, statuses
    for answer in answers:
        if answer.status_code == 503:
            assert_unavailable(answer, "the disk is full")
    recorded = sum(a.status_code == 201 for a in answers)
    assert running.head() == before + recorded  # every 201 is one event, every 503 none
    filler.unlink()
    assert_recovers(running)
    running.close()


# --- PostgreSQL ---------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.postgres
def test_postgres_unreachable_is_503_and_hirelog_reconnects_by_itself(
        own_database: str) -> None:
    proxy = TcpProxy("127.0.0.1", 5432)
    # each request waits out the connect timeout while the database is out of reach
    running = start(postgres_settings_for(own_database, proxy.port), connect_timeout=1)
    try:
        assert running.register().status_code == 201
        proxy.down()
        body = assert_unavailable(running.register(), "the database")
        assert "retry shortly" in body["detail"]
        assert_unavailable(running.ready(), "the database")
        assert_unavailable(running.api.get(f"{BASE}/candidates"), "the database")
        proxy.up()
        assert_recovers(running)
    finally:
        running.close()
        proxy.close()


@pytest.mark.postgres
def test_a_process_started_while_postgres_is_unreachable_serves_503_then_works(
        own_database: str) -> None:
    """Started with the database out of reach (and its tables never made): alive, every
    request 503, and the first request once it is back prepares it and is served."""
    proxy = TcpProxy("127.0.0.1", 5432)
    proxy.down()
    settings = dataclasses.replace(postgres_settings_for(own_database, proxy.port),
                                   db_connect_timeout=1)
    app = create_app(settings)
    client = app.test_client()
    try:
        assert client.get("/healthz").status_code == 200
        assert_unavailable(client.get("/readyz"), "could not be used since this process started")
        body = assert_unavailable(client.post(f"{BASE}/clients", json={"name": "Acme"}),
                                  "could not be used")
        assert body["type"].endswith("/store-unavailable")
        proxy.up()
        time.sleep(1.1)  # a preparation is tried at most once a second
        assert client.get("/readyz").status_code == 200  # prepared and served
        token = new_token(app, "admin")
        answer = client.post(f"{BASE}/clients", json={"name": "Acme"},
                             headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 201, answer.get_json()
    finally:
        if app.extensions["hirelog"] is not None:
            app.extensions["hirelog"].close()
        proxy.close()


@pytest.mark.postgres
def test_a_postgres_table_locked_too_long_is_a_503_within_the_lock_timeout(
        own_database: str) -> None:
    """Bounded by HIRELOG_DB_LOCK_TIMEOUT (1 s here), not ten times it: eventsourcing's own
    retries are not used."""
    settings = postgres_settings_for(own_database)
    running = start(settings)
    conninfo = settings.database.conninfo()  # type: ignore[union-attr]
    try:
        assert running.register().status_code == 201
        table = running.app.extensions["hirelog"].recruitment.recorder.events_table_name
        with psycopg.connect(conninfo) as locker:
            locker.execute(f'LOCK TABLE public."{table}" IN ACCESS EXCLUSIVE MODE')
            started = time.monotonic()
            assert_unavailable(running.register(), "the database stayed locked too long")
            assert time.monotonic() - started < 4
        assert_recovers(running)
    finally:
        running.close()


@pytest.mark.postgres
def test_postgres_backends_terminated_cost_no_request(own_database: str) -> None:
    running = start(postgres_settings_for(own_database))
    try:
        for round_ in range(3):
            assert running.register(f"Acme {round_}").status_code == 201
            terminate(own_database)  # every pooled connection is dead now
            assert running.api.get(f"{BASE}/candidates").status_code == 200
        assert_recovers(running)
    finally:
        running.close()


@pytest.mark.postgres
def test_a_read_only_postgres_database_is_503_and_recovers_at_once(own_database: str) -> None:
    running = start(postgres_settings_for(own_database))
    try:
        assert running.register().status_code == 201
        as_admin(f'ALTER DATABASE "{own_database}" SET default_transaction_read_only = on')
        terminate(own_database)
        before = running.head()
        for _ in range(3):
            assert_unavailable(running.register(), "the database is read-only")
        assert_unavailable(running.ready(), "read-only")
        as_admin(f'ALTER DATABASE "{own_database}" RESET default_transaction_read_only')
        assert running.head() == before
        time.sleep(PROBE_EVERY)  # "a new session is read-only too" is known this long
        assert_recovers(running)  # no read-only session is pooled any more
    finally:
        running.close()


def test_store_errors_are_told_apart_from_bugs() -> None:
    assert not store_errors.unavailable(ValueError("x"))
    conn = sqlite3.connect(":memory:")
    with pytest.raises(sqlite3.OperationalError) as missing:
        conn.execute("SELECT * FROM no_such_table")
    conn.close()
    assert not store_errors.unavailable(missing.value)  # a bug, not the store

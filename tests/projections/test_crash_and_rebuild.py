"""Crash safety and rebuilds of the read models, on SQLite and PostgreSQL.

Real `hirelog project` processes are killed (SIGKILL) while catching up on thousands of demo
events and restarted; two of them run at once; rebuilds run beside a live projector while
commands are recorded. Each time the live read models must equal a clean rebuild of every model
(compared generically, table by table, through `dump`): nothing double-counted, nothing missing.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from domain.application import Recruitment
from domain.scope import AGENCY
from domain.values import Skill
from hirelog.settings import Settings
from projections import catalog
from projections import rebuild as rebuild_module
from projections.projector import Projector
from projections.reads import ReadSide
from projections.rebuild import rebuild
from projections.registry import MODELS
from storage.event_store import open_recruitment
from tests.fakes import ADMIN, RECRUITER, by
from tests.history import load_history
from tests.postgres import waiting_for_a_lock
from tests.readmodels import (
    assert_live_equals_clean_rebuild,
    caught_up,
    differences,
    dump,
    head_of,
    live_positions,
    live_states,
    project_all,
)

HIRELOG = str(Path(sys.executable).parent / "hirelog")
CANDIDATES = 600  # about 3,900 events: a `--batch-size 50` projector needs ~80 batches a model
STATUS_LINE = re.compile(r"^(\S+)\s+generation (\d+)\s+position (\d+)\s+lag (-?\d+)$")


# --- projector processes ---

def env_of(settings: Settings) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": settings.database_url,
            "HIRELOG_ID_KEY": settings.id_key or ""}


@contextmanager
def projector_process(settings: Settings, log: Path,
                      batch_size: int = 50) -> Iterator[subprocess.Popen]:
    """`hirelog project` with its output appended to `log`; killed if still running at exit."""
    with log.open("a") as out:
        process = subprocess.Popen([HIRELOG, "project", "--batch-size", str(batch_size)],
                                   env=env_of(settings), stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def stop(process: subprocess.Popen) -> None:
    """SIGTERM: the projector finishes its batch and exits 0."""
    process.terminate()
    try:
        assert process.wait(timeout=15) == 0, f"exit status {process.returncode} after SIGTERM"
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise AssertionError("hirelog project did not stop within 15 s of SIGTERM") from None


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 60.0,
               processes: tuple[subprocess.Popen, ...] = (), logs: tuple[Path, ...] = (),
               app: Recruitment | None = None, interval: float = 0.02) -> float:
    """Poll until `condition()`; seconds waited. Fails if a watched process exits first; the
    failure shows the live positions (given `app`) and the processes' logs."""
    started = time.monotonic()

    def context() -> str:
        where = f"\nhead {head_of(app)}, live {live_states(app)}" if app else ""
        return where + "".join(f"\n--- {log.name}:\n{log.read_text()[-3000:]}" for log in logs)

    while not condition():
        for process in processes:
            if process.poll() is not None:
                raise AssertionError(f"hirelog project exited ({process.returncode}) before "
                                     f"{what}{context()}")
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting until {what}{context()}")
        time.sleep(interval)
    return time.monotonic() - started


def status(settings: Settings) -> dict[str, dict[str, int]]:
    """`hirelog projections status`, parsed: {model: {generation, position, lag}}."""
    done = subprocess.run([HIRELOG, "projections", "status"], env=env_of(settings),
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    parsed = {}
    for line in done.stdout.splitlines():
        match = STATUS_LINE.match(line.strip())
        if match:
            name, generation, position, lag = match.groups()
            parsed[name] = {"generation": int(generation), "position": int(position),
                            "lag": int(lag)}
    assert {m.name for m in MODELS} <= set(parsed), done.stdout
    return {m.name: parsed[m.name] for m in MODELS}


def assert_clean_log(log: Path) -> None:
    text = log.read_text()
    assert "Traceback" not in text and "failed" not in text, text


# --- crash safety ---

@pytest.mark.slow
def test_projector_killed_while_catching_up_resumes_to_a_clean_rebuild(
        app: Recruitment, settings: Settings, tmp_path: Path) -> None:
    load_history(app, candidates=CANDIDATES)
    head = head_of(app)
    assert head > 3000
    log = tmp_path / "projector.log"
    killed_at = dict.fromkeys(live_positions(app), 0)
    for fraction in (0.2, 0.55):  # killed twice, at different places
        target = int(head * fraction)
        with projector_process(settings, log) as process:
            wait_until(lambda t=target: min(live_positions(app).values()) >= t,
                       f"every model is past {target} of {head}", processes=(process,),
                       logs=(log,), app=app)
            process.send_signal(signal.SIGKILL)
            process.wait()
        assert process.returncode == -signal.SIGKILL
        now = live_positions(app)
        assert all(0 < position < head for position in now.values()), (
            f"not killed mid-way: positions {now}, head {head}")
        assert all(now[name] > killed_at[name] for name in now), (
            f"the restarted projector did not go on from {killed_at}: {now}")
        reported = status(settings)
        assert {name: (s["position"], s["lag"]) for name, s in reported.items()} == {
            name: (position, head - position) for name, position in now.items()}
        killed_at = now

    with projector_process(settings, log) as process:
        wait_until(lambda: caught_up(app), "the restarted projector has caught up",
                   processes=(process,), logs=(log,), app=app)
        assert all(s["lag"] == 0 and s["position"] == head for s in status(settings).values())
        stop(process)
    assert_clean_log(log)
    clean = assert_live_equals_clean_rebuild(app)
    assert len(clean["candidates"]["candidates"]) == CANDIDATES


@pytest.mark.slow
def test_two_projector_processes_at_once_apply_each_event_once(
        app: Recruitment, settings: Settings, tmp_path: Path) -> None:
    load_history(app, candidates=CANDIDATES)
    logs = tmp_path / "first.log", tmp_path / "second.log"
    with projector_process(settings, logs[0]) as first, \
            projector_process(settings, logs[1]) as second:
        wait_until(lambda: caught_up(app), "two projectors have caught up",
                   processes=(first, second), logs=logs, app=app)
        # and they keep following the log together
        client = app.register_client("Late Ltd", by(ADMIN))
        position = app.open_position(
            client_id=client.id, title="Platform engineer", headcount=2,
            skills=[Skill("go", 4, required=True)], assessment_name="Take-home",
            assessment_minutes=120, caller=by(ADMIN))
        for n in range(20):
            app.contact_candidate(position_id=position.id, name=f"Late {n}",
                                  email=f"late{n}@example.com", source="sourced",
                                  caller=by(RECRUITER))
        wait_until(lambda: caught_up(app), "two projectors have caught up again",
                   processes=(first, second), logs=logs, app=app)
        stop(first)
        stop(second)
    for log in logs:
        assert_clean_log(log)
    clean = assert_live_equals_clean_rebuild(app)
    assert len(clean["candidates"]["candidates"]) == CANDIDATES + 20


# --- rebuilds ---

@pytest.mark.slow
def test_cli_rebuild_of_the_demo_gives_exactly_the_rows_the_live_projector_built(
        app: Recruitment, settings: Settings) -> None:
    load_history(app, candidates=200)
    project_all(app)
    head, built = head_of(app), dump(app)

    done = subprocess.run([HIRELOG, "projections", "rebuild"], env=env_of(settings),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    for model in MODELS:
        assert f"{model.name}: generation 2 live, {head} events in" in done.stdout
        assert f"rebuilding {model.name}" in done.stderr  # the progress bar's label
    assert done.stdout.count(" events/s)") == len(MODELS)
    assert not differences(built, dump(app)), "\n".join(differences(built, dump(app)))
    with app.tables.transaction(commit=False) as cursor:
        for model in MODELS:
            assert catalog.active(cursor, model.name) == (2, head)
            assert catalog.generations(cursor, model.name) == [2]  # the old one is dropped

    one = subprocess.run([HIRELOG, "projections", "rebuild", MODELS[0].name],
                         env=env_of(settings), capture_output=True, text=True, timeout=120,
                         check=False)
    assert one.returncode == 0, one.stderr
    assert {name: generation for name, (generation, _) in live_states(app).items()} == {
        model.name: 3 if model is MODELS[0] else 2 for model in MODELS}
    assert not differences(built, dump(app)), "\n".join(differences(built, dump(app)))

    unknown = subprocess.run([HIRELOG, "projections", "rebuild", "no-such-model"],
                             env=env_of(settings), capture_output=True, text=True, timeout=60,
                             check=False)
    assert unknown.returncode == 1
    assert "no read model 'no-such-model'" in unknown.stderr
    assert "Traceback" not in unknown.stderr


class Writer:
    """Records new candidates (contact, then apply) in a thread until stopped."""

    def __init__(self, app: Recruitment) -> None:
        self.app, self.errors, self.ids = app, [], []
        self.stopped = threading.Event()
        client = app.register_client("Busy Bees", by(ADMIN))
        self.position = app.open_position(
            client_id=client.id, title="Site reliability engineer", headcount=3,
            skills=[Skill("linux", 5, required=True), Skill("terraform", 2)],
            assessment_name="Incident drill", assessment_minutes=90, caller=by(ADMIN)).id
        self.thread = threading.Thread(target=self.run, name="writer")

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                n = len(self.ids)
                receipt = self.app.contact_candidate(
                    position_id=self.position, name=f"Busy {n}", email=f"busy{n}@example.com",
                    source="sourced", caller=by(RECRUITER))
                self.app.apply(receipt.id, by(RECRUITER), note="while rebuilding")
                self.ids.append(receipt.id)
                time.sleep(0.02)
        except BaseException as error:
            self.errors.append(error)

    def __enter__(self) -> Writer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=30)


class Monitor:
    """What readers see of each model's live generation and position, polled in a thread."""

    def __init__(self, app: Recruitment) -> None:
        self.app, self.errors = app, []
        self.seen: dict[str, list[tuple[int, int]]] = {m.name: [] for m in MODELS}
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, name="monitor")

    def run(self) -> None:
        try:
            while not self.stopped.is_set():
                for name, state in live_states(self.app).items():
                    if not self.seen[name] or self.seen[name][-1] != state:
                        self.seen[name].append(state)
                time.sleep(0.001)
        except BaseException as error:
            self.errors.append(error)

    def __enter__(self) -> Monitor:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopped.set()
        self.thread.join(timeout=30)


@contextmanager
def live_projector(app: Recruitment) -> Iterator[list[BaseException]]:
    """A projector thread (as `hirelog serve` runs it); its errors, collected."""
    errors: list[BaseException] = []
    stopping = threading.Event()
    thread = threading.Thread(target=Projector(app, MODELS).run_forever, args=(stopping,),
                              kwargs={"on_error": errors.append}, name="projector")
    thread.start()
    try:
        yield errors
    finally:
        stopping.set()
        thread.join(timeout=30)


@pytest.mark.slow
def test_rebuild_beside_a_live_projector_and_new_commands_ends_equal_to_a_fresh_rebuild(
        app: Recruitment) -> None:
    load_history(app, candidates=300)
    project_all(app)
    before = live_states(app)
    switched: dict[str, tuple[int, int | None]] = {}
    started_at: dict[str, int] = {}
    with live_projector(app) as projector_errors, Monitor(app) as monitor, \
            Writer(app) as writer:
        wait_until(lambda: len(writer.ids) >= 5 or bool(writer.errors), "commands are recorded")
        for model in MODELS:
            started_at[model.name] = head_of(app)
            switched[model.name] = rebuild(app, model)
            assert live_states(app)[model.name][0] == switched[model.name][0]
        done = len(writer.ids)
        wait_until(lambda: len(writer.ids) >= done + 5 or bool(writer.errors),
                   "commands are recorded after the switch")
        writer.stopped.set()
        writer.thread.join(timeout=30)
        wait_until(lambda: caught_up(app), "the live projector has caught up", app=app)
    assert writer.errors == [] and projector_errors == [] and monitor.errors == []
    assert len(writer.ids) >= 10

    for model in MODELS:
        new, old = switched[model.name]
        assert old == before[model.name][0] and new == old + 1
        generations = [generation for generation, _ in monitor.seen[model.name]]
        # readers saw the old generation until the switch, then only the new one
        assert generations[0] == old and set(generations) <= {old, new}
        assert generations == sorted(generations), f"{model.name}: {monitor.seen[model.name]}"
        for generation in (old, new):
            positions = [p for g, p in monitor.seen[model.name] if g == generation]
            assert positions == sorted(positions), f"{model.name} g{generation} went back"
        # the new generation went live caught up with (at least) the log the rebuild began on
        assert min(p for g, p in monitor.seen[model.name] if g == new) >= started_at[model.name]
    with app.tables.transaction(commit=False) as cursor:
        for model in MODELS:  # the old generations are gone
            assert catalog.generations(cursor, model.name) == [switched[model.name][0]]
    clean = assert_live_equals_clean_rebuild(app)
    rows = {row["id"] for row in clean["candidates"]["candidates"]}
    assert {str(i) for i in writer.ids} <= rows


def test_the_switch_never_moves_the_live_position_back(
        app: Recruitment, monkeypatch: pytest.MonkeyPatch) -> None:
    load_history(app, candidates=30)
    project_all(app)
    real_catch_up = rebuild_module.catch_up

    def catch_up_then_a_command_lands(*args: Any, **kwargs: Any) -> int:
        """The rebuild has read the whole log; just before it switches, a command is
        recorded and the live projector (here: project_all) applies it to the old generation."""
        reached = real_catch_up(*args, **kwargs)
        app.register_client(f"Just in time {head_of(app)}", by(ADMIN))
        project_all(app)
        return reached

    monkeypatch.setattr(rebuild_module, "catch_up", catch_up_then_a_command_lands)
    went_back = {}
    for model in MODELS:
        rebuild(app, model)
        seen_before_switch = head_of(app)  # a reader saw this position on the old generation
        position = live_positions(app)[model.name]
        if position < seen_before_switch:
            went_back[model.name] = (seen_before_switch, position)
    assert went_back == {}, f"live position went back at the switch (from, to): {went_back}"


@pytest.mark.slow
def test_a_reader_inside_a_view_keeps_its_generation_while_a_rebuild_switches(
        app: Recruitment, settings: Settings, request: pytest.FixtureRequest) -> None:
    """A read began on the old generation (it read the catalog) when the rebuild switches and
    drops it: the read must still answer from the generation it started on, not fail."""
    load_history(app, candidates=30)
    project_all(app)
    expected = dump(app)
    reads = ReadSide(app.tables)
    errors: list[BaseException] = []

    def rebuild_all() -> None:
        try:
            for model in MODELS:
                rebuild(app, model)
        except BaseException as error:
            errors.append(error)

    with reads.view(MODELS[0].name, AGENCY) as view:
        thread = threading.Thread(target=rebuild_all)
        thread.start()
        # the rebuild waits for this read (its tables stay till it ends): on PostgreSQL until
        # it is seen waiting for the read's lock; elsewhere up to 2 s, or until it ended
        until = time.monotonic() + 2
        while thread.is_alive() and time.monotonic() < until and not (
                app.tables.is_postgres and waiting_for_a_lock(settings.postgres().schema)):
            time.sleep(0.01)
        rows = {short: view.model.rows(view.cursor, short) for short in view.model.tables}
    thread.join(timeout=60)
    assert not thread.is_alive() and errors == []
    assert rows == expected[MODELS[0].name]


@pytest.mark.slow
@pytest.mark.parametrize("read", ["generations", "active"])
def test_rebuild_succeeds_when_another_process_writes_between_its_read_and_its_write(
        app: Recruitment, settings: Settings, read: str, request: pytest.FixtureRequest,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The rebuild reads the catalog, then writes in the same transaction (a new generation's
    tables; the switch). A command recorded meanwhile by another process (a server) must not
    make it fail."""
    load_history(app, candidates=20)
    project_all(app)
    other = open_recruitment(settings)  # its own connections, as another process has
    real = getattr(catalog, read)
    calls = []

    writes: list[threading.Thread] = []
    failures: list[BaseException] = []

    def write() -> None:
        try:
            other.register_client("Written meanwhile", by(ADMIN))
        except BaseException as error:
            failures.append(error)

    def then_another_process_writes(*args: Any, **kwargs: Any) -> Any:
        """Another writer records a command while the rebuild's transaction is open (on
        SQLite it waits for the rebuild's write lock; on PostgreSQL it goes ahead)."""
        answer = real(*args, **kwargs)
        if not calls:
            calls.append(read)
            writes.append(threading.Thread(target=write))
            writes[0].start()
            time.sleep(0.3)  # give it the chance to commit first where it can
        return answer

    try:
        monkeypatch.setattr(catalog, read, then_another_process_writes)
        generation, old = rebuild(app, MODELS[0])
        monkeypatch.undo()
        writes[0].join(timeout=60)
    finally:
        other.close()
    assert calls == [read] and failures == []
    assert live_states(app)[MODELS[0].name][0] == generation == old + 1

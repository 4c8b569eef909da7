"""`hirelog replay --verify` on SQLite and PostgreSQL: every read model rebuilt from the log in a
scratch database equals the live one (each at its own position), altered rows are listed, the
exit status says which, and the scratch database is gone afterwards, also after a failure."""

from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from audit import replay_check
from cli.main import main
from domain.application import Recruitment
from domain.values import Skill
from hirelog.settings import Settings
from projections import catalog
from projections.projector import Projector
from projections.registry import MODELS, model_named
from tests.fakes import ADMIN, RECRUITER, by
from tests.history import load_history
from tests.readmodels import project_all

DEMO = 20  # candidates of the demo data set (about 160 events)
TABLE_LINE = re.compile(r"^  (\S+)\s+(ok \((\d+) rows\)|DIFFERS: .*)$")


def replay(settings: Settings, *args: str) -> Result:
    env = {"DATABASE_URL": settings.database_url, "HIRELOG_ID_KEY": settings.id_key or ""}
    return CliRunner().invoke(main, ["replay", *args], env=env)


def table_lines(result: Result) -> dict[str, str]:
    """{table: 'ok (n rows)' or 'DIFFERS: ...'} of every table the check printed."""
    return {m.group(1): m.group(2) for line in result.stdout.splitlines()
            if (m := TABLE_LINE.match(line))}


def scratch_of(result: Result) -> str:
    found = re.search(r"^scratch database: (\S+)", result.stderr, re.MULTILINE)
    assert found, result.stderr
    return found.group(1)


def assert_scratch_gone(app: Recruitment, where: str) -> None:
    tables = app.tables
    if tables.is_postgres:
        with tables.transaction(commit=False) as cursor:
            assert cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = %s",
                                  (where,)).all() == []
    else:
        assert Path(where).is_absolute()
        assert not Path(where).parent.exists(), f"scratch folder left behind: {where}"


def live_table(app: Recruitment, name: str, short: str) -> str:
    with app.tables.transaction(commit=False) as cursor:
        state = catalog.active(cursor, name)
    assert state
    return model_named(name)(state[0]).table(short)


def execute(app: Recruitment, statement: str, params: tuple[Any, ...] = ()) -> list[dict]:
    with app.tables.transaction() as cursor:
        cursor.execute(statement, params)
        return cursor.all() if statement.startswith("SELECT") else []


def all_tables() -> set[str]:
    return {short for model in MODELS for short in model.tables}


@pytest.fixture
def projected(app: Recruitment) -> Recruitment:
    load_history(app, candidates=DEMO)
    project_all(app)
    return app


def record_more(app: Recruitment, n: int = 5) -> None:
    client = app.register_client(f"Later Ltd {n}", by(ADMIN))
    position = app.open_position(
        client_id=client.id, title="Data engineer", headcount=1,
        skills=[Skill("sql", 4, required=True)], assessment_name="Pipeline task",
        assessment_minutes=90, caller=by(ADMIN))
    for i in range(n):
        receipt = app.contact_candidate(position_id=position.id, name=f"Later {n}-{i}",
                                        email=f"later{n}-{i}@example.com", source="sourced",
                                        caller=by(RECRUITER))
        app.apply(receipt.id, by(RECRUITER), note="later")


# --- the command ---

def test_a_log_projected_to_the_end_verifies(projected: Recruitment, settings: Settings) -> None:
    head = projected.recorder.max_notification_id()
    result = replay(settings, "--verify")
    assert result.exit_code == 0, result.output
    lines = table_lines(result)
    assert set(lines) == all_tables() and all(v.startswith("ok") for v in lines.values())
    assert lines["candidates"] == f"ok ({DEMO} rows)"
    for model in MODELS:
        assert f"{model.name}: generation 1, position {head} (head of the log {head})" in (
            result.stdout)
    assert f"replay check ok: {len(all_tables())} tables" in result.stdout
    assert_scratch_gone(projected, scratch_of(result))


def test_altered_rows_are_each_listed_and_the_check_fails(projected: Recruitment,
                                                           settings: Settings) -> None:
    app = projected
    candidates = live_table(app, "candidates", "candidates")
    changed = execute(app, f"SELECT id, name FROM {candidates} ORDER BY id")[3]
    execute(app, f"UPDATE {candidates} SET name = %s WHERE id = %s",
            ("Mallory Mallet", changed["id"]))
    visits = live_table(app, "funnel", "funnel_visits")
    gone = execute(app, f"SELECT candidate_id, visit FROM {visits} ORDER BY 1, 2")[5]
    execute(app, f"DELETE FROM {visits} WHERE candidate_id = %s AND visit = %s",
            (gone["candidate_id"], gone["visit"]))
    execute(app, f"INSERT INTO {live_table(app, 'candidates', 'clients')} (id, name) "
            "VALUES (%s, %s)", ("bogus-client", "Bogus Ltd"))
    assessments = live_table(app, "assessments", "assessment_people")
    execute(app, f"DELETE FROM {assessments} WHERE candidate_id IN (SELECT candidate_id "
            f"FROM {assessments} ORDER BY 1 LIMIT 3)")

    result = replay(settings, "--verify", "--limit", "1")
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert (f"differing id={changed['id']!r}: name rebuilt {changed['name']!r}, "
            "live 'Mallory Mallet'") in out
    assert f"missing   candidate_id={gone['candidate_id']!r}, visit={gone['visit']!r}:" in out
    assert "extra     id='bogus-client': {'id': 'bogus-client', 'name': 'Bogus Ltd'}" in out
    assert "... 2 more missing" in out  # three deleted, one listed (--limit 1)
    lines = table_lines(result)
    assert f"{DEMO} rows rebuilt, {DEMO} live; 0 missing, 0 extra, 1 differing" in (
        lines["candidates"])
    assert "1 missing, 0 extra, 0 differing" in lines["funnel_visits"]
    assert "1 extra" in lines["clients"] and "4 rows rebuilt, 5 live" in lines["clients"]
    assert f"{DEMO} rows rebuilt, {DEMO - 3} live; 3 missing" in lines["assessment_people"]
    differing = {"candidates", "funnel_visits", "clients", "assessment_people"}
    assert {t for t, v in lines.items() if v.startswith("DIFFERS")} == differing
    assert set(lines) == all_tables()
    assert f"replay check failed: 4 of {len(all_tables())} tables differ" in out
    assert "Traceback" not in result.output
    assert_scratch_gone(app, scratch_of(result))

    only = replay(settings, "--verify", "--model", "shortlist", "--model", "funnel")
    assert only.exit_code == 1, only.output
    assert set(table_lines(only)) == {*model_named("shortlist").tables,
                                      *model_named("funnel").tables}


def test_a_model_behind_the_log_is_compared_at_its_own_position(
        projected: Recruitment, settings: Settings) -> None:
    app = projected
    before = app.recorder.max_notification_id()
    record_more(app)
    head = app.recorder.max_notification_id()
    ahead = Projector(app, [MODELS[0]])
    while ahead.run_once():
        pass
    result = replay(settings, "--verify")
    assert result.exit_code == 0, result.output
    assert f"{MODELS[0].name}: generation 1, position {head} (head of the log {head})" in (
        result.stdout)
    for model in MODELS[1:]:
        assert f"{model.name}: generation 1, position {before} (head" in result.stdout
    assert table_lines(result)["candidates"] == f"ok ({DEMO + 5} rows)"  # the later ones
    assert_scratch_gone(app, scratch_of(result))


def test_bad_input_is_one_line(sqlite_settings: Settings) -> None:
    for args, message in ((), "Error: give --verify"),\
            (("--verify", "--model", "nope"), "Error: no read model 'nope'"):
        result = replay(sqlite_settings, *args)
        assert result.exit_code == 1
        lines = result.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(message), result.output


# --- the live position held still, the scratch database removed ---

def test_the_live_model_moving_during_the_check_changes_nothing(
        projected: Recruitment, monkeypatch: pytest.MonkeyPatch) -> None:
    """Events are recorded and projected after the replay's first pass, and again while a
    model's rows are read: each model is compared at the position its rows are at."""
    app = projected
    real_replay, real_keyed = replay_check._replay, replay_check._keyed
    real_check = replay_check._check_model
    calls: list[int] = []
    writers: list[threading.Thread] = []

    def replay_then_the_projector_moves(*args: Any, **kwargs: Any) -> None:
        real_replay(*args, **kwargs)
        if not calls:
            calls.append(1)
            record_more(app, 3)
            project_all(app)

    def read_rows_while_the_projector_moves(*args: Any, **kwargs: Any) -> Any:
        if not writers:  # in the middle of reading the first model's live rows
            writers.append(threading.Thread(target=lambda: (record_more(app, 2),
                                                            project_all(app))))
            writers[0].start()
            writers[0].join(timeout=0.5)
            if app.tables.is_postgres:  # its projector waits for the check's catalog lock
                assert writers[0].is_alive()
        return real_keyed(*args, **kwargs)

    def check_once_the_projector_is_done(*args: Any, **kwargs: Any) -> Any:
        if writers:  # the next models: after the projector moved them on (no lock held)
            writers[0].join(timeout=60)
        return real_check(*args, **kwargs)

    monkeypatch.setattr(replay_check, "_replay", replay_then_the_projector_moves)
    monkeypatch.setattr(replay_check, "_keyed", read_rows_while_the_projector_moves)
    monkeypatch.setattr(replay_check, "_check_model", check_once_the_projector_is_done)
    checks = replay_check.verify(app, MODELS)
    assert writers and not writers[0].is_alive()
    assert all(check.ok for check in checks), [c for c in checks if not c.ok]
    head = app.recorder.max_notification_id()
    assert checks[0].tables[0].live == DEMO + 3  # not the 2 recorded while it was read
    assert checks[0].position < head
    assert [check.position for check in checks[1:]] == [head] * (len(MODELS) - 1)


def test_the_scratch_database_is_removed_when_the_check_fails(
        projected: Recruitment, monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("comparison failed")

    monkeypatch.setattr(replay_check, "_compare", broken)
    with pytest.raises(RuntimeError, match="comparison failed"):
        replay_check.verify(projected, MODELS, on_scratch=made.append)
    assert len(made) == 1
    assert_scratch_gone(projected, made[0])


def test_table_columns_reads_keys_of_both_forms() -> None:
    assert replay_check.table_columns("id TEXT PRIMARY KEY, n NUMERIC(10, 2)") == (
        ["id", "n"], ["id"])
    assert replay_check.table_columns("a TEXT, b INT, PRIMARY KEY (a, b)") == (
        ["a", "b"], ["a", "b"])
    assert replay_check.table_columns("a TEXT, b INT") == (["a", "b"], [])

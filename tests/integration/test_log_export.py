"""Export and import of the log (issue 6), on a SQLite file and on PostgreSQL, through the
command line: a complete export imported into an empty database gives the identical log, which
verifies, takes new commands after its last position and rebuilds identical read models; a
bad file or a database that is not empty is refused with one line and nothing written."""

from __future__ import annotations

import json
import os
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner, Result
from psycopg import sql

from audit.log_export import event_line, export_log
from audit.log_verify import notifications
from audit.seals import add_seal, compute_seal, split_seal
from cli.main import main
from demo.history import load_demo
from domain.application import Recruitment
from domain.base import Stamp
from domain.client import Client
from domain.errors import DuplicateCandidate
from domain.scope import AGENCY
from domain.values import Skill
from hirelog.settings import Settings
from projections.rebuild import rebuild
from projections.registry import MODELS
from storage.event_store import open_recruitment
from tests.databases import PG_URL, TEST_ID_KEY, require_postgres
from tests.fakes import RECRUITER, by
from tests.readmodels import dump, project_all

NewDatabase = Callable[..., Settings]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def new_database(request, tmp_path) -> Iterator[NewDatabase]:
    """Makes settings for a new, empty database on one store (a file, or a schema)."""
    schemas: list[str] = []

    def make(id_key: str = TEST_ID_KEY) -> Settings:
        name = f"hirelog_export_{uuid.uuid4().hex[:12]}"
        if request.param == "sqlite":
            return Settings(database_url=f"sqlite:///{tmp_path}/{name}.sqlite", id_key=id_key)
        schemas.append(name)
        return Settings(database_url=f"{PG_URL}?schema={name}", id_key=id_key)

    if request.param == "postgres":
        require_postgres()
    yield make
    if schemas:
        with psycopg.connect(Settings(database_url=PG_URL).database.conninfo(),  # type: ignore[union-attr]
                             autocommit=True) as conn:
            for schema in schemas:
                conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    sql.Identifier(schema)))


def cli(settings: Settings, *args: str) -> Result:
    env = {"DATABASE_URL": settings.database_url, "HIRELOG_ID_KEY": settings.id_key or ""}
    return CliRunner().invoke(main, list(args), env=env)


def error_line(result: Result) -> str:
    """The command failed with exit status 1 and exactly one `Error:` line, no traceback."""
    assert result.exit_code == 1, (result.exit_code, result.output)
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.stderr
    return errors[0]


def stored(app: Recruitment) -> list[tuple[Any, ...]]:
    """Every stored event, field by field, in log order."""
    return [(n.id, n.originator_id, n.originator_version, n.topic, n.state)
            for n in notifications(app.recorder)]


def assert_empty(settings: Settings) -> None:
    app = open_recruitment(settings)
    try:
        assert not app.recorder.max_notification_id()
        with app.tables.transaction(commit=False) as cursor:
            assert not cursor.execute("SELECT name FROM {schema}.hirelog_projections "
                                      "WHERE position > 0").all()
    finally:
        app.close()


@pytest.fixture
def demo_source(new_database: NewDatabase) -> Iterator[tuple[Settings, Recruitment]]:
    """A database with a small demo data set (every stage, May to October 2026)."""
    settings = new_database()
    app = open_recruitment(settings)
    load_demo(app, seed=7, candidates=25)
    yield settings, app
    app.close()


def test_import_gives_the_identical_log_which_verifies_continues_and_projects_the_same(
        demo_source, new_database, tmp_path):
    source_settings, source = demo_source
    export_file = tmp_path / "log.jsonl"
    exported = cli(source_settings, "audit", "export", "--out", str(export_file))
    assert exported.exit_code == 0, exported.output
    head = source.recorder.max_notification_id()
    lines = export_file.read_text().splitlines()
    assert len(lines) == head + 2  # header, every event, closing line
    assert json.loads(lines[0])["complete"] is True

    target_settings = new_database()
    imported = cli(target_settings, "audit", "import", str(export_file))
    assert imported.exit_code == 0, imported.output
    assert f"imported {head} events" in imported.stdout
    target = open_recruitment(target_settings)
    try:
        assert stored(target) == stored(source)
        verified = cli(target_settings, "audit", "verify")
        assert verified.exit_code == 0 and ": ok" in verified.stdout, verified.output

        # read models rebuilt from the imported log equal the original's
        project_all(source)
        for model in MODELS:
            rebuild(target, model)
        assert dump(target) == dump(source)

        # new commands continue after the last position, chained to the imported seals
        contacted = [target.mapper.to_domain_event(n) for n in notifications(target.recorder)
                     if n.topic.endswith("Candidate.Contacted")]
        existing = next(e for e in contacted if target.get_position(e.position_id, AGENCY).is_open)
        receipt = target.contact_candidate(position_id=existing.position_id, name="New Person",
                                           email="new.person@example.com", source="inbound",
                                           caller=by())
        assert receipt.position == head + 1
        revised = target.revise_rubric(existing.position_id, [Skill("python", 3, True)], by())
        assert revised.position == head + 2
        with pytest.raises(DuplicateCandidate):  # the same id key: duplicates still found
            target.contact_candidate(position_id=existing.position_id, name="Again",
                                     email=existing.email, source="inbound", caller=by())
        verified = cli(target_settings, "audit", "verify")
        assert verified.exit_code == 0 and ": ok" in verified.stdout, verified.output
    finally:
        target.close()


def small_history(app: Recruitment) -> None:
    """Two clients, a position, and a candidate with several steps (9 events)."""
    acme = app.register_client("Acme", by())
    app.register_client("Globex", by())
    position = app.open_position(client_id=acme.id, title="Backend developer", headcount=1,
                                 skills=[Skill("python", 5, True)], assessment_name="Take-home",
                                 assessment_minutes=90, caller=by())
    ann = app.contact_candidate(position_id=position.id, name="Ann Lee", email="ann@example.com",
                                source="referral", caller=by())
    app.apply(ann.id, by())
    app.revise_rubric(position.id, [Skill("python", 4, True), Skill("sql", 2)], by())
    app.disqualify(ann.id, by(), reason="no visa")
    bo = app.contact_candidate(position_id=position.id, name="Bo Park", email="bo@example.com",
                               source="inbound", caller=by())
    app.withdraw(bo.id, by(), reason="took another offer")


@pytest.fixture(scope="module")
def small_export(tmp_path_factory) -> list[str]:
    """The lines of a complete export of a small history. Made once on SQLite: the format is
    the same on both stores, so PostgreSQL targets also import what SQLite exported."""
    folder = tmp_path_factory.mktemp("small")
    settings = Settings(database_url=f"sqlite:///{folder}/small.sqlite", id_key=TEST_ID_KEY)
    app = open_recruitment(settings)
    small_history(app)
    app.close()
    out = folder / "small.jsonl"
    assert cli(settings, "audit", "export", "--out", str(out)).exit_code == 0
    return out.read_text().splitlines()


def edit_state(lines: list[str], number: int, old: str, new: str) -> list[str]:
    """Change a line's stored state (its line stays self-consistent: only the seal breaks)."""
    line = json.loads(lines[number - 1])
    assert old in line["state"]
    line["state"] = line["state"].replace(old, new)
    return [*lines[:number - 1], json.dumps(line, separators=(",", ":")), *lines[number:]]


def resealed(lines: list[str], number: int, old: str, new: str) -> list[str]:
    """Edit the state of an aggregate's last event and seal it again, as a forger would."""
    line = json.loads(edit_state(lines, number, old, new)[number - 1])
    unsealed = split_seal(line["state"].encode())[0]
    seal = compute_seal("", line["aggregate_id"], line["version"], line["type"], unsealed)
    line["state"], line["seal"] = add_seal(unsealed, seal).decode(), seal
    return [*lines[:number - 1], json.dumps(line), *lines[number:]]


def with_field(lines: list[str], number: int, key: str, value: Any) -> list[str]:
    """A line with one field changed (None: removed)."""
    line = json.loads(lines[number - 1])
    if value is None:
        del line[key]
    else:
        line[key] = value
    return [*lines[:number - 1], json.dumps(line), *lines[number:]]


def swap(lines: list[str], a: int, b: int, keep_positions: bool = False) -> list[str]:
    changed = list(lines)
    changed[a - 1], changed[b - 1] = lines[b - 1], lines[a - 1]
    if keep_positions:  # the same positions, the events' contents exchanged
        first, second = json.loads(changed[a - 1]), json.loads(changed[b - 1])
        first["position"], second["position"] = second["position"], first["position"]
        changed[a - 1], changed[b - 1] = json.dumps(first), json.dumps(second)
    return changed


# line 1 is the header; the events are lines 2-10 (positions 1-9); line 11 closes the file.
# Lines 2-3 register two clients; lines 5, 6 and 8 are Ann's Contacted, Applied and
# Disqualified (her last event); line 7 revises the position's rubric.
BAD_FILES: dict[str, tuple[Callable[[list[str]], list[str]], str]] = {
    "edited state": (lambda ls: edit_state(ls, 2, '"name":"Acme"', '"name":"Acne"'),
                     "line 2 (position 1, client"),
    "edited state of a middle event": (
        lambda ls: edit_state(ls, 6, '"tok-rita"', '"tok-mallory"'), "line 6 (position 5"),
    "deleted line": (lambda ls: ls[:5] + ls[6:], "line 7 (position 7, candidate"),
    "deleted last event of an aggregate": (lambda ls: ls[:7] + ls[8:],
                                           "closing line counts 9 events, the file has 8"),
    "resealed edit of an aggregate's last event": (
        lambda ls: resealed(ls, 3, '"name":"Globex"', '"name":"Globox"'),
        "digest does not match"),
    "deleted last line": (lambda ls: ls[:-1], "no closing line: it was cut short"),
    "event type that is not hirelog's": (lambda ls: with_field(ls, 3, "type", "os:system"),
                                         "line 3: not an event line"),
    "swapped lines": (lambda ls: swap(ls, 2, 3), "line 3: position 1 does not follow"),
    "swapped events, positions kept": (lambda ls: swap(ls, 5, 6, keep_positions=True),
                                       "line 5 (position 4, candidate"),
    "malformed line": (lambda ls: [*ls[:3], '{"position": 3,', *ls[4:]], "line 4: not a JSON"),
    "line missing a field": (lambda ls: with_field(ls, 4, "type", None),
                             "line 4: not an event line"),
    "time that disagrees with its state": (
        lambda ls: with_field(ls, 3, "recorded_at", "2020-01-01T00:00:00+00:00"),
        "line 3: not an event line"),
    "position given as text": (lambda ls: with_field(ls, 3, "position", "2"),
                               "line 3: not an event line"),
    "no header": (lambda ls: ls[1:], "line 1: not a hirelog log export"),
    "more after the end": (lambda ls: [*ls, ls[1]], "line 12: there is more after"),
    "empty file": (lambda ls: [], "the file is empty"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_is_refused_with_one_line_and_nothing_is_written(
        case, small_export, new_database, tmp_path):
    tamper, expected = BAD_FILES[case]
    assert len(small_export) == 11
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(line + "\n" for line in tamper(small_export)))
    target = new_database()
    message = error_line(cli(target, "audit", "import", str(bad)))
    assert expected in message and "nothing was imported" in message, message
    assert_empty(target)


def test_the_untampered_small_export_imports_into_either_store(
        small_export, new_database, tmp_path):
    good = tmp_path / "good.jsonl"
    good.write_text("".join(line + "\n" for line in small_export))
    target = new_database()
    assert cli(target, "audit", "import", str(good)).exit_code == 0
    app = open_recruitment(target)
    try:
        assert [event_line(n) for n in notifications(app.recorder)] == [
            json.loads(line) for line in small_export[1:-1]]
    finally:
        app.close()


def test_importing_into_a_database_that_holds_events_is_refused(
        small_export, new_database, tmp_path):
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(small_export) + "\n")
    target = new_database()
    app = open_recruitment(target)
    app.register_client("Already here", by())
    app.close()
    assert "already holds events" in error_line(cli(target, "audit", "import", str(path)))
    app = open_recruitment(target)
    try:
        assert [n.topic for n in notifications(app.recorder)] == [
            "domain.client:Client.Registered"]
    finally:
        app.close()


def test_importing_where_a_read_model_has_read_a_log_is_refused(
        small_export, new_database, tmp_path):
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(small_export) + "\n")
    target = new_database()
    app = open_recruitment(target)
    with app.tables.transaction() as cursor:  # events deleted by hand, read models kept
        cursor.execute("UPDATE {schema}.hirelog_projections SET position = 5")
    app.close()
    assert "has read the log up to position 5" in error_line(
        cli(target, "audit", "import", str(path)))


def test_importing_with_another_id_key_is_refused(small_export, new_database, tmp_path):
    path = tmp_path / "small.jsonl"
    path.write_text("\n".join(small_export) + "\n")
    target = new_database(id_key="another-key")
    assert "HIRELOG_ID_KEY" in error_line(cli(target, "audit", "import", str(path)))
    assert_empty(target)


def test_from_and_to_export_only_events_recorded_between_and_cannot_be_imported(
        demo_source, new_database, tmp_path):
    settings, _ = demo_source
    full, part = tmp_path / "full.jsonl", tmp_path / "july.jsonl"
    assert cli(settings, "audit", "export", "--out", str(full)).exit_code == 0
    result = cli(settings, "audit", "export", "--out", str(part), "--from", "2026-07-01",
                 "--to", "2026-08-01T00:00:00+00:00")
    assert result.exit_code == 0, result.output
    start, end = datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 8, 1, tzinfo=UTC)
    events = [json.loads(line) for line in full.read_text().splitlines()[1:-1]]
    expected = [e for e in events if start <= datetime.fromisoformat(e["recorded_at"]) < end]
    lines = part.read_text().splitlines()
    header, closing = json.loads(lines[0]), json.loads(lines[-1])
    assert (header["complete"], header["from"], header["to"]) == (
        False, "2026-07-01T00:00:00+00:00", "2026-08-01T00:00:00+00:00")
    assert 0 < len(expected) < len(events)
    assert [json.loads(line) for line in lines[1:-1]] == expected
    assert closing["events"] == len(expected)
    assert "partial export" in error_line(cli(new_database(), "audit", "import", str(part)))
    assert "not an ISO 8601" in error_line(
        cli(settings, "audit", "export", "--out", str(part), "--from", "July"))
    assert "--from must be before --to" in error_line(
        cli(settings, "audit", "export", "--out", str(part), "--from", "2026-08-01",
            "--to", "2026-07-01"))
    assert "must lie between" in error_line(  # past datetime.max once in UTC: refused
        cli(settings, "audit", "export", "--out", str(part), "--to",
            "9999-12-31T23:59:59-23:59"))
    assert [json.loads(line) for line in lines[1:-1]] == expected  # a failed export kept it


def test_export_to_standard_output(new_database):
    settings = new_database()
    app = open_recruitment(settings)
    small_history(app)
    app.close()
    result = cli(settings, "audit", "export", "--out", "-")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert [json.loads(line)["position"] for line in lines[1:-1]] == list(range(1, 10))
    assert "exported 9 events" in result.stderr


def test_an_empty_log_exports_and_imports(new_database, tmp_path):
    path = tmp_path / "empty.jsonl"
    source = new_database()
    assert cli(source, "init").exit_code == 0  # a store with no event yet
    exported = cli(source, "audit", "export", "--out", str(path))
    assert exported.exit_code == 0 and "exported 0 events" in exported.stdout, exported.output
    assert len(path.read_text().splitlines()) == 2
    target = new_database()
    imported = cli(target, "audit", "import", str(path))
    assert imported.exit_code == 0 and "imported 0 events" in imported.stdout, imported.output
    assert_empty(target)


def append_clients(app: Recruitment, count: int) -> None:
    """`count` events quickly: new clients saved 500 at a time."""
    for start in range(0, count, 500):
        stamp = Stamp(app.clock(), RECRUITER, None)
        app.save(*[Client.register(f"Client {n} " + "x" * 150, by=stamp)
                   for n in range(start, min(count, start + 500))])


def export_peak(app: Recruitment) -> tuple[int, int]:
    """(events written, peak bytes allocated while exporting)."""
    with open(os.devnull, "wb") as sink:
        tracemalloc.start()
        try:
            written = export_log(app.recorder, sink)
            return written, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_export_memory_stays_flat_as_the_log_grows(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/big.sqlite", id_key=TEST_ID_KEY)
    app = open_recruitment(settings)
    try:
        append_clients(app, 1_500)
        small, small_peak = export_peak(app)
        append_clients(app, 4_500)
        big, big_peak = export_peak(app)
        assert (small, big) == (1_500, 6_000)
        # a page of 1,000 events, whatever the length of the log (4x the events here)
        assert big_peak < small_peak * 1.3, (small_peak, big_peak)
    finally:
        app.close()


def test_a_failed_export_leaves_the_previous_file_as_it_was(new_database, tmp_path):
    settings = new_database()
    app = open_recruitment(settings)
    small_history(app)
    with app.tables.transaction() as cursor:  # a stored state that is not JSON at all
        cursor.execute(f"UPDATE {{schema}}.{app.recorder.events_table_name} SET state = %s "
                       "WHERE originator_version = 2", (b"not json",))
    app.close()
    path = tmp_path / "keep.jsonl"
    path.write_text("previous export\n")
    message = error_line(cli(settings, "audit", "export", "--out", str(path)))
    assert "the stored state is not JSON" in message
    assert path.read_text() == "previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".jsonl")
            or ".jsonl." in p.name] == ["keep.jsonl"]

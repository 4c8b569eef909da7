"""The sealed event log seen from the database, for tests of tamper evidence: rows and states
as stored, edits made behind the application's back, a short history, and the auditors' CLI
on an export."""

from __future__ import annotations

import os
import stat

from click.testing import CliRunner

from cli.main import main
from domain.application import Recruitment
from tests.fakes import FakeClock, by
from tests.hiring_steps import drive_to_interview, open_candidate


def history(app: Recruitment, clock: FakeClock):
    """Two candidates: Ann driven to an interview, Bo contacted and applied."""
    client, position, ann = open_candidate(app)
    drive_to_interview(app, clock, ann.id, client.id)
    bo = app.contact_candidate(position_id=position.id, name="Bo Park", email="bo@example.com",
                               source="inbound", caller=by())
    app.apply(bo.id, by())
    return client, position, ann.id, bo.id


def key(app: Recruitment, aggregate_id) -> str:
    """An aggregate id as the store keeps it (SQLite: 32 hex digits; PostgreSQL: uuid)."""
    return str(aggregate_id) if app.tables.is_postgres else aggregate_id.hex


def rows(app: Recruitment, aggregate_id) -> list[dict]:
    with app.tables.transaction(commit=False) as cursor:
        return cursor.execute(events_table(
            app, "SELECT originator_version, topic, state FROM {events} "
                 "WHERE originator_id = %s ORDER BY originator_version"),
            (key(app, aggregate_id),)).all()


def execute(app: Recruitment, statement: str, params: tuple) -> None:
    with app.tables.transaction() as cursor:
        assert cursor.execute(events_table(app, statement), params).rowcount == 1


def set_state(app: Recruitment, aggregate_id, version: int, state: bytes) -> None:
    execute(app, "UPDATE {events} SET state = %s "
                 "WHERE originator_id = %s AND originator_version = %s",
            (state, key(app, aggregate_id), version))


def state_of(app: Recruitment, aggregate_id, version: int) -> bytes:
    return bytes(rows(app, aggregate_id)[version - 1]["state"])


def cli(settings, *args: str):
    env = {"DATABASE_URL": settings.database_url, "HIRELOG_ID_KEY": settings.id_key}
    return CliRunner().invoke(main, list(args), env=env)


def exported(settings, tmp_path) -> str:
    path = str(tmp_path / "kept-by-the-auditor.jsonl")
    result = cli(settings, "audit", "export", "--out", path)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600  # candidates' personal data
    return path


def events_table(app: Recruitment, statement: str) -> str:
    return statement.replace("{events}",
                             "{schema}." + app.recorder.events_table_name.split(".")[-1])

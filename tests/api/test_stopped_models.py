"""Issue 10, section 1 (defence in depth): an event a read model cannot apply stops that model
only, at that event; the failure is visible (/readyz, `projections status`, reads that wait
for it, the log); and the model goes on by itself once the cause is fixed.

The poison is real: a position opened with a headcount of 10^20, as a log written before
hirelog bounded its values may hold (recorded here past the domain's checks), which
PostgreSQL's INTEGER column and SQLite's 64-bit integers both refuse. Recovery is shown with
a read model of the test's own whose fault the test can fix (a fake we own).
"""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID, uuid4

import pytest
from click.testing import CliRunner
from eventsourcing.utils import register_topic
from flask import Flask

from cli.main import main
from domain.application import Recruitment
from domain.base import Stamp
from domain.client import Client
from domain.position import Position
from domain.values import Skill
from hirelog.settings import Settings
from projections import catalog, failures
from projections.projector import Projector
from projections.readmodel import ReadModel
from projections.registry import MODELS
from storage.tables import Cursor
from tests.apiclient import World, assert_problem
from tests.fakes import RECRUITER, FakeClock
from tests.readmodels import project_all

BASE = "/api/v1"


def open_poisoned_position(app: Recruitment, client_id: Any, clock: FakeClock) -> int:
    """A position whose headcount no read model column can hold; its log position."""
    position = Position.start(
        Position.Opened, Stamp(clock(), RECRUITER), id=uuid4(), client_id=client_id,
        title="Poisoned", headcount=10**20, skills=[Skill("python", 3)],
        assessment_name="Take-home", assessment_minutes=60)
    return app.save(position)[-1].notification.id


def live(app: Recruitment) -> dict[str, int]:
    with app.tables.transaction(commit=False) as cursor:
        return {m.name: catalog.active(cursor, m.name)[1] for m in MODELS}


def stopped(app: Recruitment) -> dict[tuple[str, int], failures.Failure]:
    with app.tables.transaction(commit=False) as cursor:
        return failures.current(cursor)


def make_due(app: Recruitment) -> None:
    with app.tables.transaction() as cursor:
        failures.retry_now(cursor)


def test_an_event_one_model_cannot_apply_stops_that_model_only(
        app: Flask, world: World, clock: FakeClock, settings: Settings,
        caplog: pytest.LogCaptureFixture) -> None:
    recruitment = app.extensions["hirelog"].recruitment
    poison = open_poisoned_position(recruitment, world.client_a_id, clock)
    after = world.recruiter.post(f"{BASE}/candidates", {
        "position_id": world.position_a, "name": "Zoe", "email": "zoe@example.com",
        "source": "referral"}).get_json()["position"]
    with caplog.at_level(logging.ERROR, logger="hirelog.projector"):
        project_all(recruitment)
    head = recruitment.recorder.max_notification_id()
    positions = live(recruitment)
    assert positions["candidates"] == poison - 1  # stopped just before the poison
    assert {name: p for name, p in positions.items() if name != "candidates"} == {
        m.name: head for m in MODELS if m.name != "candidates"}  # the others went on
    (failure,) = stopped(recruitment).values()
    assert (failure.name, failure.position, failure.event_type) == ("candidates", poison,
                                                                      "Opened")
    assert failure.error in ("OverflowError: Python int too large to convert to SQLite INTEGER",
                             "DataError: integer out of range")
    assert f"read model candidates stopped at position {poison} (Opened)" in caplog.text

    # /readyz says so and is not ready; reads that need the model say why, at once
    ready = app.test_client().get("/readyz")
    problem = assert_problem(ready, 503)
    assert problem["projections"]["candidates"]["stopped"]["position"] == poison
    assert problem["projections"]["shortlist"]["lag"] == 0
    assert f"stopped at position {poison} (Opened)" in problem["detail"]
    waited = world.recruiter.get(f"{BASE}/candidates?min_position={after}")
    assert "stopped at position" in assert_problem(waited, 503)["detail"]
    funnel = world.recruiter.get(f"{BASE}/reports/funnel?min_position={after}")
    assert funnel.status_code == 200, funnel.get_json()  # another model: it went on

    # the command line names the event, its position and the error; exit status 1
    env = {"DATABASE_URL": settings.database_url, "HIRELOG_ID_KEY": settings.id_key or ""}
    shown = CliRunner().invoke(main, ["projections", "status"], env=env)
    assert shown.exit_code == 1, shown.output
    assert f"STOPPED at position {poison} (Opened): {failure.error}" in shown.output

    # the stopped model is retried after its pause, and stays stopped at the same event
    make_due(recruitment)
    project_all(recruitment)
    (again,) = stopped(recruitment).values()
    assert (again.position, again.attempts) == (poison, 2)
    assert again.next_attempt_at > again.last_failed_at

    # a rebuild cannot get past it either, and says where
    rebuilt = CliRunner().invoke(main, ["projections", "rebuild", "candidates"], env=env)
    assert rebuilt.exit_code == 1
    assert f"cannot apply the event at position {poison} (Opened)" in rebuilt.output


class Switch:
    broken = True


class FlakyModel(ReadModel):
    """Counts clients; cannot apply a client named "Poison" while the switch is broken."""

    name = "flaky"
    tables = {"clients": "id TEXT PRIMARY KEY, name TEXT NOT NULL"}

    def on_Registered(self, cursor: Cursor, event: Any, position: int) -> None:
        if Switch.broken and event.name == "Poison":
            raise ValueError("cannot apply this client yet")
        cursor.execute(f"INSERT INTO {self.table('clients')} (id, name) VALUES (%s, %s)",
                       (str(event.originator_id), event.name))


def test_a_stopped_model_goes_on_once_its_cause_is_fixed(app: Flask, world: World) -> None:
    recruitment = app.extensions["hirelog"].recruitment
    tables = recruitment.tables
    with tables.transaction() as cursor:
        for statement in FlakyModel(1).create_statements():
            cursor.execute(statement)
        catalog.register(cursor, "flaky", 1, active=True)
    projector = Projector(recruitment, [*MODELS, FlakyModel])
    poison = world.recruiter.post(f"{BASE}/clients", {"name": "Poison"}).get_json()["position"]
    world.recruiter.post(f"{BASE}/clients", {"name": "After"})
    Switch.broken = True
    try:
        while projector.run_once():
            pass
        failure = stopped(recruitment)[("flaky", 1)]
        assert failure.position == poison and "cannot apply this client yet" in failure.error
        assert projector.run_once() == 0  # waits out its pause: nothing is retried at once

        Switch.broken = False  # the fix
        make_due(recruitment)  # as `hirelog projections retry` does
        while projector.run_once():
            pass
    finally:
        Switch.broken = True
    assert stopped(recruitment) == {}
    head = recruitment.recorder.max_notification_id()
    with tables.transaction(commit=False) as cursor:
        assert catalog.active(cursor, "flaky") == (1, head)
        names = [r["name"] for r in cursor.execute(
            f"SELECT name FROM {FlakyModel(1).table('clients')}").all()]
    assert names.count("Poison") == 1 and "After" in names


def test_projections_retry_makes_stopped_models_due(app: Flask, world: World,
                                                    clock: FakeClock,
                                                    settings: Settings) -> None:
    recruitment = app.extensions["hirelog"].recruitment
    open_poisoned_position(recruitment, world.client_a_id, clock)
    project_all(recruitment)
    (failure,) = stopped(recruitment).values()
    env = {"DATABASE_URL": settings.database_url, "HIRELOG_ID_KEY": settings.id_key or ""}
    done = CliRunner().invoke(main, ["projections", "retry", "candidates"], env=env)
    assert done.exit_code == 0 and "1 stopped read model(s)" in done.output
    assert failures.is_due(stopped(recruitment)[("candidates", failure.generation)])
    unknown = CliRunner().invoke(main, ["projections", "retry", "nope"], env=env)
    assert unknown.exit_code == 1 and "no read model 'nope'" in unknown.output


def test_an_event_no_model_can_decode_stops_them_all_until_its_topic_is_registered(
        app: Flask, world: World) -> None:
    """A log written by an event class since renamed without register_topic: every model
    stops at the event (visibly), and registering the old topic, the documented fix, lets
    them all go on."""
    recruitment = app.extensions["hirelog"].recruitment
    project_all(recruitment)
    created = world.recruiter.post(f"{BASE}/clients", {"name": "Renamed"}).get_json()
    old_topic = f"hirelog_gone_{uuid4().hex}.events:Client.Registered"
    recorder = recruitment.recorder
    tables = recruitment.tables
    originator = UUID(created["id"])
    with tables.transaction() as cursor:
        cursor.execute(f"UPDATE {{schema}}.{recorder.events_table_name} SET topic = %s "
                       "WHERE originator_id = %s",
                       (old_topic, originator if tables.is_postgres else originator.hex))
    project_all(recruitment)
    stopped_now = stopped(recruitment)
    assert {name for name, _ in stopped_now} == {m.name for m in MODELS}
    assert all(f.position == created["position"] and f.event_type == "Registered"
               for f in stopped_now.values())
    assert_problem(app.test_client().get("/readyz"), 503)

    register_topic(old_topic, Client.Registered)  # the fix: the old name, registered
    make_due(recruitment)
    project_all(recruitment)
    assert stopped(recruitment) == {}
    assert set(live(recruitment).values()) == {recruitment.recorder.max_notification_id()}

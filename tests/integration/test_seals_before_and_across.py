"""Seals, continued (issue 6): a log older than seals verifies as "unsealed before sealing
began" and is still exported and imported; an unsealed event after sealing began is caught;
what only an export kept elsewhere shows (events of two aggregates swapped, an edit checked
for one aggregate) is caught by `verify --against`, which refuses a file that is no whole
export."""

from __future__ import annotations

from pathlib import Path

from eventsourcing.persistence import EventStore, Mapper

from audit.log_verify import verify_log
from audit.seals import split_seal
from hirelog.settings import Settings
from storage.event_store import StoredRecruitment, open_recruitment
from tests.databases import TEST_ID_KEY
from tests.fakes import by
from tests.hiring_steps import open_candidate
from tests.sealed_log import cli, execute, exported, history, set_state, state_of


class RecruitmentBeforeSeals(StoredRecruitment):
    """The application as it was before events were sealed (eventsourcing's plain store)."""

    name = "hirelog"  # the same tables

    def construct_mapper(self) -> Mapper:  # type: ignore[override]
        return Mapper(transcoder=self.construct_transcoder())

    def construct_event_store(self) -> EventStore:  # type: ignore[override]
        return EventStore(mapper=self.mapper, recorder=self.recorder)


def test_a_log_older_than_seals_verifies_exports_and_imports(settings, clock, tmp_path):
    opened = open_recruitment(settings)  # the tables, and eventsourcing's settings
    env = opened.env
    opened.close()
    before = RecruitmentBeforeSeals(env, id_key=TEST_ID_KEY.encode())
    try:
        _, position, ann = open_candidate(before)
        before.apply(ann.id, by())
    finally:
        before.close()
    app = open_recruitment(settings, clock=clock)
    try:
        app.withdraw(ann.id, by(), reason="took another job")  # sealed, chained from ""
        bo = app.contact_candidate(position_id=position.id, name="Bo Park", source="inbound",
                                   email="bo@example.com", caller=by())
        result = verify_log(app.recorder)
        assert result.ok, result.broken
        assert (result.events, result.unsealed, result.aggregates) == (6, 4, 4)
        checked = cli(settings, "audit", "verify")
        assert checked.exit_code == 0, checked.output
        assert "4 events were recorded before sealing began" in checked.output
        path = exported(settings, tmp_path)
        target = Settings(database_url=f"sqlite:///{tmp_path}/imported.sqlite",
                          id_key=TEST_ID_KEY)
        imported = cli(target, "audit", "import", path)
        assert imported.exit_code == 0, imported.output
        assert cli(target, "audit", "verify").exit_code == 0

        # once sealing began, an event without a seal is a broken link
        sealed = state_of(app, bo.id, 1)
        set_state(app, bo.id, 1, split_seal(sealed)[0])
        broken = verify_log(app.recorder).broken
        assert [(link.aggregate_id, link.version, link.problem) for link in broken] == [
            (bo.id, 1, "the event carries no seal")]
    finally:
        app.close()


def test_two_events_of_different_aggregates_swapped_are_caught_against_an_export(
        app, settings, clock, tmp_path):
    history(app, clock)
    path = exported(settings, tmp_path)
    # swap the log positions of the first two events (the client's and the position's
    # first): each aggregate's chain is intact, the log's order is not
    position = "notification_id" if app.tables.is_postgres else "rowid"
    for old, new in ((1, -1), (2, 1), (-1, 2)):
        execute(app, f"UPDATE {{events}} SET {position} = %s WHERE {position} = %s", (new, old))
    assert [n.topic for n in app.recorder.select_notifications(start=1, limit=2)] == [
        "domain.position:Position.Opened", "domain.client:Client.Registered"]
    assert cli(settings, "audit", "verify").exit_code == 0  # each chain alone is intact
    result = cli(settings, "audit", "verify", "--against", path)
    assert result.exit_code == 1
    assert result.output.count("CHANGED position") == 2


def test_an_edit_is_caught_against_an_export_also_for_one_aggregate(app, settings, clock,
                                                                     tmp_path):
    client, _, ann, _ = history(app, clock)
    path = exported(settings, tmp_path)
    edited = state_of(app, ann, 2).replace(b'"tok-rita"', b'"tok-evil"', 1)
    set_state(app, ann, 2, edited)
    result = cli(settings, "audit", "verify", "--aggregate-id", str(client.id),
                 "--against", path)
    assert result.exit_code == 1
    assert f"of {ann} version 2" in result.output
    assert "its stored bytes differ from the exported ones" in result.output


def test_against_refuses_a_file_that_is_no_whole_export(app, settings, clock, tmp_path):
    history(app, clock)
    whole = exported(settings, tmp_path)
    lines = Path(whole).read_bytes().splitlines(keepends=True)
    cases = {"empty.jsonl": b"{}\n", "cut.jsonl": b"".join(lines[:-1]),
             "short.jsonl": b"".join(lines[:3] + lines[4:])}
    for name, content in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        result = cli(settings, "audit", "verify", "--against", str(path))
        assert result.exit_code == 1, name
        assert result.output.startswith("Error: ") and result.output.count("\n") == 1, name

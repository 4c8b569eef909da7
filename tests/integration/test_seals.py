"""Tamper evidence (issue 6): every stored event is sealed into its aggregate's chain, and
verification finds an edited, deleted or reordered event in the real store (SQLite file and
PostgreSQL), through the library, the command line and the API."""

from __future__ import annotations

import json

from click.testing import CliRunner

from audit.log_verify import verify_aggregate, verify_log
from audit.seals import add_seal, compute_seal, split_seal
from cli.main import main
from domain.application import Recruitment
from domain.scope import AGENCY
from storage.event_store import open_recruitment
from tests.fakes import by
from tests.sealed_log import execute, history, key, rows, set_state, state_of


def only_break(app: Recruitment):
    result = verify_log(app.recorder)
    assert not result.ok
    assert len(result.broken) == 1, result.broken
    return result.broken[0]


def test_an_untouched_log_verifies(app, clock):
    _, _, ann, _ = history(app, clock)
    result = verify_log(app.recorder)
    assert result.ok and result.broken == []
    assert (result.events, result.aggregates) == (11, 4)
    assert result.last_position == app.recorder.max_notification_id()
    assert verify_aggregate(app.recorder, ann).ok
    # each event's seal is the chain over the previous one and its exact stored bytes
    previous = ""
    for row in rows(app, ann):
        unsealed, seal = split_seal(bytes(row["state"]))
        assert seal == compute_seal(previous, ann, row["originator_version"], row["topic"],
                                    unsealed)
        previous = seal
    assert app.history(ann, AGENCY)[-1].seal == previous


def test_edited_data_is_caught_at_that_event(app, clock):
    _, _, ann, _ = history(app, clock)
    state = state_of(app, ann, 1)
    assert b'"Ann Lee"' in state
    set_state(app, ann, 1, state.replace(b'"Ann Lee"', b'"Ann Lea"'))
    link = only_break(app)
    assert (link.aggregate_id, link.version, link.aggregate_type) == (ann, 1, "candidate")
    assert "does not match" in link.problem
    assert link.found == split_seal(state)[1] and link.expected != link.found


def test_edited_metadata_and_type_are_caught(app, clock):
    _, _, ann, bo = history(app, clock)
    state = state_of(app, ann, 3)
    set_state(app, ann, 3, state.replace(b'"tok-rita"', b'"tok-ezra"', 1))
    execute(app, "UPDATE {events} SET topic = %s "
                 "WHERE originator_id = %s AND originator_version = 2",
            ("domain.candidate:Candidate.Withdrawn", key(app, bo)))
    result = verify_log(app.recorder)
    assert {link.aggregate_id: link.version for link in result.broken} == {ann: 3, bo: 2}
    assert result.aggregates == 4  # a broken aggregate is counted once


def test_a_resealed_edit_is_caught_at_the_next_event(app, clock):
    """A forger who edits an event and seals it again breaks the link to the next one."""
    _, _, ann, _ = history(app, clock)
    unsealed, _ = split_seal(state_of(app, ann, 4))
    previous = split_seal(state_of(app, ann, 3))[1]
    forged = unsealed.replace(b'"python":"yes"', b'"python":"strong_yes"')
    assert forged != unsealed
    topic = rows(app, ann)[3]["topic"]
    set_state(app, ann, 4, add_seal(forged, compute_seal(previous, ann, 4, topic, forged)))
    link = only_break(app)
    assert (link.aggregate_id, link.version) == (ann, 5)


def test_a_deleted_event_is_caught(app, clock):
    _, _, ann, _ = history(app, clock)
    execute(app, "DELETE FROM {events} WHERE originator_id = %s "
                 "AND originator_version = 3", (key(app, ann),))
    link = only_break(app)
    assert (link.aggregate_id, link.version) == (ann, 4)
    assert "missing" in link.problem
    assert (link.expected, link.found) == ("version 3", "version 4")


def test_two_reordered_events_are_caught(app, clock):
    _, _, ann, _ = history(app, clock)
    # swap the versions of events 2 and 3 (through a free version number)
    for old, new in ((2, 1000), (3, 2), (1000, 3)):
        execute(app, "UPDATE {events} SET originator_version = %s "
                     "WHERE originator_id = %s AND originator_version = %s",
                (new, key(app, ann), old))
    link = only_break(app)
    assert (link.aggregate_id, link.version) == (ann, 3)
    assert (link.expected, link.found) == ("version 2", "version 3")


def test_two_swapped_states_are_caught(app, clock):
    _, _, ann, _ = history(app, clock)
    second, third = state_of(app, ann, 2), state_of(app, ann, 3)
    set_state(app, ann, 2, third)
    set_state(app, ann, 3, second)
    assert only_break(app).version == 2


def test_saving_after_reopening_continues_the_chain(settings, clock):
    """A new process (nothing remembered) reads the previous seal from the store."""
    first = open_recruitment(settings, clock=clock)
    try:
        _, _, ann, bo = history(first, clock)
    finally:
        first.close()
    second = open_recruitment(settings, clock=clock)
    try:
        second.events.put([_pending_withdrawal(second, bo)])
        clock.advance(days=1)
        second.withdraw(ann, by(), reason="moved abroad")
        assert verify_log(second.recorder).ok
    finally:
        second.close()


def _pending_withdrawal(app: Recruitment, candidate_id):
    """The next event of a candidate, triggered on an aggregate this store did not read."""
    candidate = app.repository.get(candidate_id)
    app.mapper._heads.clear()  # forget what reading it taught the mapper
    candidate.withdraw(by=app._stamp(by()), reason="took another job")
    return candidate.collect_events()[0]


def test_cli_and_api_report_the_broken_link(settings, clock):
    from api import create_app

    app = open_recruitment(settings, clock=clock)
    try:
        _, _, ann, _ = history(app, clock)
        env = {"DATABASE_URL": settings.database_url, "HIRELOG_ID_KEY": settings.id_key}
        runner = CliRunner()
        ok = runner.invoke(main, ["audit", "verify"], env=env)
        assert ok.exit_code == 0, ok.output
        assert "11 events of 4 aggregates checked: ok" in ok.output

        state = state_of(app, ann, 2)
        set_state(app, ann, 2, state.replace(b"}", b' }', 1))  # one byte, same JSON
        failed = runner.invoke(main, ["audit", "verify"], env=env)
        assert failed.exit_code == 1
        assert f"BROKEN candidate {ann} version 2" in failed.output
        report = json.loads(runner.invoke(main, ["audit", "verify", "--json"], env=env).stdout)
        assert report["ok"] is False and report["broken"][0]["version"] == 2
        one = runner.invoke(main, ["audit", "verify", "--aggregate-id", str(ann)], env=env)
        assert one.exit_code == 1 and "1 broken" in one.output
    finally:
        app.close()

    flask_app = create_app(settings, clock=clock)
    try:
        tokens = flask_app.extensions["hirelog"].tokens
        auditor = tokens.create(name="Aude Auditor", role="auditor")[1]
        recruiter = tokens.create(name="Rita", role="recruiter")[1]
        http = flask_app.test_client()
        answer = http.get("/api/v1/audit/verify",
                          headers={"Authorization": f"Bearer {auditor}"})
        assert answer.status_code == 200
        assert answer.json["ok"] is False
        assert answer.json["broken"] == [{
            "aggregate_id": str(ann), "aggregate_type": "candidate", "version": 2,
            "position": answer.json["broken"][0]["position"],
            "problem": report["broken"][0]["problem"],
            "expected": report["broken"][0]["expected"],
            "found": report["broken"][0]["found"]}]
        denied = http.get("/api/v1/audit/verify",
                          headers={"Authorization": f"Bearer {recruiter}"})
        assert denied.status_code == 403
        assert denied.mimetype == "application/problem+json"
    finally:
        flask_app.extensions["hirelog"].close()

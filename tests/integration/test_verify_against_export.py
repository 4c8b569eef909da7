"""What a seal chain cannot show by itself, an export kept outside the database does: the
latest events of an aggregate deleted, or a chain rewritten (resealed) from an edit on.
`hirelog audit verify --against FILE` finds both (issue 6, tamper evidence)."""

from __future__ import annotations

from audit.seals import add_seal, compute_seal, split_seal
from tests.fakes import by
from tests.sealed_log import cli, execute, exported, history, key, rows, set_state


def test_an_unchanged_log_matches_its_export_also_after_new_events(app, settings, clock,
                                                                    tmp_path):
    _, _, ann, _ = history(app, clock)
    path = exported(settings, tmp_path)
    app.withdraw(ann, by(), reason="took another job")  # the log goes on after the export
    result = cli(settings, "audit", "verify", "--against", path)
    assert result.exit_code == 0, result.output
    assert "11 events of the export still in the log, unchanged" in result.output


def test_deleted_latest_events_are_caught_by_the_export(app, settings, clock, tmp_path):
    _, _, _, bo = history(app, clock)
    path = exported(settings, tmp_path)
    execute(app, "DELETE FROM {events} WHERE originator_id = %s AND originator_version = 2",
            (key(app, bo),))
    assert cli(settings, "audit", "verify").exit_code == 0  # the chain alone cannot tell
    result = cli(settings, "audit", "verify", "--against", path)
    assert result.exit_code == 1
    assert f"of {bo} version 2" in result.output
    assert "the event is gone from the log" in result.output


def test_a_rewritten_chain_is_caught_by_the_export(app, settings, clock, tmp_path):
    _, _, ann, _ = history(app, clock)
    path = exported(settings, tmp_path)
    previous = ""
    for row in rows(app, ann):  # the forger edits version 2 and reseals every event
        unsealed, _ = split_seal(bytes(row["state"]))
        if row["originator_version"] == 2:
            unsealed = unsealed.replace(b'"request_id":null', b'"request_id":"forged"')
        previous = compute_seal(previous, ann, row["originator_version"], row["topic"],
                                unsealed)
        set_state(app, ann, row["originator_version"], add_seal(unsealed, previous))
    assert cli(settings, "audit", "verify").exit_code == 0
    result = cli(settings, "audit", "verify", "--against", path)
    assert result.exit_code == 1
    changed = [line for line in result.output.splitlines() if line.startswith("CHANGED")]
    assert len(changed) == len(rows(app, ann)) - 1  # version 1 is as it was
    assert f"of {ann} version 2" in changed[0]


def test_a_file_that_is_no_export_is_a_one_line_error(app, settings, clock, tmp_path):
    history(app, clock)
    path = tmp_path / "notes.txt"
    path.write_text("not json\n")
    result = cli(settings, "audit", "verify", "--against", str(path))
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and result.output.count("\n") == 1

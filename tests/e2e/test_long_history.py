"""A long history (issue 6): tens of thousands of events from the demo generator are exported,
imported into an empty database and verified there, and the read models rebuilt on the import
equal the original's; exporting keeps memory flat."""

from __future__ import annotations

import io
import json
import tracemalloc

import pytest
from click.testing import CliRunner

from audit.log_export import export_log
from audit.log_verify import notifications, verify_log
from cli.main import main
from hirelog.settings import Settings
from storage.event_store import open_recruitment
from tests.databases import TEST_ID_KEY
from tests.history import load_history
from tests.readmodels import dump, project_all

CANDIDATES = 3200  # about 21,000 events


class Discard(io.RawIOBase):
    """A binary file that only counts what is written (the export's own memory is measured)."""

    def __init__(self) -> None:
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.size += len(data)
        return len(data)


def export_peak(recorder, upto: int) -> tuple[int, int]:
    """(peak bytes allocated while exporting the log up to `upto`, bytes written)."""
    out = Discard()
    tracemalloc.start()
    try:
        export_log(recorder, out, upto=upto)
        return tracemalloc.get_traced_memory()[1], out.size
    finally:
        tracemalloc.stop()


def rows(recorder) -> list[tuple]:
    return [(n.id, str(n.originator_id).replace("-", ""), n.originator_version, n.topic,
             bytes(n.state)) for n in notifications(recorder)]


@pytest.mark.slow
def test_export_import_verify_and_rebuild_a_long_history(tmp_path):
    source_settings = Settings(database_url=f"sqlite:///{tmp_path}/source.sqlite",
                               id_key=TEST_ID_KEY)
    target_settings = Settings(database_url=f"sqlite:///{tmp_path}/target.sqlite",
                               id_key=TEST_ID_KEY)
    source = open_recruitment(source_settings)
    try:
        summary = load_history(source, seed=11, candidates=CANDIDATES)  # fast: one import
        head = source.recorder.max_notification_id()
        assert summary.events == head >= 20_000
        assert verify_log(source.recorder).ok

        # memory: exporting ten times the events needs about the same memory
        small_peak, small_size = export_peak(source.recorder, upto=head // 10)
        full_peak, full_size = export_peak(source.recorder, upto=head)
        assert full_size > 8 * small_size
        assert full_peak < 1.5 * small_peak + 512 * 1024, (small_peak, full_peak)
        assert full_peak < full_size / 10, (full_peak, full_size)

        project_all(source)
        original_models = dump(source)
        original_rows = rows(source.recorder)
    finally:
        source.close()

    runner = CliRunner()
    source_env = {"DATABASE_URL": source_settings.database_url, "HIRELOG_ID_KEY": TEST_ID_KEY}
    target_env = {"DATABASE_URL": target_settings.database_url, "HIRELOG_ID_KEY": TEST_ID_KEY}
    export_file = tmp_path / "log.jsonl"
    exported = runner.invoke(main, ["audit", "export", "--out", str(export_file)],
                             env=source_env)
    assert exported.exit_code == 0, exported.output
    lines = export_file.read_bytes().splitlines()
    events = [json.loads(line) for line in lines[1:-1]]
    assert len(events) == head and all(len(e["seal"]) == 64 for e in events)

    imported = runner.invoke(main, ["audit", "import", str(export_file)], env=target_env)
    assert imported.exit_code == 0, imported.output
    verified = runner.invoke(main, ["audit", "verify"], env=target_env)
    assert verified.exit_code == 0, verified.output
    assert f"{head} events of" in verified.output and "checked: ok" in verified.output

    target = open_recruitment(target_settings)
    try:
        assert rows(target.recorder) == original_rows
        project_all(target)
        assert dump(target) == original_models
    finally:
        target.close()
    replayed = runner.invoke(main, ["replay", "--verify"], env=target_env)
    assert replayed.exit_code == 0, replayed.output

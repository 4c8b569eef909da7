"""`hirelog summary` on a demo history: its figures say what they count (issue 12 §5: the
count of candidates owed a notice was labelled as candidates owed the client's decision)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

from click.testing import CliRunner

from cli.main import main
from domain.scope import AGENCY
from hirelog.settings import Settings
from projections.candidates_queries import notices_due
from projections.reads import ReadSide
from storage.event_store import open_recruitment
from tests.databases import TEST_ID_KEY
from tests.history import load_history
from tests.readmodels import project_all


def test_the_summary_counts_candidates_per_stage_and_those_owed_a_notice(tmp_path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path}/demo.sqlite", id_key=TEST_ID_KEY)
    app = open_recruitment(settings)
    try:
        summary = load_history(app, candidates=60)
        project_all(app)
        with ReadSide(app.tables).view("candidates", AGENCY) as view:
            owed = len(notices_due(view, datetime.now(UTC)))
            stages = Counter(row["stage"] for row in view.cursor.execute(
                f"SELECT stage FROM {view.table('candidates')}").all())
    finally:
        app.close()
    assert owed > 0, "the demo leaves some candidates untold"
    result = CliRunner().invoke(main, ["summary"], env={
        "DATABASE_URL": settings.database_url, "HIRELOG_ID_KEY": TEST_ID_KEY})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"{summary.events} events" in lines[0]
    assert f"candidates: {sum(stages.values())}" in lines[1]
    listed = {m[1]: int(m[2]) for line in lines if (m := re.match(r"^  (\w+)\s+(\d+)$", line))}
    assert listed == dict(stages)
    assert lines[-1] == f"candidates not yet told the outcome (a notice is owed): {owed}"
    assert "decision" not in result.output

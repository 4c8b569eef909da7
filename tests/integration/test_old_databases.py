"""A database and an export written before hirelog's modules moved into cli/, audit/,
storage/, demo/ and projections/kafka/ (tests/data/before-relayout.*, made by `hirelog demo
--seed 3 --candidates 25` and `hirelog audit export` at commit 4e7bce2) still open, verify,
load and project, and the export still imports: every stored topic names a domain class,
and none of them moved."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

from audit.log_import import import_log
from audit.log_verify import notifications, verify_log
from domain.scope import AGENCY
from hirelog import bootstrap
from hirelog.settings import Settings
from projections.candidates_queries import candidate_page
from projections.reads import ReadSide
from tests.readmodels import project_all

DATA = Path(__file__).parents[1] / "data"
ID_KEY = "old-layout-test-key"
EVENTS, AGGREGATES = 183, 37


def test_an_old_database_opens_verifies_loads_and_projects(tmp_path: Path) -> None:
    copy = tmp_path / "old.sqlite"
    shutil.copy(DATA / "before-relayout.sqlite", copy)
    app = bootstrap.event_store(Settings(database_url=f"sqlite:///{copy}", id_key=ID_KEY))
    try:
        verification = verify_log(app.recorder)
        assert verification.ok and verification.events == EVENTS
        assert verification.aggregates == AGGREGATES and verification.unsealed == 0
        topics = Counter(n.topic.partition(":")[0] for n in notifications(app.recorder))
        assert set(topics) == {"domain.client", "domain.position", "domain.candidate"}
        loaded = {n.originator_id: app.repository.get(n.originator_id)
                  for n in notifications(app.recorder)}
        assert len(loaded) == AGGREGATES
        candidates = [a for a in loaded.values() if type(a).__name__ == "Candidate"]
        assert len(candidates) == 25
        # Recommended version 1 (the summary only), upcast: each recommended candidate was
        # presented then, with what the events before it say (as the shortlist showed it)
        recommended = 0
        for candidate in candidates:
            events = list(app.events.get(candidate.id))
            for event in events:
                if type(event).__name__ == "Recommended":
                    recommended += 1
                    [shown] = candidate.presentations
                    before = app.repository.get(candidate.id,
                                                version=event.originator_version - 1)
                    assert (shown.at, shown.summary) == (event.timestamp, event.summary)
                    assert (shown.name, shown.score, dict(shown.grades), shown.skills) == (
                        before.name, before.score, before.grades, before.rubric)
            if not any(type(e).__name__ == "Recommended" for e in events):
                assert candidate.presentations == ()
        assert recommended >= 5
        project_all(app)
        assert set(ReadSide(app.tables).positions().values()) == {EVENTS}
        with ReadSide(app.tables).view("candidates", AGENCY) as view:
            page = candidate_page(view, app.clock(), limit=100)
        assert {item["id"] for item in page["items"]} == {str(c.id) for c in candidates}
        assert {item["stage"] for item in page["items"]} == {c.stage for c in candidates}
    finally:
        app.close()


def test_an_old_export_imports_into_either_store(settings: Settings) -> None:
    app = bootstrap.event_store(Settings(database_url=settings.database_url, id_key=ID_KEY))
    try:
        # the application's name gives the PostgreSQL table of every existing database
        assert app.name == "hirelog"
        assert app.tables.events_table.split(".")[-1] in ("hirelog_events", "stored_events")
        with (DATA / "before-relayout.jsonl").open("rb") as export:
            assert import_log(app, export) == EVENTS
        verification = verify_log(app.recorder)
        assert verification.ok and verification.events == EVENTS
        project_all(app)
        assert set(ReadSide(app.tables).positions().values()) == {EVENTS}
    finally:
        app.close()

"""A fast loader for scenario tests that need a long history.

`load_history(app, seed=, candidates=)` gives the database of `app` exactly the log that
`demo.history.load_demo` would record there (the same events, ids, times, stored bytes and
seals), in one transaction: the demo is run once per test process and (seed, candidates)
through the application on an in-memory SQLite database, exported with `hirelog audit
export`'s code, and imported with `hirelog audit import`'s (which checks every line, chain and
the closing digest). Loading 600 candidates (about 3,900 events) command by command takes 8 s
on SQLite and about 20 s on PostgreSQL; importing them takes well under a second. The
generating application keeps its aggregates in eventsourcing's aggregate cache (each command
then reads its aggregate from memory instead of decoding every earlier event again); that
changes no event: tests/integration/test_history_loader.py compares the bytes with load_demo.

Tests of the demo loader itself, and of export and import, call load_demo.
"""

from __future__ import annotations

import io
import threading

from audit.log_export import export_log
from audit.log_import import import_log
from demo.history import DemoSummary, load_demo
from domain.application import Recruitment
from hirelog.settings import Settings
from storage.event_store import StoredRecruitment, create_tables, eventsourcing_env
from tests.databases import TEST_ID_KEY

_EXPORTS: dict[tuple[int, int], tuple[bytes, DemoSummary]] = {}
_MAKING = threading.Lock()


def load_history(app: Recruitment, *, seed: int = 7, candidates: int = 300) -> DemoSummary:
    """What load_demo(app, seed=seed, candidates=candidates) records, imported at once into
    the (empty) database of `app`, whose HIRELOG_ID_KEY must be the tests' one."""
    export, summary = _export(seed, candidates)
    imported = import_log(app, io.BytesIO(export))
    assert imported == summary.events
    return summary


def _export(seed: int, candidates: int) -> tuple[bytes, DemoSummary]:
    with _MAKING:
        if (seed, candidates) not in _EXPORTS:
            maker = _maker()
            try:
                summary = load_demo(maker, seed=seed, candidates=candidates)
                out = io.BytesIO()
                export_log(maker.recorder, out)
            finally:
                maker.close()
            _EXPORTS[seed, candidates] = out.getvalue(), summary
        return _EXPORTS[seed, candidates]


def _maker() -> StoredRecruitment:
    """An application on in-memory SQLite with an aggregate cache (one writer: no
    fast-forward; the cached aggregates themselves handed out, not copies: the demo makes no
    refused command, and one would end the whole generation, so none can leave a cached
    aggregate half changed. Copying was 40% of the time)."""
    settings = Settings(database_url="sqlite:///:memory:", id_key=TEST_ID_KEY)
    env = {**eventsourcing_env(settings, create_table=True),
           "AGGREGATE_CACHE_MAXSIZE": "1000000", "AGGREGATE_CACHE_FASTFORWARD": "n",
           "DEEPCOPY_FROM_AGGREGATE_CACHE": "n"}
    maker = StoredRecruitment(env, id_key=TEST_ID_KEY.encode())
    create_tables(maker)
    return maker

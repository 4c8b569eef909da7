"""The tests' fast loader of long histories (tests/history.py) records exactly what the demo
loader records through the application: the same positions, ids, versions, types, stored
bytes and seals, on both stores."""

from __future__ import annotations

from audit.log_verify import notifications, verify_log
from demo.history import load_demo
from domain.application import Recruitment
from hirelog.settings import Settings
from storage.event_store import open_recruitment
from tests.databases import TEST_ID_KEY
from tests.fakes import ADMIN, by
from tests.history import load_history


def stored(app: Recruitment) -> list[tuple[int, str, int, str, bytes]]:
    return [(n.id, str(n.originator_id).replace("-", ""), n.originator_version, n.topic,
             bytes(n.state)) for n in notifications(app.recorder)]


def test_load_history_writes_what_load_demo_writes(app: Recruitment) -> None:
    summary = load_history(app, seed=5, candidates=40)
    reference = open_recruitment(Settings(database_url="sqlite:///:memory:", id_key=TEST_ID_KEY))
    try:
        assert load_demo(reference, seed=5, candidates=40) == summary
        assert stored(app) == stored(reference)
    finally:
        reference.close()
    assert verify_log(app.recorder).ok
    # and the application goes on from there: the next event follows the imported ones
    receipt = app.register_client("After the import", by(ADMIN))
    assert receipt.position == summary.events + 1

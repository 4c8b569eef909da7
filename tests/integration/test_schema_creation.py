"""Processes that start at once on one PostgreSQL database must not race on CREATE TABLE."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.postgres

OPEN_AND_WRITE = """
import sys
from hirelog.settings import Settings
from storage.event_store import open_recruitment
from domain.application import Caller
from domain.values import Actor
app = open_recruitment(Settings(sys.argv[1], id_key="k"))
app.register_client("Client of process " + sys.argv[2], Caller(Actor("p", "p", "system")))
app.close()
"""


@pytest.mark.slow
def test_many_processes_starting_together_on_a_fresh_schema_all_succeed(fresh_postgres_settings):
    url = fresh_postgres_settings.database_url
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    processes = [subprocess.Popen([sys.executable, "-c", OPEN_AND_WRITE, url, str(n)],
                                  env=env, stderr=subprocess.PIPE, text=True)
                 for n in range(12)]
    outcomes = [(p.wait(timeout=120), p.communicate()[1]) for p in processes]
    assert [err for code, err in outcomes if code != 0] == []

    from storage.event_store import open_recruitment
    app = open_recruitment(fresh_postgres_settings)
    try:
        assert len(app.recorder.select_notifications(start=1, limit=100)) == 12
    finally:
        app.close()

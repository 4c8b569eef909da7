"""A real `hirelog serve` process on a free port, spoken to over real HTTP."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hirelog.settings import Settings
from tests.servers import (
    Server,
    start_server,
)


@pytest.fixture
def server(settings: Settings, tmp_path: Path) -> Iterator[Server]:
    running = start_server(settings, tmp_path / "server.log")
    yield running
    running.process.terminate()
    try:
        running.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait()

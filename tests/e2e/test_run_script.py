"""`./scripts/run.sh` with a port it cannot listen on stops at once, naming the port and how to
choose another, before installing or loading anything (issue 12 §5)."""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

RUN = Path(__file__).resolve().parents[2] / "scripts" / "run.sh"


def run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    database = tmp_path / "var" / "hirelog.sqlite"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", **env}
    environment.pop("VIRTUAL_ENV", None)
    done = subprocess.run([str(RUN)], env=environment, capture_output=True, text=True,
                          timeout=30, check=False)
    assert not database.parent.exists(), "something was loaded"
    return done


def test_a_taken_port_stops_run_sh_before_anything_is_loaded(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run(tmp_path, PORT=str(port))
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip() == (
        f"cannot listen on 127.0.0.1:{port} (taken, or not an address of this machine): stop "
        "what uses it, or choose another, e.g. PORT=8001 ./scripts/run.sh")


@pytest.mark.parametrize("port", ["http", "80a", "65536"])
def test_a_port_that_is_no_number_stops_run_sh(tmp_path: Path, port: str) -> None:
    done = run(tmp_path, PORT=port)
    assert done.returncode == 1
    assert done.stderr.strip() == f"PORT must be a port number (0-65535), not '{port}'"

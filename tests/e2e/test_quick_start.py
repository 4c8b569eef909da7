"""The README's run command works from a fresh copy of the repository on a machine with only
Python: it creates .venv, installs hirelog, loads the demo data on SQLite once, prints a summary
and serves the API, which answers with a token made by `hirelog token create`."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.servers import free_port

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def fresh_copy(target: Path) -> Path:
    """What a clone would hold: tracked files and new files git does not ignore (no .venv)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=REPO, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def clean_env(port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "VIRTUAL_ENV", "HIRELOG_ID_KEY", "PYTHONPATH",
                        "HIRELOG_BOOTSTRAP_ADMIN_TOKEN"}}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if ".venv" not in p)
    env["PORT"] = str(port)
    return env


def run_until_ready(clone: Path, port: int, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        process = subprocess.Popen(["./scripts/run.sh"], cwd=clone, env=clean_env(port),
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 900  # the first run installs everything
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"run.sh exited {process.returncode}: {log.read_text()[-3000:]}")
        try:
            if requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).ok:
                return process
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    stop(process)
    raise AssertionError(f"not ready in time: {log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_the_run_command_from_a_fresh_copy(tmp_path):
    clone = fresh_copy(tmp_path / "hirelog")
    readme = (clone / "README.md").read_text()
    assert "./scripts/run.sh" in readme and "./scripts/test.sh" in readme
    port, log = free_port(), tmp_path / "first.log"

    process = run_until_ready(clone, port, log)
    try:
        output = log.read_text()
        counts = re.search(r"clients: (\d+)\s+positions: (\d+)\s+candidates: (\d+)", output)
        assert counts, output
        clients, positions, candidates = map(int, counts.groups())
        assert clients >= 3 and positions >= 8 and candidates == 300
        for stage in ("contacted", "abandoned", "recommended", "interviewed", "hired",
                      "withdrawn"):
            assert re.search(rf"^\s+{stage}\s+\d+$", output, re.M), (stage, output)
        events = int(re.search(r"sqlite:\S+: (\d+) events", output).group(1))
        assert requests.get(f"http://127.0.0.1:{port}/readyz").json()["log_head"] == events

        token = subprocess.run([".venv/bin/hirelog", "token", "create", "--role", "recruiter",
                                "--name", "newcomer"], cwd=clone, env=clean_env(port),
                               capture_output=True, text=True, check=True).stdout.strip()
        made = requests.post(f"http://127.0.0.1:{port}/api/v1/clients", json={"name": "New"},
                             headers={"Authorization": f"Bearer {token}"})
        assert made.status_code == 201, made.text
    finally:
        stop(process)
    assert (clone / "var" / "hirelog.sqlite").exists()

    again = run_until_ready(clone, port, tmp_path / "second.log")
    stop(again)
    second = (tmp_path / "second.log").read_text()
    assert "demo data already loaded" in second
    assert f": {events + 1} events" in second  # nothing loaded twice; +1 for the new client
    assert f"clients: {clients + 1}  positions: {positions}  candidates: 300" in second

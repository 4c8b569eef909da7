"""A real `hirelog serve` process on a free port, spoken to over real HTTP."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from hirelog.settings import Settings

HIRELOG = str(Path(sys.executable).parent / "hirelog")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    admin_token: str
    process: subprocess.Popen

    def api(self, token: str | None = None) -> HttpApi:
        return HttpApi(self.url, token or self.admin_token)


@dataclass
class HttpApi:
    url: str
    token: str

    def request(self, method: str, path: str, json: Any = None,
                headers: dict[str, str] | None = None) -> requests.Response:
        return requests.request(method, self.url + path, json=json, timeout=30,
                                headers={"Authorization": f"Bearer {self.token}",
                                         **(headers or {})})

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, json, **kwargs)

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)


def start_server(settings: Settings, log: Path) -> Server:
    port, token = free_port(), secrets.token_urlsafe(24)
    env = {**os.environ, "DATABASE_URL": settings.database_url,
           "HIRELOG_ID_KEY": settings.id_key or "e2e", "HIRELOG_BOOTSTRAP_ADMIN_TOKEN": token}
    with log.open("w") as out:
        process = subprocess.Popen([HIRELOG, "serve", "--port", str(port)], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"hirelog serve exited: {log.read_text()}")
        try:
            if requests.get(url + "/readyz", timeout=1).status_code == 200:
                return Server(url, token, process)
        except requests.RequestException:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"hirelog serve did not become ready: {log.read_text()}")


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

"""hirelog's processes in end-to-end tests: the server (hirelog serve, gunicorn) started on a
free port and waited for, spoken to over real HTTP, and stopped."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from hirelog.settings import Settings

HIRELOG = str(Path(sys.executable).parent / "hirelog")


GUNICORN = str(Path(sys.executable).parent / "gunicorn")


ROOT = Path(__file__).resolve().parents[1]


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


def wait_ready(url: str, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text()}")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the server did not become ready: {log.read_text()}")
        try:
            if requests.get(url + "/readyz", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)


def start_gunicorn(settings: Settings, log: Path, workers: int = 2,
                   env: dict[str, str] | None = None, port: int | None = None,
                   new_session: bool = False, admin_token: str | None = None) -> Server:
    """The documented production command, with the documented configuration (new_session:
    in a process group of its own, to be killed whole)."""
    port, token = port or free_port(), admin_token or secrets.token_urlsafe(24)
    environment = {**os.environ, "DATABASE_URL": settings.database_url,
                   "HIRELOG_ID_KEY": settings.id_key or "e2e",
                   "HIRELOG_BOOTSTRAP_ADMIN_TOKEN": token, **(env or {})}
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with log.open("a") as out:
        process = subprocess.Popen(
            [GUNICORN, "-c", "python:hirelog.gunicorn_config", "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "api:create_app()"], env=environment,
            stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=new_session)
    url = f"http://127.0.0.1:{port}"
    wait_ready(url, process, log)
    return Server(url, token, process)


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

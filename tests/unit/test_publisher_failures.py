"""Which publishing failures pass by themselves (the publisher shows as retrying) and which
fail the same event every time (the publisher is stopped there, /readyz is 503)."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import OperationalError
from kafka.errors import (
    KafkaConnectionError,
    KafkaTimeoutError,
    MessageSizeTooLargeError,
    NotLeaderForPartitionError,
    RequestTimedOutError,
    UnsupportedVersionError,
)

from projections.kafka.publisher import _passing


@pytest.mark.parametrize("error", [
    RequestTimedOutError(), KafkaTimeoutError(), KafkaConnectionError(),
    NotLeaderForPartitionError(), TimeoutError(), ConnectionRefusedError(),
    OperationalError("the database went away")])
def test_passing_faults(error: BaseException) -> None:
    assert _passing(error)



@pytest.mark.parametrize("error", [
    MessageSizeTooLargeError(), UnsupportedVersionError(), ValueError("a bug"),
    KeyError("topic")])
def test_faults_of_the_event_or_the_code(error: BaseException) -> None:
    assert not _passing(error)

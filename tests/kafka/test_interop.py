"""Interoperability: what the publisher (kafka-python) produced is read by a second, independent
Kafka client, confluent-kafka (librdkafka), once as a member of a consumer group and once with
partitions assigned by hand, and every message is validated: schema, headers, key, topic, per-key
order, exactly the event log, no personal data; both clients see the very same messages."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from domain.application import Recruitment
from hirelog.settings import Settings
from tests.fakes import FakeClock
from tests.kafka_messages import (
    Message,
    assert_exactly_the_log,
    assert_versions_in_order,
    check_all,
    event_log,
    hiring_flow,
    log_head,
    personal_data_in,
    publish_all,
    publisher_of,
    read_messages,
    topics_of,
)

confluent_kafka = pytest.importorskip("confluent_kafka")


def drain(consumer: Any, at_least: int, idle: float = 1.0, timeout: float = 40.0) -> list[Message]:
    """Poll a confluent-kafka consumer (enable.partition.eof) until it returned `at_least`
    messages and every assigned partition reported its end after its last message (or, as
    a fallback, nothing came for `idle` seconds). Messages as read, per partition in offset
    order."""
    messages: list[Message] = []
    at_end: set[tuple[str, int]] = set()
    deadline, last = time.monotonic() + timeout, time.monotonic()
    while time.monotonic() < deadline:
        record = consumer.poll(0.1)
        if record is None:
            if len(messages) >= at_least and time.monotonic() - last >= idle:
                break
            continue
        if record.error():
            if record.error().code() == confluent_kafka.KafkaError._PARTITION_EOF:
                at_end.add((record.topic(), record.partition()))
                assigned = {(p.topic, p.partition) for p in consumer.assignment()}
                if len(messages) >= at_least and assigned and assigned <= at_end:
                    break
                continue
            raise AssertionError(f"confluent-kafka: {record.error()}")
        at_end.discard((record.topic(), record.partition()))
        messages.append(Message(record.topic(), record.partition(), record.offset(),
                                record.key(), record.value(),
                                tuple((k, bytes(v)) for k, v in (record.headers() or []))))
        last = time.monotonic()
    return messages


def as_group_member(bootstrap: str, prefix: str) -> Any:
    consumer = confluent_kafka.Consumer({
        "bootstrap.servers": bootstrap, "group.id": f"interop-{prefix}",
        "client.id": "hirelog-interop-test", "auto.offset.reset": "earliest",
        "enable.auto.commit": False, "session.timeout.ms": 2000,
        "enable.partition.eof": True, "fetch.wait.max.ms": 50,
        "heartbeat.interval.ms": 1000, "max.poll.interval.ms": 3000})
    consumer.subscribe(topics_of(prefix))
    return consumer


def by_assignment(bootstrap: str, prefix: str) -> Any:
    consumer = confluent_kafka.Consumer({
        "bootstrap.servers": bootstrap, "group.id": f"unused-{prefix}",
        "client.id": "hirelog-interop-test", "enable.auto.commit": False,
        "enable.partition.eof": True, "fetch.wait.max.ms": 50})
    metadata = consumer.list_topics(timeout=10)
    partitions = [confluent_kafka.TopicPartition(topic, p, confluent_kafka.OFFSET_BEGINNING)
                  for topic in topics_of(prefix)
                  for p in sorted(metadata.topics[topic].partitions)]
    assert partitions
    consumer.assign(partitions)
    return consumer


@pytest.mark.parametrize("consumer_of", [as_group_member, by_assignment],
                         ids=["group", "assigned"])
@pytest.mark.slow
def test_confluent_kafka_reads_and_validates_every_message(
        app: Recruitment, clock: FakeClock, kafka_settings: Settings,
        consumer_of: Callable[[str, str], Any]) -> None:
    flow = hiring_flow(app, clock)
    log, head = event_log(app), log_head(app)
    with publisher_of(app, kafka_settings, batch_size=10) as publisher:
        assert publish_all(publisher) == head
    prefix, bootstrap = kafka_settings.kafka_topic_prefix, kafka_settings.kafka_bootstrap_servers

    consumer = consumer_of(bootstrap, prefix)
    try:
        messages = drain(consumer, at_least=head)
    finally:
        consumer.close()

    assert len(messages) == head, f"{len(messages)} messages read, {head} events published"
    events = check_all(messages, prefix)  # schema (with formats), topic, key, ce_id, ce_type
    assert all(isinstance(m.key, bytes) and isinstance(m.value, bytes) for m in messages)
    assert_exactly_the_log(messages, log, prefix)
    assert_versions_in_order(messages)
    assert len({e["id"] for e in events}) == head
    assert not personal_data_in(messages, flow.personal)
    # the independent client sees exactly what kafka-python sees, byte for byte
    seen_by_kafka_python = read_messages(bootstrap, prefix, at_least=head)
    assert sorted(messages, key=lambda m: (m.topic, m.partition, m.offset)) == \
        seen_by_kafka_python

"""`hirelog publish` and `hirelog consume`: the Kafka publisher and an example consumer."""

from __future__ import annotations

import json
import signal
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import click

from cli.support import metrics_options, one_line_errors, recruitment, serve_metrics
from hirelog.settings import Settings, SettingsError


def kafka_settings() -> Settings:
    settings = Settings.from_env()
    if not settings.kafka_bootstrap_servers:
        raise SettingsError("KAFKA_BOOTSTRAP_SERVERS is not set (host:port[,host:port])")
    return settings


@click.command()
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10_000))
@metrics_options(9102)
@one_line_errors
def publish(batch_size: int, metrics_host: str, metrics_port: int) -> None:
    """Publish every domain event to Kafka (at least once, in order per aggregate), until
    SIGTERM or Ctrl-C; resumes after the last acknowledged event. Its figures are on
    http://METRICS_HOST:METRICS_PORT/metrics."""
    from hirelog import bootstrap

    settings = kafka_settings()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with recruitment() as app:
        publisher = bootstrap.publisher(app, settings, batch_size=batch_size)
        click.echo(f"publishing to {settings.kafka_bootstrap_servers} "
                   f"({settings.kafka_topic_prefix}.*); {publisher.lag()} events waiting",
                   err=True)
        serve_metrics(app, metrics_host, metrics_port)
        try:
            publisher.run_forever(stop)
        except KeyboardInterrupt:
            stop.set()


@click.command()
@click.option("--group", required=True, help="Consumer group id.")
@click.option("--from-beginning", is_flag=True,
              help="Replay every topic from offset 0 (not from the group's committed offsets).")
@click.option("--max-messages", type=click.IntRange(1), help="Stop after this many events.")
@click.option("--idle-timeout", type=float,
              help="Stop after this many seconds without events (counted from joining the "
                   "group).")
@click.option("--max-poll-interval-ms", default=10_000, show_default=True, type=int,
              help="Also how long a group join can take on some brokers.")
@one_line_errors
def consume(group: str, from_beginning: bool, max_messages: int | None,
            idle_timeout: float | None, max_poll_interval_ms: int) -> None:
    """An example consumer: print hirelog's events, one JSON line each, skipping repeats of an
    event already seen (delivery is at least once: deduplicate by the CloudEvent `id`)."""
    from kafka import ConsumerRebalanceListener, KafkaConsumer

    from projections.kafka.cloudevents import AGGREGATES, topic_for

    settings = kafka_settings()
    joined: list[float] = []  # when the group assigned this consumer its partitions
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka_servers(), group_id=group,
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=True, session_timeout_ms=min(10_000, max_poll_interval_ms),
        heartbeat_interval_ms=1_000, max_poll_interval_ms=max_poll_interval_ms,
        consumer_timeout_ms=int(idle_timeout * 1000) if idle_timeout else float("inf"))

    class Rewind(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked: object) -> None:
            pass

        def on_partitions_assigned(self, assigned: list) -> None:
            joined.append(time.monotonic())
            if from_beginning and assigned:
                consumer.seek_to_beginning(*assigned)

    consumer.subscribe([topic_for(a, settings.kafka_topic_prefix) for a in AGGREGATES],
                       listener=Rewind())

    def messages() -> Iterator[Any]:
        """The consumer's messages, until --idle-timeout passed without one since the group
        assigned the partitions (joining a group is not idleness, and can take longer than
        the timeout); never assigned, it gives up --max-poll-interval-ms later."""
        started = time.monotonic()
        while True:
            yield from consumer  # ends after idle_timeout without a message (if set)
            since = joined[-1] if joined else started + max_poll_interval_ms / 1000
            if idle_timeout is None or time.monotonic() - since >= idle_timeout:
                return

    seen: OrderedDict[str, None] = OrderedDict()
    printed = 0
    try:
        for message in messages():
            event = json.loads(message.value)
            if event["id"] in seen:
                continue
            seen[event["id"]] = None
            if len(seen) > 1_000_000:
                seen.popitem(last=False)
            click.echo(json.dumps(event, sort_keys=True))
            printed += 1
            if max_messages and printed >= max_messages:
                break
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()

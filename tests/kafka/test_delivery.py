"""Delivery, at least once and never a gap, on SQLite and PostgreSQL:

- crash: a real `hirelog publish` process is killed (SIGKILL) twice while publishing thousands
  of demo events, and restarted until it caught up; everything it had acknowledged was on the
  broker when it died, and a consumer reading everything sees every event, each aggregate's in
  order, and, deduplicated by id, exactly the event log;
- outage: with the broker down (from the start, or under a connected publisher), commands still
  succeed and a running publisher does not move its position; when the broker is back,
  everything arrives and the lag returns to 0;
- an attempt against an unreachable broker fails within seconds, and a lost database
  connection does not end the publisher thread.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from eventsourcing.persistence import OperationalError
from kafka.errors import KafkaError

from domain.application import Recruitment
from domain.values import Skill
from hirelog.settings import Settings
from projections.kafka.publisher import Publisher
from projections.reads import ReadSide
from tests.broker import Broker
from tests.fakes import RECRUITER, FakeClock, by
from tests.history import load_history
from tests.kafka_messages import (
    CLIENT_ID,
    Message,
    assert_exactly_the_log,
    check_all,
    event_log,
    hiring_flow,
    log_head,
    partition_counts,
    read_messages,
    stored_position,
    wait_for,
)
from tests.servers import free_port

HIRELOG = str(Path(sys.executable).parent / "hirelog")
CANDIDATES = 500  # about 3,250 events: ~65 batches of 50


# --- a `hirelog publish` process --------------------------------------------------------------

def env_of(settings: Settings) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": settings.database_url,
            "HIRELOG_ID_KEY": settings.id_key or "",
            "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers or "",
            "HIRELOG_KAFKA_TOPIC_PREFIX": settings.kafka_topic_prefix,
            "HIRELOG_KAFKA_PARTITIONS": str(settings.kafka_partitions)}


@contextmanager
def publisher_process(settings: Settings, log: Path) -> Iterator[subprocess.Popen]:
    """`hirelog publish --batch-size 50`, output appended to `log`; killed if still running."""
    with log.open("a") as out:
        process = subprocess.Popen([HIRELOG, "publish", "--batch-size", "50"],
                                   env=env_of(settings), stdout=out, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


def position_now(app: Recruitment) -> int:
    return stored_position(app) or 0


# --- crash ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_publisher_killed_mid_way_resumes_and_every_event_arrives_in_order(
        app: Recruitment, kafka_settings: Settings, tmp_path: Path) -> None:
    load_history(app, candidates=CANDIDATES)
    log, head = event_log(app), log_head(app)
    assert head == len(log) > 3000
    prefix, bootstrap = kafka_settings.kafka_topic_prefix, kafka_settings.kafka_bootstrap_servers
    out = tmp_path / "publisher.log"

    killed_at = [0]
    for fraction in (0.2, 0.55):  # killed twice, at different places
        target = int(head * fraction)
        with publisher_process(kafka_settings, out) as process:
            wait_for(lambda t=target: position_now(app) >= t, f"the publisher passed {target}",
                     process=process, log=out, interval=0.002)
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=10) == -signal.SIGKILL
        position = position_now(app)
        assert killed_at[-1] < position < head, (
            f"killed at {position} of {head}: not mid-way (previous kill at {killed_at[-1]})")
        killed_at.append(position)
        # never ack-ahead: every event up to the stored position is on the broker already
        on_broker = read_messages(bootstrap, prefix, at_least=position)
        published = {m.event["logposition"] for m in on_broker}
        gaps = [e.position for e in log if e.position <= position
                and e.position not in published]
        assert not gaps, f"position {position} stored, but {len(gaps)} events before it are " \
                         f"not on the broker (e.g. {gaps[:5]})"

    with publisher_process(kafka_settings, out) as process:
        wait_for(lambda: position_now(app) == head, "the restarted publisher caught up",
                 timeout=60, process=process, log=out)
        process.terminate()  # SIGTERM: finishes and exits 0
        assert process.wait(timeout=15) == 0, out.read_text()
    text = out.read_text()
    assert f"{head - killed_at[-1]} events waiting" in text, text  # its log shows the lag
    assert "Traceback" not in text, text

    messages = read_messages(bootstrap, prefix, at_least=head, timeout=60)
    assert len(messages) >= head
    check_all(messages, prefix)
    assert_exactly_the_log(messages, log, prefix)
    assert set(partition_counts(bootstrap, prefix).values()) == {kafka_settings.kafka_partitions}
    assert not [m for m in messages if b"@" in m.value], "an email address went to Kafka"


# --- outage -----------------------------------------------------------------------------------

# kafka-python leaves the sockets of a client whose constructor failed (broker unreachable) to
# the garbage collector, which warns "unclosed <socket...>"; the publisher cannot close what it
# was never given. Outage tests collect them while this filter applies (`collected_garbage`).
UNCLOSED = pytest.mark.filterwarnings("ignore:unclosed <socket:ResourceWarning")
# Outage tests wait out the timeout of the attempt that was under way when the broker went
# away: a short one (the default is 15 s) makes them quick; what they prove is unchanged.
OUTAGE_SEND_TIMEOUT = 3


def failed_attempts(app: Recruitment) -> int:
    """How many attempts in a row failed, as recorded for every process to see (0: none)."""
    failing = ReadSide(app.tables).publisher_failure()
    return 0 if failing is None else failing.attempts


@pytest.fixture
def collected_garbage(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Requested first, so torn down last: the garbage of the test's failed Kafka clients is
    collected under the test's filters. kafka-python logs connection errors with their
    tracebacks, whose frames hold those sockets: captured, they would outlive the test."""
    caplog.set_level(logging.CRITICAL, logger="kafka")
    yield
    gc.collect()


@contextmanager
def running(publisher: Publisher) -> Iterator[threading.Thread]:
    thread, stop = publisher.start_thread()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=45)  # may be waiting out a send to a broker that went away
        assert not thread.is_alive(), "the publisher thread did not stop"


def more_commands(app: Recruitment, clock: FakeClock, candidates: int = 8) -> int:
    """A new position with candidates who apply and get an assessment; every command must
    succeed quickly (commands never wait for Kafka). How many events were recorded."""
    before = log_head(app)
    slowest = 0.0

    def timed(command, *args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal slowest
        clock.advance(minutes=10)
        started = time.monotonic()
        receipt = command(*args, **kwargs)
        slowest = max(slowest, time.monotonic() - started)
        return receipt

    position_id = timed(app.open_position, client_id=CLIENT_ID, title="Platform engineer",
                        headcount=1, skills=[Skill("go", 4, required=True)],
                        assessment_name="Incident drill", assessment_minutes=90, caller=by()).id
    for n in range(candidates):
        candidate = timed(app.contact_candidate, position_id=position_id, name=f"Person {n}",
                          email=f"person{n}@example.org", source="sourced", channel="GitHub",
                          caller=by()).id
        timed(app.apply, candidate, by(RECRUITER))
        timed(app.assign_assessment, candidate, by(),
              due_at=clock.now + timedelta(days=7))
    assert slowest < 1.0, f"a command took {slowest:.2f} s"
    return log_head(app) - before


@pytest.mark.slow
@UNCLOSED
def test_broker_down_from_the_start(collected_garbage: None, app: Recruitment,
                                    clock: FakeClock, kafka_settings: Settings,
                                    broker: Broker) -> None:
    """The broker is down before the publisher ever connected: commands succeed, the running
    publisher does not move; the broker comes up, and everything arrives, on topics it made."""
    settings = replace(kafka_settings, kafka_bootstrap_servers=broker.bootstrap,
                       kafka_send_timeout=OUTAGE_SEND_TIMEOUT)
    prefix = settings.kafka_topic_prefix
    broker.stop()
    hiring_flow(app, clock)
    publisher = Publisher(app, settings, max_backoff=1)
    with running(publisher) as thread:
        recorded = more_commands(app, clock)
        assert recorded > 20
        head = log_head(app)
        wait_for(lambda: failed_attempts(app) >= 2, "two attempts failed", timeout=20)
        assert thread.is_alive()
        assert position_now(app) == 0 and publisher.lag() == head
        failing = ReadSide(app.tables).publisher_failure()  # seen by every process
        assert failing is not None and not failing.stopped and failing.position == 1
        assert failing.attempts >= 2 and "retrying at position 1" in failing.describe()

        broker.start()
        wait_for(lambda: publisher.lag() == 0, "the lag returned to 0", timeout=45)
        wait_for(lambda: ReadSide(app.tables).publisher_failure() is None,
                 "the failure was cleared")
    assert position_now(app) == head
    messages = read_messages(broker.bootstrap, prefix, at_least=head)
    check_all(messages, prefix)
    assert_exactly_the_log(messages, event_log(app), prefix)
    assert set(partition_counts(broker.bootstrap, prefix).values()) == {
        settings.kafka_partitions}


@pytest.mark.slow
@UNCLOSED
def test_broker_outage_while_publishing(collected_garbage: None, app: Recruitment,
                                        clock: FakeClock, kafka_settings: Settings,
                                        broker: Broker) -> None:
    """The broker goes away under a publisher that is connected and caught up: commands
    succeed, the position stays; the broker comes back (a new, empty one: the test broker keeps
    its topics in memory), and every event recorded since arrives there, in order."""
    settings = replace(kafka_settings, kafka_bootstrap_servers=broker.bootstrap,
                       kafka_send_timeout=OUTAGE_SEND_TIMEOUT)
    prefix = settings.kafka_topic_prefix
    hiring_flow(app, clock)
    publisher = Publisher(app, settings, max_backoff=1)
    with running(publisher):
        wait_for(lambda: publisher.lag() == 0, "the publisher caught up")
        before = log_head(app)
        assert position_now(app) == before
        first: list[Message] = read_messages(broker.bootstrap, prefix, at_least=before)
        assert_exactly_the_log(first, event_log(app), prefix)

        broker.stop()
        recorded = more_commands(app, clock)
        head = log_head(app)
        assert head == before + recorded
        wait_for(lambda: failed_attempts(app) >= 1, "an attempt failed", timeout=20)
        assert position_now(app) == before, "the position moved while the broker was down"
        assert publisher.lag() == recorded

        broker.start()
        wait_for(lambda: publisher.lag() == 0, "the lag returned to 0", timeout=50)
    assert position_now(app) == head
    second = read_messages(broker.bootstrap, prefix, at_least=recorded)
    check_all(second, prefix)
    assert {m.event["logposition"] for m in second} <= set(range(before + 1, head + 1))
    assert_exactly_the_log(first + second, event_log(app), prefix)


@pytest.mark.slow
@UNCLOSED
def test_an_unreachable_broker_fails_an_attempt_within_seconds(
        collected_garbage: None, memory_app: Recruitment, clock: FakeClock) -> None:
    settings = Settings(database_url="sqlite:///:memory:",  # the publisher uses memory_app's
                        kafka_bootstrap_servers=f"127.0.0.1:{free_port()}")  # nobody listens
    hiring_flow(memory_app, clock)
    publisher = Publisher(memory_app, settings, max_backoff=1)
    started = time.monotonic()
    try:
        with pytest.raises(KafkaError):
            publisher.publish_once()
    finally:
        publisher._drop_producer()
    took = time.monotonic() - started
    assert position_now(memory_app) == 0, "nothing was acknowledged, nothing may move"
    assert took < 10, f"one attempt against an unreachable broker took {took:.1f} s"


# --- a lost database connection ---------------------------------------------------------------

def backend_pids(app: Recruitment) -> list[int]:
    """The server process ids of every connection in the application's PostgreSQL pool (all
    taken at once, so every pooled connection is among them)."""
    pool = app.recorder.datastore.pool  # type: ignore[attr-defined]
    with ExitStack() as stack:
        connections = [stack.enter_context(pool.connection()) for _ in range(pool.max_size)]
        return [connection.info.backend_pid for connection in connections]


def terminate(settings: Settings, pids: list[int]) -> None:
    """What a database restart or failover does to the pool: its connections are dropped."""
    with psycopg.connect(settings.database.conninfo(), autocommit=True) as admin:  # type: ignore[union-attr]
        admin.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s::int[]) AS pid", (pids,))


@pytest.mark.slow
@UNCLOSED
@pytest.mark.postgres
@pytest.mark.parametrize("settings", ["postgres"], indirect=True)
def test_the_publisher_survives_a_lost_database_connection(
        collected_garbage: None, app: Recruitment, clock: FakeClock, kafka_settings: Settings,
        monkeypatch: pytest.MonkeyPatch) -> None:
    deaths: list[str] = []  # how a thread died, reported here rather than at teardown
    monkeypatch.setattr(threading, "excepthook", lambda args: deaths.append(
        f"{args.thread.name if args.thread else '?'}: {args.exc_type.__name__}: "
        f"{args.exc_value}"))
    hiring_flow(app, clock)
    publisher = Publisher(app, kafka_settings, max_backoff=1)
    try:
        with running(publisher) as thread:
            wait_for(lambda: publisher.lag() == 0, "the publisher caught up")
            terminate(kafka_settings, backend_pids(app))
            time.sleep(0.5)
            for _ in range(3):  # the pool replaces dropped connections; a command may hit one
                try:
                    more_commands(app, clock, candidates=2)
                    break
                except OperationalError:
                    continue
            wait_for(lambda: publisher.lag() == 0 or not thread.is_alive(),
                     "the publisher published what came after", timeout=20)
            assert thread.is_alive(), f"the publisher thread died: {deaths}"
    finally:
        publisher._drop_producer()  # a thread that died left its producer open
    prefix = kafka_settings.kafka_topic_prefix
    messages = read_messages(kafka_settings.kafka_bootstrap_servers, prefix,
                             at_least=log_head(app))
    assert_exactly_the_log(messages, event_log(app), prefix)

"""The Kafka publisher: one more follower of the event log. Every event goes out, keyed by its
aggregate id (so each candidate's events stay in order), at least once and never with a gap:
the publisher's position moves only after the broker acknowledged the whole batch (acks=all,
idempotent producer). A broker that is down or slow only delays it: commands never wait."""

from __future__ import annotations

import contextlib
import logging
import random
import threading
from collections.abc import Callable
from uuid import UUID

from kafka import KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from domain.candidate import Candidate
from domain.scope import AGENCY
from hirelog import metrics
from hirelog.progress import Progress
from hirelog.settings import Settings
from projections import catalog, failures
from projections.kafka.cloudevents import AGGREGATES, to_message, topic_for
from storage import errors as store_errors
from storage.event_store import StoredRecruitment

log = logging.getLogger("hirelog.publisher")
NAME = catalog.PUBLISHER


def broker_timeouts(settings: Settings) -> dict[str, int]:
    """kafka-python's timeouts from HIRELOG_KAFKA_SEND_TIMEOUT (default 15 s: a batch is
    acknowledged or fails within it; connecting gets a third, each request two thirds). An
    unreachable broker fails an attempt within seconds (kafka-python waits 30 s to connect and
    2 min to deliver by default), so the publisher's own backoff paces retries and a stop is
    not held up."""
    whole = settings.kafka_send_timeout * 1000
    return {"bootstrap_timeout_ms": whole // 3, "reconnect_backoff_max_ms": 1_000,
            "request_timeout_ms": whole * 2 // 3}


class Publisher:
    def __init__(self, app: StoredRecruitment, settings: Settings, batch_size: int = 500,
                 max_backoff: float = 30.0) -> None:
        if not settings.kafka_bootstrap_servers:
            raise ValueError("KAFKA_BOOTSTRAP_SERVERS is not set")
        self.app, self.settings = app, settings
        self.batch_size, self.max_backoff = batch_size, max_backoff
        self.tables = app.tables
        self.producer: KafkaProducer | None = None
        self.woken = threading.Event()
        self.prepared = False

    def prepare(self) -> None:
        """Register the publisher's position in the catalog (once; before the first batch)
        and be woken by this process's saves. Constructing a Publisher writes nothing."""
        if self.prepared:
            return
        with self.tables.transaction() as cursor:
            catalog.register(cursor, NAME, 1, active=True)
        self.app.on_save(lambda _events: self.woken.set())
        self.prepared = True

    # --- broker ---
    def _producer(self) -> KafkaProducer:
        if self.producer is None:
            self.producer = KafkaProducer(
                bootstrap_servers=self.settings.kafka_servers(),
                client_id="hirelog-publisher", acks="all", enable_idempotence=True,
                linger_ms=5, max_block_ms=self.settings.kafka_send_timeout * 1000 * 2 // 3,
                delivery_timeout_ms=self.settings.kafka_send_timeout * 1000,
                retry_backoff_ms=200, **broker_timeouts(self.settings))
            self.ensure_topics()
        return self.producer

    def ensure_topics(self) -> None:
        """Create the topics that are missing, with the configured partition count."""
        admin = KafkaAdminClient(bootstrap_servers=self.settings.kafka_servers(),
                                 client_id="hirelog-publisher-admin",
                                 **broker_timeouts(self.settings))
        try:
            existing = set(admin.list_topics())
            missing = [topic_for(a, self.settings.kafka_topic_prefix) for a in AGGREGATES]
            missing = [t for t in missing if t not in existing]
            if missing:
                with contextlib.suppress(TopicAlreadyExistsError):
                    admin.create_topics([
                        NewTopic(t, self.settings.kafka_partitions,
                                 self.settings.kafka_replication_factor) for t in missing])
        finally:
            admin.close()

    def _drop_producer(self) -> None:
        producer, self.producer = self.producer, None
        if producer is None:
            return
        try:
            producer.close(timeout=1)
        except Exception:
            log.debug("closing a failed producer", exc_info=True)
            _force_close(producer)

    # --- log ---
    def position(self) -> int:
        with self.tables.transaction(commit=False) as cursor:
            return catalog.position_of(cursor, NAME, 1) or 0

    def publish_once(self) -> int:
        """Send the next batch, wait for every acknowledgement, then move the position.
        How many events were published; raises KafkaError without moving anything."""
        self.prepare()
        position = self.position()
        notifications = self.app.recorder.select_notifications(start=position + 1,
                                                               limit=self.batch_size)
        if not notifications:
            return 0
        producer = self._producer()
        futures = []
        for notification in notifications:
            event = self.app.mapper.to_domain_event(notification)
            topic, key, value, headers = to_message(event, notification.id,
                                                    self.settings.kafka_topic_prefix,
                                                    self._position_of(event))
            futures.append(producer.send(topic, key=key, value=value, headers=headers))
        producer.flush(timeout=30)
        for future in futures:
            future.get(timeout=30)  # raises if the broker did not acknowledge
        with self.tables.transaction() as cursor:
            if not catalog.advance(cursor, NAME, 1, position, notifications[-1].id):
                log.info("another publisher moved the position; its copy stands")
        return len(notifications)

    def _position_of(self, event: object) -> UUID | None:
        """A hire's position: the candidate's (its Hired event names only the client)."""
        if not isinstance(event, Candidate.Hired):
            return None
        return self.app.get_candidate(event.originator_id, AGENCY).position_id

    def lag(self) -> int:
        return max(0, (self.app.recorder.max_notification_id() or 0) - self.position())

    def _lag_or_unknown(self) -> int | str:
        try:
            return self.lag()
        except Exception:  # the database may be what failed
            return "unknown"

    def run_forever(self, stop: threading.Event, idle_wait: float = 0.2,
                    on_error: Callable[[BaseException], None] | None = None) -> None:
        attempts, failing = 0, True  # a failure an earlier run left is cleared once it works
        progress = Progress(log, "published")
        while not stop.is_set():
            try:
                published = self.publish_once()
            except Exception as error:  # the broker, or the database: retry, never give up
                attempts, failing = attempts + 1, True
                self._drop_producer()
                delay = min(self.max_backoff, 0.5 * 2 ** min(attempts, 10))
                delay *= random.uniform(0.8, 1.2)
                permanent = self._record_failure(error)
                log.log(logging.ERROR if permanent else logging.WARNING,
                        "publishing failed (%s)%s; %s events waiting, retrying in %.1f s",
                        failures.error_text(error),
                        ": it cannot be published as it is, nothing after it is published "
                        "until that is fixed" if permanent else "", self._lag_or_unknown(),
                        delay, extra={"lag": self._lag_or_unknown()})
                if on_error:
                    on_error(error)
                stop.wait(delay)
                continue
            if failing:
                self._clear_failure()
                if attempts:
                    log.warning("publishing resumed after %d failed attempt(s)", attempts)
                attempts, failing = 0, False
            if published:
                metrics.EVENTS_PUBLISHED.inc(published)
                progress.add(published, lambda: {"lag": self._lag_or_unknown()})
            else:
                self.woken.wait(idle_wait)
                self.woken.clear()
        self._drop_producer()

    def _record_failure(self, error: BaseException) -> bool:
        """Record the failure for every process to see; whether it is permanent (the event
        at the position cannot be published as it is) rather than passing."""
        permanent = not _passing(error)
        metrics.PUBLISHER_FAILURES.labels("permanent" if permanent else "passing").inc()
        try:
            position = self.position() + 1
            found = self.app.recorder.select_notifications(start=position, limit=1)
            event_type = found[0].topic.rsplit(".", 1)[-1].split(":")[-1] if found else "-"
            with self.tables.transaction() as cursor:
                failures.record(cursor, NAME, 1, position, event_type,
                                failures.error_text(error), stopped=permanent)
        except Exception:  # the database may be what failed
            log.debug("could not record the publisher's failure", exc_info=True)
        return permanent

    def _clear_failure(self) -> None:
        try:
            with self.tables.transaction() as cursor:
                failures.clear(cursor, NAME, 1)
        except Exception:
            log.debug("could not clear the publisher's failure", exc_info=True)

    def start_thread(self) -> tuple[threading.Thread, threading.Event]:
        stop = threading.Event()
        thread = threading.Thread(target=self.run_forever, args=(stop,), name="publisher",
                                  daemon=True)
        thread.start()
        return thread, stop


def _passing(error: BaseException) -> bool:
    """A fault that passes by itself (a broker or a database that is down or slow), as
    opposed to one that fails the same event every time (a message the broker refuses, a
    bug)."""
    if store_errors.unavailable(error):
        return True
    if isinstance(error, KafkaError):
        return bool(getattr(error, "retriable", False))
    return isinstance(error, (TimeoutError, ConnectionError))


def _force_close(producer: KafkaProducer) -> None:
    """End a producer whose close() failed. kafka-python 3.0.12's close() stops at its flush
    while batches are pending (the broker is gone), leaving its I/O thread and sockets open,
    and raises again when the producer is collected, in whatever runs then. The pending
    batches are not needed: the position did not move, so they are sent again."""
    sender = getattr(producer, "_sender", None)
    if sender is not None:
        sender.force_close()  # aborts the pending batches and closes the network client
        sender.join(5)
    producer._closed = True  # nothing left for __del__ to do

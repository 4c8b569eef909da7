"""Reading what the publisher put on Kafka in tests: the messages under a topic prefix, each
checked against its JSON Schema and CloudEvents attributes and compared with the event log;
and a hiring flow in which every event type occurs, to publish."""

from __future__ import annotations

import json
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID

from jsonschema import Draft202012Validator
from kafka import KafkaConsumer, TopicPartition

from domain.application import Recruitment
from domain.values import Skill
from hirelog.settings import Settings
from projections import catalog
from projections.kafka.cloudevents import AGGREGATES
from projections.kafka.publisher import Publisher
from tests.fakes import ADMIN, RECRUITER, FakeClock, by, client_user

DOCS = Path(__file__).resolve().parents[1] / "docs"


CLIENT_ID = UUID("00000000-0000-4000-8000-0000000c1e47")


POSITION_ID = UUID("00000000-0000-4000-8000-00000000b05e")


HIRING_MANAGER = client_user(CLIENT_ID)


TOPIC_OF_KIND = {kind: plural for kind, plural in AGGREGATES.values()}  # candidate -> candidates


@dataclass(frozen=True)
class Message:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...]

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.value)


def topics_of(prefix: str) -> list[str]:
    return [f"{prefix}.{plural}" for _, plural in AGGREGATES.values()]


def partition_counts(bootstrap: str, prefix: str) -> dict[str, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), enable_auto_commit=False,
                             client_id="hirelog-test-partitions")
    try:
        return {topic: len(consumer.partitions_for_topic(topic) or ())
                for topic in topics_of(prefix)}
    finally:
        consumer.close()


def read_messages(bootstrap: str, prefix: str, at_least: int,
                  timeout: float = 30.0) -> list[Message]:
    """Every message on the prefix's topics, from offset 0, read by a consumer without a group
    (partitions assigned by hand): at least `at_least` of them, and on to the high watermark
    every partition's last fetch response reported (so everything the broker had when the
    reading ended: extra copies included). Sorted by topic, partition and offset. (Not the
    consumer's end_offsets: the test broker, tansu, answers them with the last batch's base
    offset + 1; the high watermark of its fetch responses is right.)"""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), enable_auto_commit=False,
                             client_id="hirelog-test-reader", fetch_max_wait_ms=50)
    messages: list[Message] = []
    try:
        partitions = [TopicPartition(topic, p) for topic in topics_of(prefix)
                      for p in sorted(consumer.partitions_for_topic(topic) or ())]
        assert partitions, f"no topic of {prefix} exists"
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=100, max_records=1_000_000).values():
                for record in batch:
                    messages.append(Message(record.topic, record.partition, record.offset,
                                            record.key, record.value,
                                            tuple((k, bytes(v)) for k, v in record.headers)))
            ends = [consumer.highwater(tp) for tp in partitions]
            if len(messages) >= at_least and None not in ends and all(
                    consumer.position(tp) >= end for tp, end in zip(partitions, ends, strict=True)):
                break
    finally:
        consumer.close()
    return sorted(messages, key=lambda m: (m.topic, m.partition, m.offset))


@cache
def validators() -> dict[str, Draft202012Validator]:
    """The committed docs/events/*.json (what consumers are given), with format checking."""
    found = {}
    for path in sorted((DOCS / "events").glob("*.json")):
        schema = json.loads(path.read_text())
        Draft202012Validator.check_schema(schema)
        found[schema["title"]] = Draft202012Validator(
            schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert found, "no schema in docs/events"
    return found


def schema_errors(event: dict[str, Any]) -> list[str]:
    validator = validators().get(event.get("type"))  # type: ignore[arg-type]
    if validator is None:
        return [f"no schema for type {event.get('type')!r}"]
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(event)]


def check_message(topic: str, key: bytes | None, value: bytes,
                  headers: Iterable[tuple[str, bytes]], prefix: str) -> dict[str, Any]:
    """One message as the contract says: valid against its schema, on its aggregate's topic,
    keyed by the aggregate id, headers ce_id/ce_type equal to the body. The event."""
    event = json.loads(value)
    errors = schema_errors(event)
    assert not errors, f"{event.get('type')} at {event.get('logposition')}: {errors}"
    kind = event["type"].split(".")[1]
    assert topic == f"{prefix}.{TOPIC_OF_KIND[kind]}", (topic, event["type"])
    assert key == event["subject"].encode(), (key, event["subject"])
    listed = [(name, bytes(v)) for name, v in headers]
    named = dict(listed)
    assert len(named) == len(listed), f"a header repeats: {listed}"
    assert named.get("ce_id") == event["id"].encode(), listed
    assert named.get("ce_type") == event["type"].encode(), listed
    return event


def check_all(messages: Iterable[Message], prefix: str) -> list[dict[str, Any]]:
    return [check_message(m.topic, m.key, m.value, m.headers, prefix) for m in messages]


def first_copies(messages: Iterable[Message]) -> list[Message]:
    """What a consumer keeps that deduplicates by the CloudEvent `id` (first copy wins)."""
    seen: set[str] = set()
    kept = []
    for message in messages:
        if message.event["id"] not in seen:
            seen.add(message.event["id"])
            kept.append(message)
    return kept


@dataclass(frozen=True)
class Logged:
    position: int
    aggregate_id: UUID
    version: int
    topic: str  # candidates, positions or clients
    name: str  # event class name
    time: datetime


def event_log(app: Recruitment) -> list[Logged]:
    """The whole event log, from the recorder (the truth the messages must equal)."""
    logged, start = [], 1
    while notifications := app.recorder.select_notifications(start=start, limit=1000):
        for n in notifications:
            aggregate, _, name = n.topic.partition(":")[2].rpartition(".")  # Candidate.Hired
            logged.append(Logged(n.id, n.originator_id, n.originator_version,
                                 AGGREGATES[aggregate][1], name,
                                 app.mapper.to_domain_event(n).timestamp))
        start = notifications[-1].id + 1
    return logged


def assert_exactly_the_log(messages: list[Message], log: list[Logged], prefix: str) -> None:
    """Deduplicated by id, the messages (in the order a consumer reads them) are exactly the
    event log: one per event (same aggregate, version and log position, on the aggregate's
    topic), each aggregate's events in version order, the same event always with the same id."""
    ids_of: dict[tuple[str, int], set[str]] = defaultdict(set)
    for message in messages:
        event = message.event
        ids_of[(event["subject"], event["aggregateversion"])].add(event["id"])
    changed = {k: v for k, v in ids_of.items() if len(v) > 1}
    assert not changed, f"re-sends of one event carry different ids: {list(changed.items())[:3]}"
    kept = first_copies(messages)
    got = sorted((m.event["logposition"], m.event["subject"], m.event["aggregateversion"],
                  m.topic) for m in kept)
    want = [(e.position, str(e.aggregate_id), e.version, f"{prefix}.{e.topic}") for e in log]
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    assert not missing and not extra, (
        f"{len(log)} events in the log, {len(kept)} distinct ids on Kafka; "
        f"{len(missing)} missing (e.g. {missing[:3]}), {len(extra)} unexpected "
        f"(e.g. {extra[:3]})")
    assert len(got) == len(want) == len(kept)
    assert_versions_in_order(kept)


def assert_versions_in_order(messages: Iterable[Message]) -> dict[str, list[dict[str, Any]]]:
    """Per key, in the order given (the order a consumer reads them): versions 1, 2, 3...
    (no gap, no swap), the log position increasing, and all on one partition. {key: events}"""
    by_key: dict[str, list[Message]] = defaultdict(list)
    for message in messages:
        by_key[message.key.decode() if message.key else ""].append(message)
    events_by_key = {}
    for key, keyed in by_key.items():
        assert len({(m.topic, m.partition) for m in keyed}) == 1, (
            f"{key}'s events are on more than one partition")
        events = [m.event for m in keyed]
        versions = [e["aggregateversion"] for e in events]
        assert versions == list(range(1, len(events) + 1)), f"{key}: versions {versions}"
        positions = [e["logposition"] for e in events]
        assert positions == sorted(set(positions)), f"{key}: log positions {positions}"
        events_by_key[key] = events
    return events_by_key


def personal_data_in(messages: Iterable[Message], personal: Iterable[str]) -> list[str]:
    """Each piece of personal data found anywhere in a message: its value (raw and every
    decoded string), its key or its headers; compared case-insensitively."""

    def strings(value: Any) -> Iterator[str]:
        if isinstance(value, dict):
            for k, v in value.items():
                yield str(k)
                yield from strings(v)
        elif isinstance(value, list):
            for v in value:
                yield from strings(v)
        else:
            yield str(value)

    secrets = [s.casefold() for s in personal]
    found = []
    for message in messages:
        texts = [message.value.decode(), (message.key or b"").decode(),
                 *(f"{k}={v.decode(errors='replace')}" for k, v in message.headers),
                 *strings(message.event)]
        for secret in secrets:
            if any(secret in text.casefold() for text in texts):
                found.append(f"{secret!r} in {message.event['type']} "
                             f"(position {message.event['logposition']})")
    return found


def log_head(app: Recruitment) -> int:
    return app.recorder.max_notification_id() or 0


def stored_position(app: Recruitment) -> int | None:
    """The publisher's tracked position, as stored in the database."""
    with app.tables.transaction(commit=False) as cursor:
        return catalog.position_of(cursor, catalog.PUBLISHER, 1)


@contextmanager
def publisher_of(app: Recruitment, settings: Settings, **options: Any) -> Iterator[Publisher]:
    """A publisher as a process starts it (hirelog.bootstrap.publisher): prepared, so /readyz
    shows it from the start."""
    publisher = Publisher(app, settings, **options)
    publisher.prepare()
    try:
        yield publisher
    finally:
        publisher._drop_producer()  # closes the producer (no public close)


def publish_all(publisher: Publisher) -> int:
    total = 0
    while published := publisher.publish_once():
        total += published
    return total


def wait_for(condition: Callable[[], Any], what: str, timeout: float = 30.0,
             process: subprocess.Popen | None = None, log: Path | None = None,
             interval: float = 0.05) -> Any:
    """Poll until `condition()` is truthy; its value. Fails if `process` exits first."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if process is not None and process.poll() is not None:
            raise AssertionError(f"the process exited ({process.returncode}) before {what}:\n"
                                 f"{log.read_text() if log else ''}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting until {what}")
        time.sleep(interval)
    return value


def hiring_flow(app: Recruitment, clock: FakeClock) -> Flow:
    """A client, a position whose rubric is revised, a candidate hired, one who abandons the
    assessment and is sent a rejection notice, and three more so that every event type occurs:
    one the client rejects, one who declines the offer and withdraws, one disqualified; then the
    position is filled. Every free text names the person it is about."""
    flow = Flow(app, clock)
    flow.personal.extend([ADMIN.name, RECRUITER.name, HIRING_MANAGER.name])
    app.register_client("Acme Robotics GmbH", by(ADMIN), id=CLIENT_ID)
    clock.advance(hours=1)
    app.open_position(client_id=CLIENT_ID, title="Senior Backend Engineer", headcount=2,
                      skills=[Skill("python", 3, required=True), Skill("sql", 1)],
                      assessment_name="Take-home API", assessment_minutes=180, caller=by(),
                      id=POSITION_ID)
    flow.contact("hired", "Zelda Quistorp", "Zelda.Quistorp@example.org", "referral",
                 "referral by a former placement",
                 "Hi Zelda, Acme is hiring a backend engineer. Keen?")
    clock.advance(hours=1)
    app.revise_rubric(POSITION_ID, [Skill("python", 3, required=True), Skill("sql", 2),
                                    Skill("kafka", 1)], by())
    flow.contact("abandoned", "Bartholomew Xylander", "bart.xylander@example.net", "job_board",
                 "Indeed", None)
    flow.step("apply", "abandoned", note="Bartholomew applied through the careers page")
    flow.step("assign_assessment", "abandoned", due_at=clock.now + timedelta(days=7))
    flow.step("abandon_assessment", "abandoned", reason="too_long",
              note="Bartholomew said the take-home clashed with caring for his mother")
    flow.step("send_rejection", "abandoned",
              message="Dear Bartholomew, thank you for your time; we will not go on")

    flow.to_offer("hired", "Zelda", reschedule=True)
    flow.step("respond_to_offer", "hired", accepted=True)
    flow.step("hire", "hired", start_date=date(2026, 3, 2))

    flow.contact("rejected", "Cordelia Vantongeren", "c.vantongeren@example.com", "sourced",
                 "GitHub", "Hi Cordelia, your Kafka connector caught our eye")
    flow.to_recommended("rejected", "Cordelia",
                        {"python": "yes", "sql": "mixed", "kafka": "no_decision"})
    flow.step("correct_assessment", "rejected",
              grades={"python": "yes", "sql": "no", "kafka": "no_decision"},
              reason="Cordelia's SQL grade was copied from another sheet")
    # a rejection recorded in error, reopened, then the real one
    flow.step("decide", "rejected", actor=HIRING_MANAGER, outcome="reject",
              reason="Meant for another candidate")
    flow.step("reopen", "rejected", reason="Cordelia's rejection was recorded by mistake")
    flow.step("decide", "rejected", actor=HIRING_MANAGER, outcome="reject",
              reason="Cordelia lacks production Kafka experience")
    flow.step("send_rejection", "rejected",
              message="Dear Cordelia, the client chose another candidate")

    flow.contact("declined", "Desmond Achterberg", "desmond@achterberg.example", "agency_network",
                 "alumni meetup", None)
    flow.personal += ["desmond.achterberg@example.org", "Desmond J. Achterberg"]
    flow.step("correct_contact_details", "declined", email="desmond.achterberg@example.org",
              name="Desmond J. Achterberg", reason="Desmond's email bounced: a typo")
    flow.step("correct_contact_details", "declined", source="referral",
              reason="Desmond was referred by Zelda, not met at the meetup")
    flow.to_offer("declined", "Desmond")
    flow.step("respond_to_offer", "declined", accepted=False,
              reason="Desmond took a counter-offer from his employer")
    flow.step("withdraw", "declined", reason="Desmond stays with his employer after all")

    flow.contact("disqualified", "Edwina Fairweather-Ngata", "edwina.fn@example.org", "inbound",
                 None, None)
    flow.step("disqualify", "disqualified", reason="Edwina has no right to work in the EU")

    clock.advance(hours=1)
    flow.personal.append("Filled by Zelda Quistorp")
    app.change_position_status(POSITION_ID, "filled", by(), reason="Filled by Zelda Quistorp")
    return flow


@dataclass
class Flow:
    """Ids of what the flow made, and every piece of personal data it recorded."""

    app: Recruitment
    clock: FakeClock
    personal: list[str] = field(default_factory=list)
    candidates: dict[str, UUID] = field(default_factory=dict)

    def step(self, command: str, candidate: str, *, actor: Any = RECRUITER,
             **args: Any) -> None:
        self.clock.advance(hours=1)
        for name, value in args.items():
            if name in FREE_TEXT and value and command != "abandon_assessment":
                self.personal.append(value)
            if name == "interviewers":
                self.personal.extend(value)
            if name == "salary":
                self.personal.extend([str(value), f"{value:,}"])
        getattr(self.app, command)(self.candidates[candidate], by(actor), **args)

    def contact(self, key: str, name: str, email: str, source: str, channel: str | None,
                message: str | None) -> None:
        self.clock.advance(hours=1)
        self.personal.extend([name, *name.split(), email, email.split("@")[0]])
        if message:
            self.personal.append(message)
        self.candidates[key] = self.app.contact_candidate(
            position_id=POSITION_ID, name=name, email=email, source=source, channel=channel,
            message=message, caller=by()).id

    def to_recommended(self, key: str, who: str, grades: dict[str, str],
                       reschedule: bool = False) -> None:
        self.step("apply", key, note=f"{who} sent a CV and plans to move to Lisbon")
        self.step("assign_assessment", key, due_at=self.clock.now + timedelta(days=5))
        if reschedule:
            self.step("reschedule_assessment", key, due_at=self.clock.now + timedelta(days=9),
                      reason=f"{who}'s daughter was in hospital")
        self.step("record_assessment", key, grades=grades,
                  notes=f"{who}'s take-home: tidy API, weak on SQL joins")
        self.step("recommend", key, summary=f"{who} is our strongest pick so far")

    def to_offer(self, key: str, who: str, reschedule: bool = False) -> None:
        self.to_recommended(key, who, {"python": "strong_yes", "sql": "yes", "kafka": "mixed"},
                            reschedule)
        self.step("request_interview", key, actor=HIRING_MANAGER,
                  note=f"Keen to meet {who} next week")
        self.step("present", key, summary=f"{who} now also leads the platform guild")
        self.step("schedule_interview", key, scheduled_at=self.clock.now + timedelta(minutes=30),
                  interviewers=["Ingrid Okonkwo", "Pavel Dvorakovic"],
                  location="Acme head office, 7 Quayside Lane, Leith")
        self.step("record_interview_feedback", key, actor=HIRING_MANAGER,
                  interviewer="Ingrid Okonkwo", rating="strong_yes",
                  notes=f"{who} reasoned clearly about back-pressure")
        self.step("record_interview_feedback", key, actor=HIRING_MANAGER,
                  interviewer="Pavel Dvorakovic", rating="yes",
                  notes=f"{who} was nervous but solid")
        self.step("decide", key, actor=HIRING_MANAGER, outcome="hire",
                  reason=f"{who} impressed both interviewers",
                  decided_by="Dagmar Deciderson")
        self.step("send_offer", key, salary=Decimal("131313"), currency="EUR",
                  start_date=date(2026, 3, 2), expires_at=self.clock.now + timedelta(days=10))


FREE_TEXT = {"note", "notes", "summary", "reason", "message", "interviewer", "location",
             "decided_by"}

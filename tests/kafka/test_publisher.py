"""The Kafka publisher, against a real Kafka-protocol broker: a whole hiring flow comes out on
the topics of its aggregates, keyed by aggregate id, in version order per key, every message
valid against its committed JSON Schema, with headers that repeat the body's id and type, stable
ids across re-sends, and no personal data anywhere. Also: topics are created with the configured
partition count, /readyz shows the publisher's lag, `hirelog consume` deduplicates re-sends, and
`hirelog serve` publishes in-process when KAFKA_BOOTSTRAP_SERVERS is set.

The helpers here (reading every message back, checking one, the flow) are shared with
test_delivery.py and test_interop.py."""

from __future__ import annotations

import json
import re
import subprocess
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator
from kafka import KafkaConsumer, TopicPartition

from domain.application import Recruitment
from domain.values import Skill
from hirelog.settings import Settings
from hirelog.tables import Tables
from projections import catalog
from projections.cloudevents import AGGREGATES
from projections.publisher import Publisher
from tests.fakes import ADMIN, RECRUITER, FakeClock, by, client_user

DOCS = Path(__file__).resolve().parents[2] / "docs"
CLIENT_ID = UUID("00000000-0000-4000-8000-0000000c1e47")
POSITION_ID = UUID("00000000-0000-4000-8000-00000000b05e")
HIRING_MANAGER = client_user(CLIENT_ID)
TOPIC_OF_KIND = {kind: plural for kind, plural in AGGREGATES.values()}  # candidate -> candidates


# --- reading the topics back ----------------------------------------------------------------

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


def read_messages(bootstrap: str, prefix: str, at_least: int, idle: float = 1.0,
                  timeout: float = 30.0) -> list[Message]:
    """Every message on the prefix's topics, from offset 0, read by a consumer without a group
    (partitions assigned by hand): at least `at_least` of them, and then whatever else arrives
    within `idle` seconds. Sorted by topic, partition and offset."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap.split(","), enable_auto_commit=False,
                             client_id="hirelog-test-reader")
    messages: list[Message] = []
    try:
        partitions = [TopicPartition(topic, p) for topic in topics_of(prefix)
                      for p in sorted(consumer.partitions_for_topic(topic) or ())]
        assert partitions, f"no topic of {prefix} exists"
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        deadline, last = time.monotonic() + timeout, time.monotonic()
        while time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=100).values():
                for record in batch:
                    messages.append(Message(record.topic, record.partition, record.offset,
                                            record.key, record.value,
                                            tuple((k, bytes(v)) for k, v in record.headers)))
                    last = time.monotonic()
            if len(messages) >= at_least and time.monotonic() - last >= idle:
                break
    finally:
        consumer.close()
    return sorted(messages, key=lambda m: (m.topic, m.partition, m.offset))


# --- checking messages -----------------------------------------------------------------------

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


# --- publishing --------------------------------------------------------------------------------

def log_head(app: Recruitment) -> int:
    return app.recorder.max_notification_id() or 0


def stored_position(app: Recruitment) -> int | None:
    """The publisher's tracked position, as stored in the database."""
    with Tables(app).transaction(commit=False) as cursor:
        return catalog.position_of(cursor, catalog.PUBLISHER, 1)


@contextmanager
def publisher_of(app: Recruitment, settings: Settings, **options: Any) -> Iterator[Publisher]:
    publisher = Publisher(app, settings, **options)
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


def consume(settings: Settings, *args: str) -> Any:
    """`hirelog consume ARGS` in this process (click's runner), with the settings' environment."""
    from api.cli import main

    env = {"DATABASE_URL": settings.database_url, "HIRELOG_ID_KEY": settings.id_key or "",
           "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers or "",
           "HIRELOG_KAFKA_TOPIC_PREFIX": settings.kafka_topic_prefix}
    return CliRunner().invoke(main, ["consume", *args], env=env, catch_exceptions=False)


def printed_events(result: Any) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


# --- the hiring flow ---------------------------------------------------------------------------

FREE_TEXT = {"note", "notes", "summary", "reason", "message", "interviewer", "location",
             "decided_by"}


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
        self.step("schedule_interview", key, scheduled_at=self.clock.now + timedelta(days=2),
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
    flow.step("decide", "rejected", actor=HIRING_MANAGER, outcome="reject",
              reason="Cordelia lacks production Kafka experience")
    flow.step("send_rejection", "rejected",
              message="Dear Cordelia, the client chose another candidate")

    flow.contact("declined", "Desmond Achterberg", "desmond@achterberg.example", "agency_network",
                 "alumni meetup", None)
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


# --- tests -------------------------------------------------------------------------------------

def test_a_hiring_flow_is_published_in_order_schema_valid_and_without_personal_data(
        app: Recruitment, clock: FakeClock, kafka_settings: Settings) -> None:
    settings = replace(kafka_settings, kafka_partitions=5)  # not the default 3
    flow = hiring_flow(app, clock)
    log = event_log(app)
    head = log_head(app)
    assert len(log) == head > 40

    with publisher_of(app, settings, batch_size=7) as publisher:  # several batches
        assert stored_position(app) == 0 and publisher.lag() == head
        assert publish_all(publisher) == head
        assert stored_position(app) == publisher.position() == head
        assert publisher.lag() == 0
        assert publisher.publish_once() == 0

    prefix = settings.kafka_topic_prefix
    assert partition_counts(settings.kafka_bootstrap_servers, prefix) == {
        f"{prefix}.candidates": 5, f"{prefix}.positions": 5, f"{prefix}.clients": 5}
    messages = read_messages(settings.kafka_bootstrap_servers, prefix, at_least=head)
    assert len(messages) == head, "one message per event, no more"
    events = check_all(messages, prefix)
    assert_exactly_the_log(messages, log, prefix)
    by_key = assert_versions_in_order(messages)

    # every event type of the contract occurred, and ids are unique
    assert {e["type"] for e in events} == set(validators())
    assert len({e["id"] for e in events}) == head
    # each message is its event: aggregate, version, type, time, topic
    logged = {e.position: e for e in log}
    for message, event in zip(messages, events, strict=True):
        entry = logged[event["logposition"]]
        assert (event["subject"], event["aggregateversion"]) == (str(entry.aggregate_id),
                                                                 entry.version)
        assert event["type"].split(".")[2] == re.sub(r"(?<=[a-z])(?=[A-Z])", "_",
                                                      entry.name).lower(), entry.name
        assert datetime.fromisoformat(event["time"]) == entry.time
        assert message.topic == f"{prefix}.{entry.topic}"
        assert event["source"] == f"/hirelog/{entry.topic}"
        assert event["datacontenttype"] == "application/json"
        assert event["specversion"] == "1.0"

    # the facts consumers need are there
    hired = by_key[str(flow.candidates["hired"])]
    data = {e["type"]: e["data"] for e in hired}
    assert [e["type"].split(".")[2] for e in hired] == [
        "contacted", "applied", "assessment_assigned", "assessment_rescheduled", "assessed",
        "recommended", "selected_for_interview", "interview_scheduled", "interviewed",
        "interviewed", "decided", "offer_sent", "offer_accepted", "hired"]
    assert data["hirelog.candidate.contacted.v1"]["position_id"] == str(POSITION_ID)
    assert data["hirelog.candidate.contacted.v1"]["client_id"] == str(CLIENT_ID)
    assert data["hirelog.candidate.assessed.v1"]["rubric_revision"] == 2
    assert data["hirelog.candidate.assessed.v1"]["grades"] == {
        "python": "strong_yes", "sql": "yes", "kafka": "mixed"}
    assert data["hirelog.candidate.interview_scheduled.v1"]["interviewer_count"] == 2
    assert data["hirelog.candidate.decided.v1"]["outcome"] == "hire"
    assert data["hirelog.candidate.offer_sent.v1"]["start_date"] == "2026-03-02"
    assert data["hirelog.candidate.hired.v1"] == {
        "client_id": str(CLIENT_ID), "start_date": "2026-03-02",
        "actor": {"id": RECRUITER.id, "role": "recruiter", "client_id": None}}
    assert data["hirelog.candidate.selected_for_interview.v1"]["actor"] == {
        "id": HIRING_MANAGER.id, "role": "client", "client_id": str(CLIENT_ID)}
    abandoned = by_key[str(flow.candidates["abandoned"])]
    assert [e["type"].split(".")[2] for e in abandoned][-2:] == [
        "assessment_abandoned", "rejection_sent"]
    assert abandoned[-2]["data"]["reason"] == "too_long"
    position = by_key[str(POSITION_ID)]
    assert [e["type"] for e in position] == [
        "hirelog.position.opened.v1", "hirelog.position.rubric_revised.v1",
        "hirelog.position.status_changed.v1"]
    assert position[1]["data"]["revision"] == 2
    assert [s["name"] for s in position[1]["data"]["skills"]] == ["python", "sql", "kafka"]
    [client] = by_key[str(CLIENT_ID)]
    assert client["data"]["name"] == "Acme Robotics GmbH"

    # no personal data anywhere (and the check itself can find it)
    assert len(flow.personal) > 40
    assert not personal_data_in(messages, flow.personal)
    assert personal_data_in(messages, ["Acme Robotics"]), "the check finds what is there"


def test_the_format_checker_is_active() -> None:
    """Guard for the schema checks above: formats are checked, not only types."""
    path = DOCS / "events" / "hirelog.candidate.hired.v1.json"
    event = {"specversion": "1.0", "id": str(uuid.uuid4()), "source": "/hirelog/candidates",
             "type": "hirelog.candidate.hired.v1", "subject": str(uuid.uuid4()),
             "time": "2026-01-05T09:00:00+00:00", "datacontenttype": "application/json",
             "aggregateversion": 3, "logposition": 9,
             "data": {"client_id": str(CLIENT_ID), "start_date": "2026-03-02",
                      "actor": {"id": "tok", "role": "recruiter", "client_id": None}}}
    assert json.loads(path.read_text())["title"] == event["type"]
    assert schema_errors(event) == []
    for broken in ({"subject": "not-a-uuid"}, {"time": "yesterday"},
                   {"data": {**event["data"], "start_date": "2026-02-30"}},
                   {"data": {**event["data"], "name": "Zelda Quistorp"}}):
        assert schema_errors({**event, **broken}), broken


def test_re_sent_events_keep_their_ids_and_consume_prints_each_once(
        app: Recruitment, clock: FakeClock, kafka_settings: Settings) -> None:
    hiring_flow(app, clock)
    log, head = event_log(app), log_head(app)
    with publisher_of(app, kafka_settings) as publisher:
        assert publish_all(publisher) == head
    # the tracked position goes back to 0 (as if every ack had been lost): all sent again,
    # by a new publisher (whose topics already exist)
    with Tables(app).transaction() as cursor:
        assert catalog.advance(cursor, catalog.PUBLISHER, 1, head, 0)
    with publisher_of(app, kafka_settings, batch_size=13) as publisher:
        assert publisher.lag() == head
        assert publish_all(publisher) == head
        assert publisher.lag() == 0

    prefix, bootstrap = kafka_settings.kafka_topic_prefix, kafka_settings.kafka_bootstrap_servers
    assert set(partition_counts(bootstrap, prefix).values()) == {kafka_settings.kafka_partitions}
    messages = read_messages(bootstrap, prefix, at_least=2 * head)
    assert len(messages) == 2 * head
    check_all(messages, prefix)
    copies: dict[str, list[Message]] = defaultdict(list)
    for message in messages:
        copies[message.event["id"]].append(message)
    assert len(copies) == head
    for event_id, pair in copies.items():
        assert len(pair) == 2, event_id
        first, second = pair
        assert first.value == second.value, "a re-sent event is byte for byte the same"
        assert (first.topic, first.partition, first.key) == (
            second.topic, second.partition, second.key)
        assert first.offset < second.offset
    assert_exactly_the_log(messages, log, prefix)

    result = consume(kafka_settings, "--group", f"g-{prefix}", "--from-beginning",
                     "--idle-timeout", "5", "--max-poll-interval-ms", "3000")
    printed = printed_events(result)
    assert len(printed) == head, f"{len(printed)} events printed, {head} in the log"
    assert len({e["id"] for e in printed}) == head
    assert {e["id"] for e in printed} == set(copies)
    per_key: dict[str, list[int]] = defaultdict(list)
    for event in printed:
        assert not schema_errors(event)
        per_key[event["subject"]].append(event["aggregateversion"])
    for key, versions in per_key.items():
        assert versions == list(range(1, len(versions) + 1)), (key, versions)


def test_readyz_shows_the_publisher_lag(app: Recruitment, clock: FakeClock,
                                        kafka_settings: Settings) -> None:
    from api import create_app

    flask_app = create_app(kafka_settings)
    try:
        web = flask_app.test_client()

        def publisher_status() -> dict[str, int] | None:
            answer = web.get("/readyz")
            assert answer.status_code == 200, answer.text
            assert answer.json["log_head"] == log_head(app)
            return answer.json.get("publisher")

        app.register_client("Acme Robotics GmbH", by(ADMIN), id=CLIENT_ID)
        assert publisher_status() is None, "no publisher ever ran: nothing to report"
        for n in range(5):
            clock.advance(hours=1)
            app.register_client(f"Client {n}", by(ADMIN))
        head = log_head(app)
        with publisher_of(app, kafka_settings) as publisher:
            assert publisher_status() == {"position": 0, "lag": head}
            assert publish_all(publisher) == head
            assert publisher_status() == {"position": head, "lag": 0}
            clock.advance(hours=1)
            app.open_position(client_id=CLIENT_ID, title="SRE", headcount=1,
                              skills=[Skill("linux", 3)], assessment_name="Incident drill",
                              assessment_minutes=60, caller=by())
            assert publisher_status() == {"position": head, "lag": 1}
            assert publisher.publish_once() == 1
            assert publisher_status() == {"position": head + 1, "lag": 0}
    finally:
        flask_app.extensions["hirelog"].close()


def test_without_kafka_settings_there_is_no_publisher(app: Recruitment,
                                                      settings: Settings) -> None:
    assert settings.kafka_bootstrap_servers is None
    with pytest.raises(ValueError, match="KAFKA_BOOTSTRAP_SERVERS"):
        Publisher(app, settings)
    assert stored_position(app) is None
    from api.cli import main

    result = CliRunner().invoke(main, ["publish"], env={
        "DATABASE_URL": settings.database_url, "HIRELOG_ID_KEY": settings.id_key or "",
        "KAFKA_BOOTSTRAP_SERVERS": ""})
    assert result.exit_code == 1
    assert "KAFKA_BOOTSTRAP_SERVERS" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_serve_publishes_in_process_when_kafka_is_set(
        kafka_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.e2e.conftest import start_server

    prefix, bootstrap = kafka_settings.kafka_topic_prefix, kafka_settings.kafka_bootstrap_servers
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", bootstrap)
    monkeypatch.setenv("HIRELOG_KAFKA_TOPIC_PREFIX", prefix)
    log = tmp_path / "server.log"
    server = start_server(kafka_settings, log)
    try:
        api = server.api()
        made = api.post("/api/v1/clients", {"name": "Acme Robotics GmbH"})
        assert made.status_code == 201, made.text
        client_id = made.json()["id"]
        def caught_up() -> dict[str, Any] | None:
            ready = api.get("/readyz").json()
            return ready if ready.get("publisher", {}).get("lag") == 0 else None

        ready = wait_for(caught_up, "the in-process publisher caught up")
        assert ready["publisher"]["position"] == ready["log_head"] >= 1
        messages = read_messages(bootstrap, prefix, at_least=ready["log_head"])
        events = check_all(messages, prefix)
        assert [e["subject"] for e in events if e["type"] == "hirelog.client.registered.v1"] == [
            client_id]
    finally:
        server.process.terminate()
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    text = log.read_text()
    assert "publishing events to Kafka" in text and bootstrap in text, text


@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)  # the store does not matter
def test_consume_resumes_from_its_group_offsets_and_replays_from_the_beginning(
        app: Recruitment, clock: FakeClock, kafka_settings: Settings) -> None:
    hiring_flow(app, clock)
    head = log_head(app)
    group = f"resume-{kafka_settings.kafka_topic_prefix}"
    with publisher_of(app, kafka_settings) as publisher:
        assert publish_all(publisher) == head
        first = printed_events(consume(kafka_settings, "--group", group, "--from-beginning",
                                       "--idle-timeout", "4", "--max-poll-interval-ms", "3000"))
        assert len(first) == len({e["id"] for e in first}) == head
        for n in range(3):
            clock.advance(hours=1)
            app.register_client(f"Client {n}", by(ADMIN))
        assert publish_all(publisher) == 3
    # the group committed its offsets: without --from-beginning only the new events come
    new = printed_events(consume(kafka_settings, "--group", group, "--idle-timeout", "4",
                                 "--max-poll-interval-ms", "3000"))
    assert sorted(e["logposition"] for e in new) == [head + 1, head + 2, head + 3]
    assert {e["type"] for e in new} == {"hirelog.client.registered.v1"}
    # --from-beginning replays the whole history for the same group; --max-messages stops it
    again = printed_events(consume(kafka_settings, "--group", group, "--from-beginning",
                                   "--max-messages", "5", "--idle-timeout", "6",
                                   "--max-poll-interval-ms", "3000"))
    assert len(again) == 5 and len({e["id"] for e in again}) == 5
    assert {e["id"] for e in again} <= {e["id"] for e in first + new}
    assert not schema_errors(again[0])


def test_two_publishers_at_once_leave_no_gap(app: Recruitment, clock: FakeClock,
                                             kafka_settings: Settings) -> None:
    """Two publishers on one database (say `hirelog serve` with Kafka set, and `hirelog
    publish`): both send, the compare-and-set keeps one position; deduplicated by id, a
    consumer gets exactly the log, in order."""
    one = Publisher(app, kafka_settings, batch_size=4)
    two = Publisher(app, kafka_settings, batch_size=3)
    threads = [one.start_thread(), two.start_thread()]
    try:
        hiring_flow(app, clock)
        head = log_head(app)
        wait_for(lambda: one.lag() == 0, "the publishers caught up")
    finally:
        for thread, stop in threads:
            stop.set()
            thread.join(timeout=30)
    assert stored_position(app) == head
    prefix = kafka_settings.kafka_topic_prefix
    messages = read_messages(kafka_settings.kafka_bootstrap_servers, prefix, at_least=head)
    check_all(messages, prefix)
    assert_exactly_the_log(messages, event_log(app), prefix)

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
import uuid
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from domain.application import Recruitment
from domain.values import Skill
from hirelog.settings import Settings
from projections import catalog
from projections.kafka.publisher import Publisher
from tests.fakes import ADMIN, RECRUITER, FakeClock, by
from tests.kafka_messages import (
    CLIENT_ID,
    DOCS,
    HIRING_MANAGER,
    POSITION_ID,
    Message,
    assert_exactly_the_log,
    assert_versions_in_order,
    check_all,
    event_log,
    hiring_flow,
    log_head,
    partition_counts,
    personal_data_in,
    publish_all,
    publisher_of,
    read_messages,
    schema_errors,
    stored_position,
    validators,
    wait_for,
)

# --- reading the topics back ----------------------------------------------------------------









# --- checking messages -----------------------------------------------------------------------





















# --- publishing --------------------------------------------------------------------------------











def consume(settings: Settings, *args: str) -> Any:
    """`hirelog consume ARGS` in this process (click's runner), with the settings' environment."""
    from cli.main import main

    env = {"DATABASE_URL": settings.database_url, "HIRELOG_ID_KEY": settings.id_key or "",
           "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers or "",
           "HIRELOG_KAFKA_TOPIC_PREFIX": settings.kafka_topic_prefix}
    return CliRunner().invoke(main, ["consume", *args], env=env, catch_exceptions=False)


def printed_events(result: Any) -> list[dict[str, Any]]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


# --- the hiring flow ---------------------------------------------------------------------------







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
        "recommended", "selected_for_interview", "presented", "interview_scheduled",
        "interviewed",
        "interviewed", "decided", "offer_sent", "offer_accepted", "hired"]
    assert data["hirelog.candidate.contacted.v1"]["position_id"] == str(POSITION_ID)
    assert data["hirelog.candidate.contacted.v1"]["client_id"] == str(CLIENT_ID)
    assert data["hirelog.candidate.assessed.v1"]["rubric_revision"] == 2
    assert data["hirelog.candidate.assessed.v1"]["grades"] == {
        "python": "strong_yes", "sql": "yes", "kafka": "mixed"}
    assert data["hirelog.candidate.interview_scheduled.v1"]["interviewer_count"] == 2
    assert data["hirelog.candidate.decided.v1"]["outcome"] == "hire"
    assert data["hirelog.candidate.offer_sent.v1"]["start_date"] == "2026-03-02"
    assert data["hirelog.candidate.hired.v1"] == {  # what and for whom: no earlier event needed
        "client_id": str(CLIENT_ID), "position_id": str(POSITION_ID), "start_date": "2026-03-02",
        "actor": {"id": RECRUITER.id, "role": "recruiter", "client_id": None}}
    assert data["hirelog.candidate.selected_for_interview.v1"]["actor"] == {
        "id": HIRING_MANAGER.id, "role": "client", "client_id": str(CLIENT_ID)}
    rejected = by_key[str(flow.candidates["rejected"])]
    assert [e["type"].split(".")[2] for e in rejected][-4:] == [
        "decided", "reopened", "decided", "rejection_sent"]
    assert rejected[-3]["data"] == {"undoes": "Decided", "back_to": "recommended",
                                    "actor": rejected[-3]["data"]["actor"]}
    declined = by_key[str(flow.candidates["declined"])]
    details, source = [e for e in declined
                       if e["type"].endswith(".contact_details_corrected.v1")]
    assert (details["data"]["corrected"], details["data"]["source"]) == (["email", "name"],
                                                                         None)
    # which fields, not their personal values; a corrected source (a code) is published
    assert (source["data"]["corrected"], source["data"]["source"]) == (["source"], "referral")
    [corrected] = [e for e in rejected if e["type"].endswith(".assessment_corrected.v1")]
    assert corrected["data"]["grades"] == {"python": "yes", "sql": "no", "kafka": "no_decision"}
    assert "reason" not in corrected["data"]  # free text stays off Kafka
    abandoned = by_key[str(flow.candidates["abandoned"])]
    assert [e["type"].split(".")[2] for e in abandoned][-2:] == [
        "assessment_abandoned", "rejection_sent"]
    assert abandoned[-2]["data"]["reason"] == "too_long"
    position = by_key[str(POSITION_ID)]
    assert [e["type"] for e in position] == [
        "hirelog.position.opened.v1", "hirelog.position.rubric_revised.v1",
        "hirelog.position.placement_recorded.v1", "hirelog.position.status_changed.v1"]
    # the hire counted on its position, in the same transaction, just before the Hired
    assert position[2]["data"]["candidate_id"] == str(flow.candidates["hired"])
    assert position[2]["logposition"] == hired[-1]["logposition"] - 1
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
             "data": {"client_id": str(CLIENT_ID), "position_id": str(POSITION_ID),
                      "start_date": "2026-03-02",
                      "actor": {"id": "tok", "role": "recruiter", "client_id": None}}}
    assert json.loads(path.read_text())["title"] == event["type"]
    assert schema_errors(event) == []
    data = event["data"]
    assert isinstance(data, dict)
    # a hire published before position_id was added is still valid
    assert schema_errors({**event, "data": {k: v for k, v in data.items()
                                            if k != "position_id"}}) == []
    for broken in ({"subject": "not-a-uuid"}, {"time": "yesterday"},
                   {"data": {**data, "start_date": "2026-02-30"}},
                   {"data": {**data, "name": "Zelda Quistorp"}}):
        assert schema_errors({**event, **broken}), broken


@pytest.mark.slow
def test_re_sent_events_keep_their_ids_and_consume_prints_each_once(
        app: Recruitment, clock: FakeClock, kafka_settings: Settings) -> None:
    hiring_flow(app, clock)
    log, head = event_log(app), log_head(app)
    with publisher_of(app, kafka_settings) as publisher:
        assert publish_all(publisher) == head
    # the tracked position goes back to 0 (as if every ack had been lost): all sent again,
    # by a new publisher (whose topics already exist)
    with app.tables.transaction() as cursor:
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
                     "--idle-timeout", "1", "--max-poll-interval-ms", "2000")
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


def test_constructing_a_publisher_writes_nothing(app: Recruitment, settings: Settings) -> None:
    """Its position is registered before its first batch, not when it is built."""
    publisher = Publisher(app, replace(settings, kafka_bootstrap_servers="127.0.0.1:1"))
    assert stored_position(app) is None
    publisher.prepare()
    assert stored_position(app) == 0


def test_without_kafka_settings_there_is_no_publisher(app: Recruitment,
                                                      settings: Settings) -> None:
    assert settings.kafka_bootstrap_servers is None
    with pytest.raises(ValueError, match="KAFKA_BOOTSTRAP_SERVERS"):
        Publisher(app, settings)
    assert stored_position(app) is None
    from cli.main import main

    result = CliRunner().invoke(main, ["publish"], env={
        "DATABASE_URL": settings.database_url, "HIRELOG_ID_KEY": settings.id_key or "",
        "KAFKA_BOOTSTRAP_SERVERS": ""})
    assert result.exit_code == 1
    assert "KAFKA_BOOTSTRAP_SERVERS" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_serve_publishes_in_process_when_kafka_is_set(
        kafka_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.servers import start_server

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


@pytest.mark.slow
@pytest.mark.parametrize("settings", ["sqlite"], indirect=True)  # the store does not matter
def test_consume_resumes_from_its_group_offsets_and_replays_from_the_beginning(
        app: Recruitment, clock: FakeClock, kafka_settings: Settings) -> None:
    hiring_flow(app, clock)
    head = log_head(app)
    group = f"resume-{kafka_settings.kafka_topic_prefix}"
    with publisher_of(app, kafka_settings) as publisher:
        assert publish_all(publisher) == head
        first = printed_events(consume(kafka_settings, "--group", group, "--from-beginning",
                                       "--idle-timeout", "1", "--max-poll-interval-ms", "2000"))
        assert len(first) == len({e["id"] for e in first}) == head
        for n in range(3):
            clock.advance(hours=1)
            app.register_client(f"Client {n}", by(ADMIN))
        assert publish_all(publisher) == 3
    # the group committed its offsets: without --from-beginning only the new events come
    new = printed_events(consume(kafka_settings, "--group", group, "--idle-timeout", "1",
                                 "--max-poll-interval-ms", "2000"))
    assert sorted(e["logposition"] for e in new) == [head + 1, head + 2, head + 3]
    assert {e["type"] for e in new} == {"hirelog.client.registered.v1"}
    # --from-beginning replays the whole history for the same group; --max-messages stops it
    again = printed_events(consume(kafka_settings, "--group", group, "--from-beginning",
                                   "--max-messages", "5", "--idle-timeout", "6",
                                   "--max-poll-interval-ms", "2000"))
    assert len(again) == 5 and len({e["id"] for e in again}) == 5
    assert {e["id"] for e in again} <= {e["id"] for e in first + new}
    assert not schema_errors(again[0])


@pytest.mark.slow
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
        for _, stop in threads:
            stop.set()
        for thread, _ in threads:
            thread.join(timeout=30)
    assert stored_position(app) == head
    prefix = kafka_settings.kafka_topic_prefix
    messages = read_messages(kafka_settings.kafka_bootstrap_servers, prefix, at_least=head)
    check_all(messages, prefix)
    assert_exactly_the_log(messages, event_log(app), prefix)

"""The published event contract: the committed JSON Schemas, AsyncAPI document and events.md are
exactly what projections.kafka.event_schemas generates from FIELDS, FIELDS names real fields of real
domain events (and covers every one of them), no personal field is ever listed, and the AsyncAPI
document describes every schema on the topic of its aggregate."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from domain.base import HiringAggregate
from domain.candidate import Candidate
from domain.client import Client
from domain.position import Position
from projections.kafka.cloudevents import AGGREGATES, FIELDS, event_type, topic_for
from projections.kafka.event_schemas import (
    ADDED_LATER,
    all_schemas,
    asyncapi,
    data_fields,
    write_docs,
)

DOCS = Path(__file__).resolve().parents[2] / "docs"
AGGREGATE_CLASSES = {"Client": Client, "Position": Position, "Candidate": Candidate}
# The bases eventsourcing keeps in every aggregate's namespace: never recorded themselves.
BASES = {"Event", "Created", "Shown"}  # bases, never recorded themselves
# Fields of domain events that hold personal data or free text about a person: never on Kafka.
PERSONAL = {"name", "email", "message", "note", "notes", "summary", "reason", "interviewer",
            "interviewers", "decided_by", "salary", "location"}
# ...except these, which FIELDS documents as not personal.
NOT_PERSONAL = {("Client", "Registered", "name"),  # a company's name
                ("Candidate", "AssessmentAbandoned", "reason")}  # one of five codes


def event_classes() -> dict[tuple[str, str], type]:
    """(aggregate, event name) -> class, for every domain event of Client, Position, Candidate."""
    found = {}
    for aggregate, cls in AGGREGATE_CLASSES.items():
        for name, value in vars(cls).items():
            if (isinstance(value, type) and issubclass(value, HiringAggregate.Event)
                    and name not in BASES):
                found[(aggregate, name)] = value
    return found


def test_every_aggregate_has_a_topic() -> None:
    assert set(AGGREGATES) == set(AGGREGATE_CLASSES)
    assert {topic_for(a, "hirelog") for a in AGGREGATES} == {
        "hirelog.candidates", "hirelog.positions", "hirelog.clients"}


def test_the_committed_docs_are_what_the_generator_writes(tmp_path: Path) -> None:
    written = write_docs(tmp_path)
    generated = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    committed = sorted([*(f"events/{p.name}" for p in (DOCS / "events").iterdir()),
                        "asyncapi.json", "events.md"])
    assert generated == committed, "docs/ lists other files than the generator writes: run " \
                                   "`python -m projections.kafka.event_schemas docs`"
    stale = [name for name in generated
             if (tmp_path / name).read_text() != (DOCS / name).read_text()]
    assert not stale, f"out of date (run `python -m projections.kafka.event_schemas docs`): {stale}"


def test_the_committed_schemas_are_the_generated_ones_and_valid_2020_12() -> None:
    schemas = all_schemas()
    assert len(schemas) == len(FIELDS)
    for kind, schema in schemas.items():
        committed = json.loads((DOCS / "events" / f"{kind}.json").read_text())
        assert committed == schema
        Draft202012Validator.check_schema(committed)
        assert committed["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert committed["properties"]["type"] == {"const": kind}


@pytest.mark.parametrize(("aggregate", "name"), sorted(FIELDS))
def test_every_fields_entry_names_real_fields_of_its_domain_event(aggregate: str,
                                                                  name: str) -> None:
    classes = event_classes()
    assert (aggregate, name) in classes, f"{aggregate}.{name} is not a domain event"
    real = {f.name for f in dataclasses.fields(classes[(aggregate, name)])}
    listed = FIELDS[(aggregate, name)]
    assert len(set(listed)) == len(listed), f"{aggregate}.{name} lists a field twice"
    assert set(listed) <= real, (
        f"{aggregate}.{name}: FIELDS names {sorted(set(listed) - real)}, which the event "
        f"does not have (it has {sorted(real)})")


def test_every_domain_event_class_has_a_fields_entry() -> None:
    classes = event_classes()
    assert len(classes) >= 24  # 1 client, 4 position, 19 candidate events today
    missing = sorted(f"{a}.{n}" for a, n in classes if (a, n) not in FIELDS)
    assert not missing, f"domain events that would not be published (no FIELDS entry): {missing}"
    assert set(FIELDS) == set(classes)


def test_no_personal_field_is_published() -> None:
    leaked = sorted(f"{a}.{n}.{f}" for (a, n), fields in FIELDS.items() for f in fields
                    if f in PERSONAL and (a, n, f) not in NOT_PERSONAL)
    assert not leaked, f"personal data would go to Kafka: {leaked}"
    interview = data_fields("Candidate", "InterviewScheduled")
    assert "interviewers" not in interview and "interviewer_count" in interview


def test_every_schema_requires_exactly_its_published_data() -> None:
    for (aggregate, name), schema in ((k, all_schemas()[event_type(*k)]) for k in FIELDS):
        data = schema["properties"]["data"]
        expected = {*data_fields(aggregate, name), "actor"}
        added_later = set(ADDED_LATER.get((aggregate, name), ()))
        assert set(data["required"]) | added_later == expected == set(data["properties"])
        assert not added_later & set(data["required"])
        assert data["additionalProperties"] is False
        assert schema["additionalProperties"] is False
        assert set(data["properties"]["actor"]["properties"]) == {"id", "role", "client_id"}


def test_the_asyncapi_document_references_every_schema() -> None:
    document = json.loads((DOCS / "asyncapi.json").read_text())
    assert document == asyncapi()
    assert document["asyncapi"].startswith("2.")
    messages = document["components"]["messages"]
    schema_files = {p.name for p in (DOCS / "events").glob("*.json")}
    assert set(messages) == set(all_schemas())
    payloads = {m["payload"]["$ref"] for m in messages.values()}
    assert payloads == {f"events/{name}" for name in schema_files}, (
        "every schema file is some message's payload, and every payload is a file")
    for kind, message in messages.items():
        assert message["payload"]["$ref"] == f"events/{kind}.json"
        assert (DOCS / message["payload"]["$ref"]).is_file()
        assert message["headers"]["properties"]["ce_type"] == {"const": kind}
        assert "ce_id" in message["headers"]["properties"]
    # every message is on its aggregate's channel, and every channel's reference resolves
    on_channels: dict[str, str] = {}
    assert set(document["channels"]) == {topic_for(a, "hirelog") for a in AGGREGATES}
    for channel, spec in document["channels"].items():
        for ref in spec["subscribe"]["message"]["oneOf"]:
            prefix = "#/components/messages/"
            assert ref["$ref"].startswith(prefix)
            kind = ref["$ref"][len(prefix):]
            assert kind in messages, f"{channel} references a missing message {kind}"
            assert kind not in on_channels, f"{kind} is on two channels"
            on_channels[kind] = channel
    assert set(on_channels) == set(messages), "a message is on no channel"
    for (aggregate, name) in FIELDS:
        assert on_channels[event_type(aggregate, name)] == topic_for(aggregate, "hirelog")


def test_events_md_documents_every_type_with_its_fields() -> None:
    text = (DOCS / "events.md").read_text()
    rows = {line.split("|")[1].strip().strip("`"): line for line in text.splitlines()
            if line.startswith("| `hirelog.")}
    assert set(rows) == set(all_schemas())
    for aggregate, name in FIELDS:
        row = rows[event_type(aggregate, name)]
        assert f"`{topic_for(aggregate, 'hirelog')}`" in row
        for field in data_fields(aggregate, name):
            assert f"`{field}`" in row

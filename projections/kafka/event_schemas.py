"""JSON Schemas of the messages on Kafka, and the AsyncAPI document of the topics, built from
projections.kafka.cloudevents.FIELDS. `python -m projections.kafka.event_schemas docs` writes
them to docs/events/ and docs/asyncapi.json (a test checks the committed files are current)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from domain.stages import Stage
from domain.values import AbandonReason, Grade, Outcome, PositionStatus, Source
from projections.kafka.cloudevents import AGGREGATES, FIELDS, SPEC_VERSION, event_type

UUID = {"type": "string", "format": "uuid"}
TIME = {"type": "string", "format": "date-time"}
DATE = {"type": "string", "format": "date"}
TEXT = {"type": "string", "minLength": 1}
COUNT = {"type": "integer", "minimum": 0}
SKILL = {"type": "object", "additionalProperties": False,
         "required": ["name", "weight", "required"],
         "properties": {"name": TEXT, "weight": {"type": "integer", "minimum": 1, "maximum": 5},
                        "required": {"type": "boolean"}}}


def _enum(values: Any) -> dict[str, Any]:
    return {"type": "string", "enum": [v.value for v in values]}


FIELD_SCHEMAS: dict[str, dict[str, Any]] = {
    "name": {**TEXT, "description": "the client company's name"},
    "client_id": UUID, "position_id": UUID, "candidate_id": UUID, "title": TEXT, "headcount": COUNT,
    "skills": {"type": "array", "items": SKILL, "minItems": 1},
    "assessment_name": TEXT, "assessment_minutes": COUNT, "duration_minutes": COUNT,
    "revision": COUNT, "rubric_revision": COUNT, "status": _enum(PositionStatus),
    "source": _enum(Source), "channel": {"type": ["string", "null"]},
    "due_at": TIME, "scheduled_at": TIME, "expires_at": TIME, "start_date": DATE,
    "grades": {"type": "object", "additionalProperties": _enum(Grade)},
    "reason": _enum(AbandonReason), "round": COUNT,
    "rating": {"type": "string", "enum": [g.value for g in Grade if g is not Grade.NO_DECISION]},
    "outcome": _enum(Outcome), "interviewer_count": COUNT,
    "undoes": {"type": "string", "enum": ["Decided", "Disqualified"]},
    "back_to": _enum(Stage),
    "corrected": {"type": "array", "minItems": 1, "uniqueItems": True,
                  "items": {"type": "string", "enum": ["channel", "email", "name", "source"]}},
}
ACTOR = {"type": "object", "additionalProperties": False, "required": ["id", "role", "client_id"],
         "description": "who recorded it: token id and role (no name), client id for clients",
         "properties": {"id": TEXT, "role": TEXT,
                        "client_id": {**UUID, "type": ["string", "null"]}}}


# Fields added to a type after messages of it were published: every new message has them,
# messages already on the topics do not, so the type's schema does not require them (a
# consumer replaying from the beginning validates both).
ADDED_LATER: dict[tuple[str, str], tuple[str, ...]] = {("Candidate", "Hired"): ("position_id",)}


# Fields that are null where the event does not carry them (a correction of other fields).
NULLABLE: dict[tuple[str, str], tuple[str, ...]] = {
    ("Candidate", "ContactDetailsCorrected"): ("source",)}


def field_schema(aggregate: str, name: str, field: str) -> dict[str, Any]:
    schema = FIELD_SCHEMAS[field]
    if field in NULLABLE.get((aggregate, name), ()):
        return {"anyOf": [schema, {"type": "null"}]}
    return schema


def data_fields(aggregate: str, name: str) -> list[str]:
    fields = list(FIELDS[(aggregate, name)])
    if (aggregate, name) == ("Candidate", "InterviewScheduled"):
        fields.append("interviewer_count")
    if (aggregate, name) == ("Candidate", "Hired"):
        fields.append("position_id")
    return fields


def message_schema(aggregate: str, name: str) -> dict[str, Any]:
    """The whole CloudEvent (structured mode) of one event type."""
    fields = data_fields(aggregate, name)
    kind = event_type(aggregate, name)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://hirelog.dev/schemas/{kind}.json", "title": kind,
        "type": "object", "additionalProperties": False,
        "required": ["specversion", "id", "source", "type", "subject", "time",
                     "datacontenttype", "aggregateversion", "logposition", "data"],
        "properties": {
            "specversion": {"const": SPEC_VERSION}, "id": UUID,
            "source": {"const": f"/hirelog/{AGGREGATES[aggregate][1]}"},
            "type": {"const": kind}, "subject": UUID, "time": TIME,
            "datacontenttype": {"const": "application/json"},
            "aggregateversion": {"type": "integer", "minimum": 1},
            "logposition": {"type": "integer", "minimum": 1},
            "data": {"type": "object", "additionalProperties": False,
                     "required": [*(f for f in fields
                                    if f not in ADDED_LATER.get((aggregate, name), ())),
                                  "actor"],
                     "properties": {**{f: field_schema(aggregate, name, f) for f in fields},
                                    "actor": ACTOR}},
        },
    }


def all_schemas() -> dict[str, dict[str, Any]]:
    return {event_type(a, n): message_schema(a, n) for a, n in FIELDS}


def asyncapi(prefix: str = "hirelog") -> dict[str, Any]:
    channels = {}
    for aggregate, (_, plural) in AGGREGATES.items():
        kinds = [event_type(a, n) for a, n in FIELDS if a == aggregate]
        channels[f"{prefix}.{plural}"] = {
            "description": f"Every {aggregate.lower()} event in log order per {aggregate.lower()}"
                           " (message key: the aggregate id). Deduplicate by `id`.",
            "subscribe": {"operationId": f"consume{aggregate}Events", "message": {
                "oneOf": [{"$ref": f"#/components/messages/{k}"} for k in kinds]}},
        }
    return {
        "asyncapi": "2.6.0",
        "info": {"title": "hirelog domain events", "version": "1.0.0",
                 "description": "CloudEvents 1.0 in structured JSON mode; headers ce_id and "
                                "ce_type repeat the id and type. Delivery is at least once."},
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "components": {"messages": {
            kind: {"name": kind, "title": kind, "contentType": "application/cloudevents+json",
                   "headers": {"type": "object", "properties": {
                       "ce_id": {"type": "string"}, "ce_type": {"const": kind}}},
                   "payload": {"$ref": f"events/{kind}.json"}}
            for kind in all_schemas()}},
    }


def markdown() -> str:
    """docs/events.md: what each event type carries, for consumers."""
    lines = ["# Events on Kafka", "",
             "Generated by `python -m projections.kafka.event_schemas docs`; "
             "do not edit by hand.", "",
             "Every message is a CloudEvent 1.0 in structured JSON mode: `id` (stable per domain "
             "event: deduplicate on it), `source`, `type`, `subject` (the aggregate id, also the "
             "message key), `time`, `datacontenttype`, `aggregateversion`, `logposition` and "
             "`data`. Headers `ce_id` and `ce_type` repeat the id and type. `data.actor` is "
             "`{id, role, client_id}` of who recorded it. No personal data is published: no "
             "names or emails of candidates, no free-text notes, reasons or messages, no "
             "salaries, no interviewer names. Fetch those from the API with your own token.",
             "", "| type | topic | data (besides actor) |", "| --- | --- | --- |"]
    for aggregate, name in FIELDS:
        fields = ", ".join(f"`{f}`" for f in data_fields(aggregate, name)) or "(none)"
        lines.append(f"| `{event_type(aggregate, name)}` | `hirelog.{AGGREGATES[aggregate][1]}`"
                     f" | {fields} |")
    return "\n".join(lines) + "\n"


def write_docs(folder: Path) -> list[Path]:
    (folder / "events").mkdir(parents=True, exist_ok=True)
    written = []
    for kind, schema in all_schemas().items():
        path = folder / "events" / f"{kind}.json"
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        written.append(path)
    path = folder / "asyncapi.json"
    path.write_text(json.dumps(asyncapi(), indent=2, sort_keys=True) + "\n")
    (folder / "events.md").write_text(markdown())
    return [*written, path, folder / "events.md"]


if __name__ == "__main__":
    for written in write_docs(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(written)

"""Domain events as CloudEvents 1.0 (structured JSON) for Kafka: the public contract with
downstream consumers. Personal data (names, emails, free-text notes and reasons, salaries,
interviewer names) never goes on Kafka: consumers get ids and facts, and fetch details from
the API with their own token. FIELDS lists exactly what each event type carries."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from hirelog.jsonable import plain

SPEC_VERSION = "1.0"
ID_NAMESPACE = uuid.UUID("6f1c1c3e-5a53-4c5e-9a0e-68697265c0de")

# aggregate class name -> (type prefix, topic suffix)
AGGREGATES = {"Client": ("client", "clients"), "Position": ("position", "positions"),
              "Candidate": ("candidate", "candidates")}

# (aggregate, event class) -> the event fields published as `data` (besides `actor`).
FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("Client", "Registered"): ("name",),  # a company's name, not a person's
    ("Position", "Opened"): ("client_id", "title", "headcount", "skills", "assessment_name",
                             "assessment_minutes"),
    ("Position", "RubricRevised"): ("revision", "skills"),
    ("Position", "PlacementRecorded"): ("candidate_id",),
    ("Position", "StatusChanged"): ("status",),
    # (channel is free text a recruiter types, so it could name a person: not published)
    ("Candidate", "Contacted"): ("position_id", "client_id", "source"),
    ("Candidate", "Applied"): (),
    ("Candidate", "AssessmentAssigned"): ("assessment_name", "duration_minutes", "due_at"),
    ("Candidate", "AssessmentRescheduled"): ("due_at",),
    ("Candidate", "Assessed"): ("grades", "rubric_revision", "skills"),
    ("Candidate", "AssessmentAbandoned"): ("reason",),  # one of five codes, not free text
    ("Candidate", "Recommended"): (),  # what the client was shown names the person
    ("Candidate", "Presented"): (),
    ("Candidate", "Disqualified"): (),
    ("Candidate", "SelectedForInterview"): (),
    ("Candidate", "InterviewScheduled"): ("scheduled_at",),
    ("Candidate", "Interviewed"): ("round", "rating"),
    ("Candidate", "Decided"): ("outcome",),
    ("Candidate", "OfferSent"): ("start_date", "expires_at"),
    ("Candidate", "OfferAccepted"): (),
    ("Candidate", "OfferDeclined"): (),
    ("Candidate", "RejectionSent"): (),
    ("Candidate", "Hired"): ("client_id", "start_date"),
    ("Candidate", "Withdrawn"): (),
    ("Candidate", "Reopened"): ("undoes", "back_to"),  # (its reason is free text)
    ("Candidate", "AssessmentCorrected"): ("grades", "rubric_revision", "skills"),
    # which fields were corrected, not their values (personal), but a corrected source (how
    # the agency found the candidate: one of six codes), so counts by source can follow
    ("Candidate", "ContactDetailsCorrected"): ("corrected", "source"),
}
# ...and InterviewScheduled also carries `interviewer_count` (how many, not who), and Hired
# `position_id`: the candidate's position (its domain event names only the client; a
# consumer should not have to keep the candidate's first event to know what the hire is for).


# The version in a message's type is that of its published data, which changes only when the
# data does: not the stored event's class_version (Candidate.Recommended is stored as version
# 2, with what the client was shown, and publishes the same nothing-personal data as before).
PUBLISHED_VERSIONS: dict[tuple[str, str], int] = {}


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def kinds(event: Any) -> tuple[str, str]:
    """(aggregate class name, event class name) of a domain event."""
    aggregate, _, name = type(event).__qualname__.rpartition(".")
    return aggregate, name


def event_type(aggregate: str, name: str, version: int = 1) -> str:
    return f"hirelog.{AGGREGATES[aggregate][0]}.{snake(name)}.v{version}"


def event_id(aggregate_id: uuid.UUID, version: int) -> str:
    """Stable per domain event: the same on every re-send, so consumers can deduplicate."""
    return str(uuid.uuid5(ID_NAMESPACE, f"{aggregate_id}/{version}"))


def topic_for(aggregate: str, prefix: str) -> str:
    return f"{prefix}.{AGGREGATES[aggregate][1]}"


def to_cloudevent(event: Any, position: int,
                  position_id: uuid.UUID | None = None) -> dict[str, Any]:
    """The CloudEvent of one domain event at log position `position` (`position_id`: the
    candidate's position, which a hire's CloudEvent carries)."""
    aggregate, name = kinds(event)
    data = {field: plain(getattr(event, field)) for field in FIELDS[(aggregate, name)]}
    if (aggregate, name) == ("Candidate", "InterviewScheduled"):
        data["interviewer_count"] = len(event.interviewers)
    if (aggregate, name) == ("Candidate", "Hired"):
        if position_id is None:
            raise ValueError("a hire's CloudEvent carries the candidate's position_id")
        data["position_id"] = str(position_id)
    actor = event.actor
    data["actor"] = {"id": actor.id, "role": actor.role,
                     "client_id": str(actor.client_id) if actor.client_id else None}
    return {
        "specversion": SPEC_VERSION,
        "id": event_id(event.originator_id, event.originator_version),
        "source": f"/hirelog/{AGGREGATES[aggregate][1]}",
        "type": event_type(aggregate, name, PUBLISHED_VERSIONS.get((aggregate, name), 1)),
        "subject": str(event.originator_id),
        "time": event.timestamp.isoformat(),
        "datacontenttype": "application/json",
        "aggregateversion": event.originator_version,
        "logposition": position,
        "data": data,
    }


def to_message(event: Any, position: int, prefix: str, position_id: uuid.UUID | None = None
               ) -> tuple[str, bytes, bytes, list[tuple[str, bytes]]]:
    """(topic, key, value, headers) of the Kafka message for one domain event."""
    cloudevent = to_cloudevent(event, position, position_id)
    aggregate, _ = kinds(event)
    value = json.dumps(cloudevent, separators=(",", ":"), sort_keys=True).encode()
    headers = [("ce_id", cloudevent["id"].encode()), ("ce_type", cloudevent["type"].encode()),
               ("ce_specversion", SPEC_VERSION.encode()),
               ("content-type", b"application/cloudevents+json")]
    return topic_for(aggregate, prefix), cloudevent["subject"].encode(), value, headers

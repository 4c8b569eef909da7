"""Aggregates and events as the API shows them (dicts for the response schemas)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.candidacy import Presentation
from domain.candidate import Candidate
from domain.client import Client
from domain.position import Position
from domain.stages import ANY_STAGE, COMMANDS
from domain.values import failed_required_skills
from hirelog.jsonable import plain

# Domain command -> the API step that records it (POST /candidates/{id}/<step>).
STEP_OF_COMMAND = {
    "apply": "application", "assign_assessment": "assessment",
    "reschedule_assessment": "assessment/reschedule", "record_assessment": "assessment/result",
    "abandon_assessment": "assessment/abandonment", "recommend": "recommendation",
    "disqualify": "disqualification", "request_interview": "interview-request",
    "schedule_interview": "interview", "record_interview_feedback": "interview/feedback",
    "decide": "decision", "send_offer": "offer", "send_rejection": "rejection-notice",
    "respond_to_offer": "offer/response", "hire": "placement", "withdraw": "withdrawal",
    "present": "presentation", "reopen": "reopening",
    "correct_assessment": "assessment/correction",
    "correct_contact_details": "contact-details/correction",
}
assert set(STEP_OF_COMMAND) == set(COMMANDS) | set(ANY_STAGE)

EVENT_META = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor",
              "request_id", "seal"}


def client_state(client: Client) -> dict[str, Any]:
    return {"id": client.id, "version": client.version, "name": client.name,
            "created_at": client.created_on, "updated_at": client.modified_on}


def position_state(position: Position) -> dict[str, Any]:
    return {
        "id": position.id, "version": position.version, "client_id": position.client_id,
        "title": position.title, "headcount": position.headcount, "hires": len(position.placements),
        "status": position.status,
        "assessment": {"name": position.assessment_name,
                       "duration_minutes": position.assessment_minutes},
        "rubric_revision": position.rubric_revision, "skills": plain(position.rubric),
        "rubrics": [{"revision": n, "skills": plain(skills)}
                    for n, skills in enumerate(position.rubrics, start=1)],
        "created_at": position.created_on, "updated_at": position.modified_on,
    }


def allowed_arguments(limits: Mapping[str, Mapping[str, tuple[str, ...]]],
                      names: Mapping[str, str] = STEP_OF_COMMAND) -> dict[str, Any]:
    """The steps (by API name) that accept only some values of an argument, and those."""
    return {names.get(command, command): {arg: list(values) for arg, values in limit.items()}
            for command, limit in limits.items() if limit}


def candidate_state(candidate: Candidate, at: datetime) -> dict[str, Any]:
    """The candidate as the API shows it; what is allowed (or expired) is judged at `at`."""
    steps = candidate.allowed_steps(at)
    offer = None
    if candidate.offer is not None:
        offer = {**dataclasses.asdict(candidate.offer), "status": candidate.offer.status(at)}
    interviews = [
        {"round": n, "scheduled_at": i.scheduled_at, "interviewers": list(i.interviewers),
         "location": i.location,
         "feedback": [{"interviewer": f.interviewer, "rating": f.rating, "notes": f.notes}
                      for f in candidate.feedback if f.round == n]}
        for n, i in enumerate(candidate.interviews, start=1)]
    return {
        "id": candidate.id, "version": candidate.version,
        "position_id": candidate.position_id, "client_id": candidate.client_id,
        "name": candidate.name, "email": candidate.email, "source": candidate.source,
        "channel": candidate.channel, "stage": candidate.stage,
        "stage_since": candidate.stage_since,
        "allowed_steps": [STEP_OF_COMMAND[c] for c in steps],
        "allowed_arguments": allowed_arguments(steps),
        "assessment": candidate.assessment, "grades": candidate.grades,
        "rubric_revision": candidate.rubric_revision or None, "score": candidate.score,
        "failed_required_skills": list(candidate.failed_required_skills),
        "interviews": interviews, "decision": candidate.decision,
        "offer": offer,
        "decision_sent_at": candidate.decision_sent_at, "start_date": candidate.start_date,
        "reasons": candidate.reasons,
        "presentation": presentation_state(candidate.presentation),
        "created_at": candidate.created_on, "updated_at": candidate.modified_on,
    }


# The steps a client's users take themselves (the others are the agency's).
CLIENT_STEPS = ("request_interview", "record_interview_feedback", "decide")


def presentation_state(shown: Presentation | None) -> dict[str, Any] | None:
    if shown is None:
        return None
    return {"presented_at": shown.at, "name": shown.name, "summary": shown.summary,
            "score": shown.score, "grades": dict(shown.grades),
            "rubric_revision": shown.rubric_revision, "skills": plain(shown.skills),
            "failed_required_skills": list(failed_required_skills(dict(shown.grades),
                                                                  shown.skills))}


def presented_candidate_state(candidate: Candidate, at: datetime) -> dict[str, Any]:
    """The candidate as a client's user sees it: what the agency presented (the last
    presentation), where the process stands, the client's own steps, interviews, decision
    and offer; no contact details, source, internal notes, reasons or assessment."""
    state = candidate_state(candidate, at)
    steps = {c: limit for c, limit in candidate.allowed_steps(at).items() if c in CLIENT_STEPS}
    interviews = [{**interview, "feedback": [{"interviewer": f["interviewer"],
                                              "rating": f["rating"]}
                                             for f in interview["feedback"]]}
                  for interview in state["interviews"]]
    decision = candidate.decision
    offer = state["offer"]
    return {
        **{key: state[key] for key in ("id", "version", "position_id", "client_id", "stage",
                                       "stage_since", "start_date")},
        "name": candidate.presentations[-1].name,
        "presentation": state["presentation"],
        "allowed_steps": [STEP_OF_COMMAND[c] for c in steps],
        "allowed_arguments": allowed_arguments(steps),
        "interviews": interviews,
        "decision": None if decision is None else {
            "outcome": decision["outcome"], "decided_at": decision["decided_at"],
            "decided_by": decision["decided_by"]},
        "offer": None if offer is None else {
            key: offer[key] for key in ("salary", "currency", "start_date", "expires_at",
                                        "sent_at", "response", "status")},
    }


def history_entry(event: Any) -> dict[str, Any]:
    return {
        "type": type(event).__name__, "version": event.originator_version,
        "recorded_at": event.timestamp, "actor": plain(event.actor),
        "request_id": event.request_id, "seal": getattr(event, "seal", None),
        "data": {k: plain(v) for k, v in vars(event).items() if k not in EVENT_META},
    }

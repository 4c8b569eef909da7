"""The candidates read model: one row per candidacy, plus positions and clients, for the
candidate list, the pipeline, the client dashboard, notices due and the recruiters report."""

from __future__ import annotations

import json
from typing import Any

from domain.values import failed_required_skills, weighted_score
from projections.readmodel import ReadModel, iso
from storage.tables import Cursor


class CandidatesModel(ReadModel):
    name = "candidates"
    tables = {
        "candidates": """
            id TEXT PRIMARY KEY, position_id TEXT NOT NULL, client_id TEXT NOT NULL,
            name TEXT NOT NULL, email TEXT NOT NULL, search TEXT NOT NULL, source TEXT NOT NULL,
            channel TEXT, stage TEXT NOT NULL, stage_since TEXT NOT NULL, score REAL,
            failed_required TEXT NOT NULL, contacted_at TEXT NOT NULL,
            contact_position BIGINT NOT NULL, last_activity TEXT NOT NULL,
            version INTEGER NOT NULL, owner_id TEXT NOT NULL, owner_name TEXT NOT NULL,
            assessment_minutes INTEGER, assessment_due_at TEXT, interview_at TEXT,
            decision TEXT, decided_at TEXT, offer_expires_at TEXT, offer_response TEXT,
            told_at TEXT, start_date TEXT""",
        "positions": """
            id TEXT PRIMARY KEY, client_id TEXT NOT NULL, title TEXT NOT NULL,
            status TEXT NOT NULL, headcount INTEGER NOT NULL, assessment_name TEXT NOT NULL,
            assessment_minutes INTEGER NOT NULL, rubric_revision INTEGER NOT NULL,
            opened_at TEXT NOT NULL""",
        "clients": "id TEXT PRIMARY KEY, name TEXT NOT NULL",
    }
    # a client sees the candidates presented to it: the shortlist model says which
    client_reads_also = ("shortlist",)
    indexes = (("candidates", "contact_position"), ("candidates", "position_id, stage"),
               ("candidates", "client_id, contact_position"), ("positions", "client_id"))

    # --- clients and positions ---
    def on_Registered(self, cursor: Cursor, event: Any, position: int) -> None:
        cursor.execute(f"INSERT INTO {self.table('clients')} (id, name) VALUES (%s, %s)",
                       (str(event.originator_id), event.name))

    def on_Opened(self, cursor: Cursor, event: Any, position: int) -> None:
        cursor.execute(
            f"INSERT INTO {self.table('positions')} (id, client_id, title, status, headcount, "
            "assessment_name, assessment_minutes, rubric_revision, opened_at) "
            "VALUES (%s, %s, %s, 'open', %s, %s, %s, 1, %s)",
            (str(event.originator_id), str(event.client_id), event.title, event.headcount,
             event.assessment_name, event.assessment_minutes, iso(event.timestamp)))

    def on_RubricRevised(self, cursor: Cursor, event: Any, position: int) -> None:
        self._set("positions", event, rubric_revision=event.revision)

    def on_StatusChanged(self, cursor: Cursor, event: Any, position: int) -> None:
        self._set("positions", event, status=event.status)

    # --- candidates ---
    def apply(self, cursor: Cursor, event: Any, position: int) -> None:
        self._pending: dict[str, Any] = {}
        super().apply(cursor, event, position)
        if hasattr(event, "stage_after") and type(event).__name__ != "Contacted":
            stage = event.stage_after()
            changes = dict(self._pending, last_activity=iso(event.timestamp),
                           version=event.originator_version)
            if stage is not None:  # stage_since moves only when the stage really changes
                cursor.execute(
                    f"UPDATE {self.table('candidates')} SET stage_since = CASE WHEN stage = %s "
                    "THEN stage_since ELSE %s END, stage = %s WHERE id = %s",
                    (stage.value, iso(event.timestamp), stage.value, str(event.originator_id)))
            self._write(cursor, "candidates", event, changes)
        elif self._pending:
            self._write(cursor, self._pending.pop("__table"), event, self._pending)

    def on_Contacted(self, cursor: Cursor, event: Any, position: int) -> None:
        at = iso(event.timestamp)
        cursor.execute(
            f"INSERT INTO {self.table('candidates')} (id, position_id, client_id, name, email, "
            "search, source, channel, stage, stage_since, failed_required, contacted_at, "
            "contact_position, last_activity, version, owner_id, owner_name) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'contacted', %s, '[]', %s, %s, %s, 1, %s, %s)",
            (str(event.originator_id), str(event.position_id), str(event.client_id), event.name,
             event.email, f"{event.name} {event.email}".lower(), event.source, event.channel, at,
             at, position, at, event.actor.id, event.actor.name))

    def on_AssessmentAssigned(self, cursor: Cursor, event: Any, position: int) -> None:
        self._pending.update(assessment_minutes=event.duration_minutes,
                             assessment_due_at=iso(event.due_at))

    def on_AssessmentRescheduled(self, cursor: Cursor, event: Any, position: int) -> None:
        self._pending.update(assessment_due_at=iso(event.due_at))

    def on_Assessed(self, cursor: Cursor, event: Any, position: int) -> None:
        self._pending.update(score=weighted_score(event.grades, event.skills),
                             failed_required=json.dumps(list(
                                 failed_required_skills(event.grades, event.skills))))

    def on_AssessmentCorrected(self, cursor: Cursor, event: Any, position: int) -> None:
        self.on_Assessed(cursor, event, position)  # the score follows the corrected grades

    def on_InterviewScheduled(self, cursor: Cursor, event: Any, position: int) -> None:
        self._pending.update(interview_at=iso(event.scheduled_at))

    def on_Decided(self, cursor: Cursor, event: Any, position: int) -> None:
        self._pending.update(decision=event.outcome, decided_at=iso(event.timestamp))

    def on_OfferSent(self, cursor: Cursor, event: Any, position: int) -> None:
        self._pending.update(offer_expires_at=iso(event.expires_at), offer_response=None)

    def on_OfferAccepted(self, cursor: Cursor, event: Any, position: int) -> None:
        self._pending.update(offer_response="accepted")

    def on_OfferDeclined(self, cursor: Cursor, event: Any, position: int) -> None:
        self._pending.update(offer_response="declined")

    def on_RejectionSent(self, cursor: Cursor, event: Any, position: int) -> None:
        self._pending.update(told_at=iso(event.timestamp))

    def on_ContactDetailsCorrected(self, cursor: Cursor, event: Any, position: int) -> None:
        self._pending.update({field: getattr(event, field) for field in event.corrected})
        if {"name", "email"} & set(event.corrected):
            row = cursor.execute(f"SELECT name, email FROM {self.table('candidates')} "
                                 "WHERE id = %s", (str(event.originator_id),)).one()
            assert row is not None
            name, email = event.name or row["name"], event.email or row["email"]
            self._pending.update(search=f"{name} {email}".lower())

    def on_Reopened(self, cursor: Cursor, event: Any, position: int) -> None:
        if event.undoes == "Decided":
            self._pending.update(decision=None, decided_at=None)

    def on_Hired(self, cursor: Cursor, event: Any, position: int) -> None:
        self._pending.update(start_date=event.start_date.isoformat())

    # --- helpers ---
    def _set(self, table: str, event: Any, **changes: Any) -> None:
        self._pending.update(changes, __table=table)

    def _write(self, cursor: Cursor, table: str, event: Any, changes: dict[str, Any]) -> None:
        columns = ", ".join(f"{column} = %s" for column in changes)
        cursor.execute(f"UPDATE {self.table(table)} SET {columns} WHERE id = %s",
                       (*changes.values(), str(event.originator_id)))

"""The assessments read model: one row per assessment assigned, and how it ended, so that
recruiters see when a test is too long (candidates drop out of long tests, or ones that do
not fit their time)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from projections.readmodel import ReadModel, iso
from storage.tables import Cursor

if TYPE_CHECKING:  # projections.reads imports the registry, which imports this module
    pass



class AssessmentsModel(ReadModel):
    name = "assessments"
    tables = {
        # who each candidate is (assessment events do not name the position or client)
        "assessment_people": """
            candidate_id TEXT PRIMARY KEY, position_id TEXT NOT NULL, client_id TEXT NOT NULL""",
        "assessments": """
            candidate_id TEXT NOT NULL, assigned_position BIGINT NOT NULL,
            position_id TEXT NOT NULL, client_id TEXT NOT NULL, name TEXT NOT NULL,
            duration_minutes INTEGER NOT NULL, assigned_at TEXT NOT NULL, due_at TEXT NOT NULL,
            reschedules INTEGER NOT NULL, outcome TEXT NOT NULL, abandon_reason TEXT,
            finished_at TEXT, PRIMARY KEY (candidate_id, assigned_position)""",
    }
    indexes = (("assessments", "client_id"), ("assessments", "position_id"))

    def on_Contacted(self, cursor: Cursor, event: Any, position: int) -> None:
        cursor.execute(f"INSERT INTO {self.table('assessment_people')} (candidate_id, "
                       "position_id, client_id) VALUES (%s, %s, %s)",
                       (str(event.originator_id), str(event.position_id), str(event.client_id)))

    def on_AssessmentAssigned(self, cursor: Cursor, event: Any, position: int) -> None:
        person = cursor.execute(f"SELECT * FROM {self.table('assessment_people')} "
                                "WHERE candidate_id = %s", (str(event.originator_id),)).one()
        assert person is not None, f"no Contacted seen for candidate {event.originator_id}"
        cursor.execute(
            f"INSERT INTO {self.table('assessments')} (candidate_id, assigned_position, "
            "position_id, client_id, name, duration_minutes, assigned_at, due_at, reschedules, "
            "outcome) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 0, 'pending')",
            (person["candidate_id"], position, person["position_id"], person["client_id"],
             event.assessment_name, event.duration_minutes, iso(event.timestamp),
             iso(event.due_at)))

    def on_AssessmentRescheduled(self, cursor: Cursor, event: Any, position: int) -> None:
        self._pending(cursor, event, "reschedules = reschedules + 1, due_at = %s",
                      iso(event.due_at))

    def on_Assessed(self, cursor: Cursor, event: Any, position: int) -> None:
        self._finish(cursor, event, "completed")

    def on_AssessmentAbandoned(self, cursor: Cursor, event: Any, position: int) -> None:
        self._finish(cursor, event, "abandoned", event.reason)

    def on_Withdrawn(self, cursor: Cursor, event: Any, position: int) -> None:
        """Only withdrawing while an assessment is pending ends it (else nothing matches)."""
        self._finish(cursor, event, "withdrawn")

    def _finish(self, cursor: Cursor, event: Any, outcome: str,
                reason: str | None = None) -> None:
        self._pending(cursor, event, "outcome = %s, abandon_reason = %s, finished_at = %s",
                      outcome, reason, iso(event.timestamp))

    def _pending(self, cursor: Cursor, event: Any, changes: str, *values: Any) -> None:
        cursor.execute(f"UPDATE {self.table('assessments')} SET {changes} "
                       "WHERE candidate_id = %s AND outcome = 'pending'",
                       (*values, str(event.originator_id)))

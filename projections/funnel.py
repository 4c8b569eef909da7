"""The funnel read model: one row per time a candidate enters a stage (a visit), so the agency
sees where candidates drop out, how long each stage takes, and how long a hire takes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from domain.candidate import Candidate
from domain.stages import Stage
from projections.readmodel import ReadModel, iso
from storage.tables import Cursor

if TYPE_CHECKING:  # projections.reads imports the registry, which imports this module
    pass



class FunnelModel(ReadModel):
    name = "funnel"
    tables = {
        "funnel_visits": """
            candidate_id TEXT NOT NULL, visit INTEGER NOT NULL, position_id TEXT NOT NULL,
            client_id TEXT NOT NULL, source TEXT NOT NULL, stage TEXT NOT NULL,
            entered_at TEXT NOT NULL, left_at TEXT, next_stage TEXT,
            PRIMARY KEY (candidate_id, visit)""",
        "funnel_candidates": """
            candidate_id TEXT PRIMARY KEY, position_id TEXT NOT NULL, client_id TEXT NOT NULL,
            source TEXT NOT NULL, stage TEXT NOT NULL, visits INTEGER NOT NULL,
            contacted_at TEXT NOT NULL, hired_at TEXT""",
    }
    indexes = (("funnel_visits", "client_id, entered_at"),
               ("funnel_visits", "position_id, entered_at"),
               ("funnel_candidates", "client_id, hired_at"))

    def apply(self, cursor: Cursor, event: Any, position: int) -> None:
        """A new visit when an event moves the candidate to another stage; nothing otherwise."""
        if isinstance(event, Candidate.ContactDetailsCorrected):
            if event.source is not None:  # hires by source follow the correction
                for table in ("funnel_candidates", "funnel_visits"):
                    cursor.execute(f"UPDATE {self.table(table)} SET source = %s "
                                   "WHERE candidate_id = %s",
                                   (event.source, str(event.originator_id)))
            return
        stage = event.stage_after() if hasattr(event, "stage_after") else None
        if stage is None:
            return
        at, candidate_id = iso(event.timestamp), str(event.originator_id)
        if isinstance(event, Candidate.Reopened):
            self._undo_last_visit(cursor, candidate_id)
            return
        if isinstance(event, Candidate.Contacted):
            person: dict[str, Any] = {
                "candidate_id": candidate_id, "position_id": str(event.position_id),
                "client_id": str(event.client_id), "source": event.source, "visits": 0}
            cursor.execute(
                f"INSERT INTO {self.table('funnel_candidates')} (candidate_id, position_id, "
                "client_id, source, stage, visits, contacted_at) VALUES (%s, %s, %s, %s, %s, "
                "0, %s)", (candidate_id, person["position_id"], person["client_id"],
                           event.source, stage.value, at))
        else:
            found = cursor.execute(f"SELECT * FROM {self.table('funnel_candidates')} "
                                   "WHERE candidate_id = %s", (candidate_id,)).one()
            assert found is not None, f"no Contacted seen for candidate {candidate_id}"
            person = found
            if person["stage"] == stage.value:
                return  # e.g. an interview rescheduled, a second interviewer's feedback
            cursor.execute(f"UPDATE {self.table('funnel_visits')} SET left_at = %s, "
                           "next_stage = %s WHERE candidate_id = %s AND visit = %s",
                           (at, stage.value, candidate_id, person["visits"]))
        visit = person["visits"] + 1
        cursor.execute(
            f"INSERT INTO {self.table('funnel_visits')} (candidate_id, visit, position_id, "
            "client_id, source, stage, entered_at) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (candidate_id, visit, person["position_id"], person["client_id"], person["source"],
             stage.value, at))
        hired = at if stage is Stage.HIRED else None
        cursor.execute(f"UPDATE {self.table('funnel_candidates')} SET stage = %s, visits = %s, "
                       "hired_at = COALESCE(hired_at, %s) WHERE candidate_id = %s",
                       (stage.value, visit, hired, candidate_id))


    def _undo_last_visit(self, cursor: Cursor, candidate_id: str) -> None:
        """A decision or disqualification undone as an error: its visit goes, and the visit
        before it goes on as if it had never been left (the reports follow the correction)."""
        person = cursor.execute(f"SELECT * FROM {self.table('funnel_candidates')} "
                                "WHERE candidate_id = %s", (candidate_id,)).one()
        assert person is not None, f"no Contacted seen for candidate {candidate_id}"
        last = person["visits"]
        cursor.execute(f"DELETE FROM {self.table('funnel_visits')} WHERE candidate_id = %s "
                       "AND visit = %s", (candidate_id, last))
        before = cursor.execute(
            f"UPDATE {self.table('funnel_visits')} SET left_at = NULL, next_stage = NULL "
            "WHERE candidate_id = %s AND visit = %s RETURNING stage",
            (candidate_id, last - 1)).one()
        assert before is not None
        cursor.execute(f"UPDATE {self.table('funnel_candidates')} SET stage = %s, visits = %s "
                       "WHERE candidate_id = %s", (before["stage"], last - 1, candidate_id))


# --- statistics shared by the reports ---


# --- the report ---

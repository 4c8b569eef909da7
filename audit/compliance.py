"""The compliance read model: for auditors and a client's hiring manager, every outcome that
went against a candidate or decided them (and whether, when and how they were told), and
every client-side step (interview request, interview feedback, decision) with whether the
client's own user took it or a recruiter recorded it on the client's behalf."""

from __future__ import annotations

from typing import Any

from domain import stages
from domain.stages import Stage
from domain.values import Role
from projections.readmodel import ReadModel, iso
from storage.tables import Cursor

# The outcome kinds (the stage each outcome leads to) and how each one is told.
TOLD_BY_OFFER = (Stage.HIRE_DECIDED.value,)
# the outcomes owed a rejection notice, in the report's order (latest in the process first)
TOLD_BY_NOTICE = tuple(s.value for s in reversed(Stage) if s in stages.OWED_A_NOTICE)
KINDS = (*TOLD_BY_OFFER, *TOLD_BY_NOTICE)
# The steps a client user may take itself (the API paths of the commands).
STEPS = {"SelectedForInterview": "interview-request", "Interviewed": "interview/feedback",
         "Decided": "decision"}
BY_CLIENT, ON_BEHALF = "client", "recruiter_on_behalf"

_WHO = "candidate_name, position_id, position_title, client_id, client_name"
_ACTOR = "actor_id, actor_name, actor_role, actor_client_id, taken_by"


def taken_by(actor: Any) -> str:
    """A client user's own step, or one a staff member (recruiter, admin) recorded for it."""
    return BY_CLIENT if actor.role == Role.CLIENT.value else ON_BEHALF


class ComplianceModel(ReadModel):
    name = "compliance"
    tables = {
        # who each candidate is, and the names of positions and clients (never renamed)
        "compliance_people": """
            candidate_id TEXT PRIMARY KEY, name TEXT NOT NULL, position_id TEXT NOT NULL,
            client_id TEXT NOT NULL""",
        "compliance_positions": "id TEXT PRIMARY KEY, client_id TEXT NOT NULL, title TEXT NOT NULL",
        "compliance_clients": "id TEXT PRIMARY KEY, name TEXT NOT NULL",
        # at most one outcome per candidate: each of them ends or decides the process
        "compliance_outcomes": f"""
            candidate_id TEXT PRIMARY KEY, log_position BIGINT NOT NULL, kind TEXT NOT NULL,
            at TEXT NOT NULL, reason TEXT, decided_by TEXT,
            candidate_name TEXT NOT NULL, position_id TEXT NOT NULL,
            position_title TEXT NOT NULL, client_id TEXT NOT NULL, client_name TEXT NOT NULL,
            {_ACTOR.replace(', ', ' TEXT, ')} TEXT,
            told_at TEXT, told_via TEXT, told_log_position BIGINT, told_by_id TEXT,
            told_by_name TEXT, told_by_role TEXT, withdrawn_at TEXT""",
        "compliance_steps": f"""
            log_position BIGINT PRIMARY KEY, candidate_id TEXT NOT NULL, step TEXT NOT NULL,
            event TEXT NOT NULL, at TEXT NOT NULL,
            candidate_name TEXT NOT NULL, position_id TEXT NOT NULL,
            position_title TEXT NOT NULL, client_id TEXT NOT NULL, client_name TEXT NOT NULL,
            {_ACTOR.replace(', ', ' TEXT, ')} TEXT,
            outcome TEXT, interview_round INTEGER, interviewer TEXT, rating TEXT""",
    }
    indexes = (("compliance_outcomes", "client_id, at"), ("compliance_outcomes", "at"),
               ("compliance_steps", "client_id, at"), ("compliance_steps", "at"))

    # --- names ---
    def on_Registered(self, cursor: Cursor, event: Any, position: int) -> None:
        cursor.execute(f"INSERT INTO {self.table('compliance_clients')} (id, name) "
                       "VALUES (%s, %s)", (str(event.originator_id), event.name))

    def on_Opened(self, cursor: Cursor, event: Any, position: int) -> None:
        cursor.execute(f"INSERT INTO {self.table('compliance_positions')} (id, client_id, "
                       "title) VALUES (%s, %s, %s)",
                       (str(event.originator_id), str(event.client_id), event.title))

    def on_Contacted(self, cursor: Cursor, event: Any, position: int) -> None:
        cursor.execute(f"INSERT INTO {self.table('compliance_people')} (candidate_id, name, "
                       "position_id, client_id) VALUES (%s, %s, %s, %s)",
                       (str(event.originator_id), event.name, str(event.position_id),
                        str(event.client_id)))

    # --- client-side steps ---
    def on_SelectedForInterview(self, cursor: Cursor, event: Any, position: int) -> None:
        self._step(cursor, event, position)

    def on_Interviewed(self, cursor: Cursor, event: Any, position: int) -> None:
        self._step(cursor, event, position, interview_round=event.round,
                   interviewer=event.interviewer, rating=event.rating)

    def on_Decided(self, cursor: Cursor, event: Any, position: int) -> None:
        self._step(cursor, event, position, outcome=event.outcome)
        self._outcome(cursor, event, position, event.stage_after().value, event.reason,
                      event.decided_by)

    # --- outcomes against the candidate, and telling them ---
    def on_Disqualified(self, cursor: Cursor, event: Any, position: int) -> None:
        self._outcome(cursor, event, position, "disqualified", event.reason)

    def on_AssessmentAbandoned(self, cursor: Cursor, event: Any, position: int) -> None:
        self._outcome(cursor, event, position, "abandoned", event.reason)

    def on_ContactDetailsCorrected(self, cursor: Cursor, event: Any, position: int) -> None:
        """Rows from now on name the candidate as corrected (rows already there keep the
        name they were recorded with)."""
        if event.name is not None:
            cursor.execute(f"UPDATE {self.table('compliance_people')} SET name = %s "
                           "WHERE candidate_id = %s", (event.name, str(event.originator_id)))

    def on_Reopened(self, cursor: Cursor, event: Any, position: int) -> None:
        """The decision or disqualification was undone as an error before the candidate was
        told: no outcome stands against them (the step itself stays, as it happened)."""
        cursor.execute(f"DELETE FROM {self.table('compliance_outcomes')} WHERE candidate_id = %s",
                       (str(event.originator_id),))

    def on_OfferSent(self, cursor: Cursor, event: Any, position: int) -> None:
        """A hire decision is told by the (first) offer."""
        self._told(cursor, event, position, "offer", TOLD_BY_OFFER)

    def on_RejectionSent(self, cursor: Cursor, event: Any, position: int) -> None:
        """A negative outcome is told by the rejection notice (sent at most once). A closing
        message after a withdrawal does not tell a hire decision."""
        self._told(cursor, event, position, "rejection_notice", TOLD_BY_NOTICE)

    def on_Withdrawn(self, cursor: Cursor, event: Any, position: int) -> None:
        """A candidate who withdraws before being told a hire decision is owed nothing more
        (only a hire decision can be followed by a withdrawal)."""
        cursor.execute(f"UPDATE {self.table('compliance_outcomes')} SET withdrawn_at = %s "
                       "WHERE candidate_id = %s AND told_at IS NULL",
                       (iso(event.timestamp), str(event.originator_id)))

    # --- helpers ---
    def _who(self, cursor: Cursor, event: Any) -> tuple[Any, ...]:
        """(candidate name, position id and title, client id and name) of the event's
        candidate."""
        row = cursor.execute(
            f"SELECT p.name, p.position_id, o.title, p.client_id, c.name AS client_name "
            f"FROM {self.table('compliance_people')} p "
            f"JOIN {self.table('compliance_positions')} o ON o.id = p.position_id "
            f"JOIN {self.table('compliance_clients')} c ON c.id = p.client_id "
            "WHERE p.candidate_id = %s", (str(event.originator_id),)).one()
        assert row is not None, f"no Contacted seen for candidate {event.originator_id}"
        return (row["name"], row["position_id"], row["title"], row["client_id"],
                row["client_name"])

    @staticmethod
    def _actor(event: Any) -> tuple[Any, ...]:
        actor = event.actor
        client = str(actor.client_id) if actor.client_id is not None else None
        return actor.id, actor.name, actor.role, client, taken_by(actor)

    def _step(self, cursor: Cursor, event: Any, position: int, **detail: Any) -> None:
        columns = ", ".join(["log_position, candidate_id, step, event, at", _WHO, _ACTOR,
                             *detail])
        values = (position, str(event.originator_id), STEPS[type(event).__name__],
                  type(event).__name__, iso(event.timestamp), *self._who(cursor, event),
                  *self._actor(event), *detail.values())
        cursor.execute(f"INSERT INTO {self.table('compliance_steps')} ({columns}) VALUES "
                       f"({', '.join(['%s'] * len(values))})", values)

    def _outcome(self, cursor: Cursor, event: Any, position: int, kind: str, reason: str,
                 decided_by: str | None = None) -> None:
        columns = f"candidate_id, log_position, kind, at, reason, decided_by, {_WHO}, {_ACTOR}"
        values = (str(event.originator_id), position, kind, iso(event.timestamp), reason,
                  decided_by, *self._who(cursor, event), *self._actor(event))
        cursor.execute(f"INSERT INTO {self.table('compliance_outcomes')} ({columns}) VALUES "
                       f"({', '.join(['%s'] * len(values))})", values)

    def _told(self, cursor: Cursor, event: Any, position: int, via: str,
              kinds: tuple[str, ...]) -> None:
        actor = event.actor
        cursor.execute(
            f"UPDATE {self.table('compliance_outcomes')} SET told_at = %s, told_via = %s, "
            "told_log_position = %s, told_by_id = %s, told_by_name = %s, told_by_role = %s "
            f"WHERE candidate_id = %s AND told_at IS NULL AND withdrawn_at IS NULL "
            f"AND kind IN ({', '.join(['%s'] * len(kinds))})",
            (iso(event.timestamp), via, position, actor.id, actor.name, actor.role,
             str(event.originator_id), *kinds))

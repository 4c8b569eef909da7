"""The shortlist read model: recommended candidates as handed to the client, graded against
the rubric revision they were assessed on; later rubric revisions do not change it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from domain.values import Skill, failed_required_skills, weighted_score
from projections.readmodel import ReadModel, iso
from storage.tables import Cursor

if TYPE_CHECKING:
    pass


class ShortlistModel(ReadModel):
    name = "shortlist"
    tables = {
        # each candidate's facts needed when they are recommended
        "people": """
            candidate_id TEXT PRIMARY KEY, position_id TEXT NOT NULL, client_id TEXT NOT NULL,
            name TEXT NOT NULL, grades TEXT, skills TEXT, rubric_revision INTEGER""",
        "shortlist": """
            candidate_id TEXT PRIMARY KEY, position_id TEXT NOT NULL, client_id TEXT NOT NULL,
            name TEXT NOT NULL, stage TEXT NOT NULL, score REAL, grades TEXT NOT NULL,
            skills TEXT NOT NULL, failed_required TEXT NOT NULL,
            rubric_revision INTEGER NOT NULL, summary TEXT NOT NULL,
            recommended_at TEXT NOT NULL, recommended_position BIGINT NOT NULL""",
    }
    indexes = (("shortlist", "position_id"),)

    def apply(self, cursor: Cursor, event: Any, position: int) -> None:
        super().apply(cursor, event, position)
        stage = event.stage_after() if hasattr(event, "stage_after") else None
        if stage is not None:
            cursor.execute(f"UPDATE {self.table('shortlist')} SET stage = %s "
                           "WHERE candidate_id = %s", (stage.value, str(event.originator_id)))

    def on_Contacted(self, cursor: Cursor, event: Any, position: int) -> None:
        cursor.execute(f"INSERT INTO {self.table('people')} (candidate_id, position_id, "
                       "client_id, name) VALUES (%s, %s, %s, %s)",
                       (str(event.originator_id), str(event.position_id),
                        str(event.client_id), event.name))

    def on_Assessed(self, cursor: Cursor, event: Any, position: int) -> None:
        skills = [{"name": s.name, "weight": s.weight, "required": s.required}
                  for s in event.skills]
        cursor.execute(f"UPDATE {self.table('people')} SET grades = %s, skills = %s, "
                       "rubric_revision = %s WHERE candidate_id = %s",
                       (json.dumps(event.grades), json.dumps(skills), event.rubric_revision,
                        str(event.originator_id)))

    def on_ContactDetailsCorrected(self, cursor: Cursor, event: Any, position: int) -> None:
        """The name used when the candidate is presented again (the shortlist row keeps the
        name the client was shown)."""
        if event.name is not None:
            cursor.execute(f"UPDATE {self.table('people')} SET name = %s WHERE candidate_id = %s",
                           (event.name, str(event.originator_id)))

    def on_AssessmentCorrected(self, cursor: Cursor, event: Any, position: int) -> None:
        """The candidate's grades as they stand (staff read them); what the client was shown
        stays in the shortlist row until the candidate is presented again."""
        self.on_Assessed(cursor, event, position)

    def on_Presented(self, cursor: Cursor, event: Any, position: int) -> None:
        """Shown again: the shortlist shows the new presentation (its place stays)."""
        grades = dict(event.grades)
        skills = list(event.skills)
        cursor.execute(
            f"UPDATE {self.table('shortlist')} SET name = %s, score = %s, grades = %s, "
            "skills = %s, failed_required = %s, rubric_revision = %s, summary = %s "
            "WHERE candidate_id = %s",
            (event.name, event.score, json.dumps(grades),
             json.dumps([{"name": s.name, "weight": s.weight, "required": s.required}
                         for s in skills]),
             json.dumps(list(failed_required_skills(grades, skills))), event.rubric_revision,
             event.summary, str(event.originator_id)))

    def on_Recommended(self, cursor: Cursor, event: Any, position: int) -> None:
        person = cursor.execute(f"SELECT * FROM {self.table('people')} WHERE candidate_id = %s",
                                (str(event.originator_id),)).one()
        assert person is not None and person["grades"] is not None
        grades = json.loads(person["grades"])
        skills = [Skill(**s) for s in json.loads(person["skills"])]
        cursor.execute(
            f"INSERT INTO {self.table('shortlist')} (candidate_id, position_id, client_id, "
            "name, stage, score, grades, skills, failed_required, rubric_revision, summary, "
            "recommended_at, recommended_position) "
            "VALUES (%s, %s, %s, %s, 'recommended', %s, %s, %s, %s, %s, %s, %s, %s)",
            (person["candidate_id"], person["position_id"], person["client_id"], person["name"],
             weighted_score(grades, skills), person["grades"], person["skills"],
             json.dumps(list(failed_required_skills(grades, skills))),
             person["rubric_revision"], event.summary, iso(event.timestamp), position))

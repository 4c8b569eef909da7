"""Queries on the shortlist read model: a position's recommended candidates, ranked."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from domain.stages import CLOSED
from domain.values import Skill, failed_required_skills, weighted_score
from projections.queries import client_condition
from projections.readmodel import from_iso

if TYPE_CHECKING:
    from projections.reads import View

OVER = {stage.value for stage in CLOSED}  # the process is over for the candidate


def as_graded_now(view: View, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The shortlist rows with the candidates' grades as they stand (after any correction):
    the agency's view. A client reads the rows as presented to it."""
    if not rows:
        return rows
    marks = ", ".join(["%s"] * len(rows))
    people = {p["candidate_id"]: p for p in view.cursor.execute(
        f"SELECT candidate_id, grades, skills FROM {view.table('people')} "
        f"WHERE candidate_id IN ({marks})", [r["candidate_id"] for r in rows]).all()}
    graded = []
    for row in rows:
        person = people.get(row["candidate_id"])
        if person is None or person["grades"] == row["grades"]:
            graded.append(row)
            continue
        grades = json.loads(person["grades"])
        skills = [Skill(**s) for s in json.loads(person["skills"])]
        graded.append({**row, "grades": person["grades"], "skills": person["skills"],
                       "score": weighted_score(grades, skills),
                       "failed_required": json.dumps(list(failed_required_skills(grades,
                                                                                 skills)))})
    return graded


def shortlist(view: View, position_id: str,
              in_process_only: bool = True) -> list[dict[str, Any]]:
    """Ranked by weighted score (unknown scores last), then by who was recommended first;
    within the reader's scope; by default only the candidates still in the process (not in
    a stage where it is over for them)."""
    scoped, params = client_condition(view)
    rows = view.cursor.execute(
        f"SELECT * FROM {view.table('shortlist')} WHERE position_id = %s{scoped}",
        (position_id, *params)).all()
    if in_process_only:
        rows = [r for r in rows if r["stage"] not in OVER]
    if view.scope.is_agency:
        rows = as_graded_now(view, rows)
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["recommended_position"]))
    skills_of = {r["candidate_id"]: json.loads(r["skills"]) for r in rows}
    return [{
        "rank": rank, "candidate_id": r["candidate_id"], "name": r["name"],
        "stage": r["stage"], "score": r["score"], "rubric_revision": r["rubric_revision"],
        "grades": [{**skill, "grade": json.loads(r["grades"])[skill["name"]]}
                   for skill in skills_of[r["candidate_id"]]],
        "failed_required_skills": json.loads(r["failed_required"]),
        "summary": r["summary"], "recommended_at": from_iso(r["recommended_at"]),
    } for rank, r in enumerate(rows, start=1)]

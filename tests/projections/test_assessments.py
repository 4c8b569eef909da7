"""The assessments read model against figures computed by hand on the scripted history of
test_funnel (times are hours after h0; see that module's docstring).

  assessment  position  minutes  assigned  ended                         reschedules
  Hana        P2 Acme   45       h5        completed h9     (4 h)        0
  Will        P1 Acme   300      h104      completed h128   (24 h)       0 (withdrew later)
  Abe         P1 Acme   300      h203      abandoned h251 (too_long)     1 (due h275 -> h300)
  Cara        P2 Acme   45       h306      completed h308   (2 h)        0
  Dan         P2 Acme   45       h403      completed h409   (6 h)        0
  Gus         P3 Globex 90       h453      withdrawn h460                0
  Rita        P1 Acme   300      h502      completed h550   (48 h)       0
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.application import Recruitment
from domain.scope import AGENCY
from projections.assessments import AssessmentsModel
from projections.assessments_queries import assessment_report, band_of
from projections.reads import ReadSide
from projections.rebuild import rebuild
from tests.hiring_script import agency, flask_app, hour, script
from tests.readmodels import dump, project_all

REASONS = ("too_long", "schedule_conflict", "not_representative", "no_response", "other")


def report(app: Recruitment, **filters: Any) -> dict[str, Any]:
    with ReadSide(app.tables).view("assessments", AGENCY) as view:
        return assessment_report(view, **filters)


def counts(assigned: int = 0, completed: int = 0, abandoned: int = 0, withdrawn: int = 0,
           pending: int = 0) -> dict[str, Any]:
    ended = completed + abandoned
    return {"assigned": assigned, "completed": completed, "abandoned": abandoned,
            "withdrawn": withdrawn, "pending": pending,
            "abandonment_rate": round(abandoned / ended, 4) if ended else None}


def bands(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["band"]: {k: v for k, v in b.items()
                        if k not in ("band", "min_minutes", "max_minutes")}
            for b in answer["by_duration"]}


def test_one_row_per_assessment_and_how_it_ended(app, clock) -> None:
    history = script(app, clock)
    project_all(app)
    rows = {r["candidate_id"]: r for r in dump(app)["assessments"]["assessments"]}
    assert len(rows) == 7
    abe = rows[str(history.people["Abe"])]
    assert (abe["position_id"], abe["client_id"], abe["duration_minutes"]) == (
        str(history.p1), str(history.acme), 300)
    assert [hour(history, abe[k]) for k in ("assigned_at", "due_at", "finished_at")] == [
        203, 300, 251]  # due h275, rescheduled to h300
    assert (abe["reschedules"], abe["outcome"], abe["abandon_reason"]) == (1, "abandoned",
                                                                           "too_long")
    will = rows[str(history.people["Will"])]  # withdrawing after the test changes nothing
    assert (will["outcome"], hour(history, will["finished_at"])) == ("completed", 128)
    gus = rows[str(history.people["Gus"])]
    assert (gus["outcome"], hour(history, gus["finished_at"]), gus["abandon_reason"]) == (
        "withdrawn", 460, None)
    assert sorted(r["outcome"] for r in rows.values()) == [
        "abandoned", *["completed"] * 5, "withdrawn"]


def test_the_assessments_of_a_client_by_hand(app, clock) -> None:
    history = script(app, clock)
    project_all(app)
    answer = report(app, client_id=str(history.acme))  # Gus (Globex) is not counted
    # 6 assigned: 5 completed, 1 abandoned: 1 / (5 + 1) = 0.1667
    assert answer["overall"] == counts(6, completed=5, abandoned=1)
    assert answer["overall"]["abandonment_rate"] == 0.1667
    assert bands(answer) == {
        "up_to_60": counts(3, completed=3),  # Hana, Cara, Dan: 0 / 3 = 0.0
        "61_to_120": counts(),  # rate null: nothing ended
        "121_to_240": counts(),
        "over_240": counts(3, completed=2, abandoned=1),  # Will, Rita; Abe: 1 / 3 = 0.3333
    }
    assert bands(answer)["over_240"]["abandonment_rate"] == 0.3333
    assert bands(answer)["up_to_60"]["abandonment_rate"] == 0.0
    assert [(b["min_minutes"], b["max_minutes"]) for b in answer["by_duration"]] == [
        (0, 60), (61, 120), (121, 240), (241, None)]
    # Abe's too_long is the only abandonment: share 1 / 1
    assert answer["by_reason"] == [
        {"reason": r, "abandoned": int(r == "too_long"), "share": float(r == "too_long")}
        for r in REASONS]
    # Hana 4, Will 24, Cara 2, Dan 6, Rita 48 -> [2, 4, 6, 24, 48]: median 6;
    # p90 rank 0.9 * 4 = 3.6 -> 24 + 0.6 * (48 - 24) = 38.4
    assert answer["completion_time"] == {"completed": 5, "median_hours": 6.0,
                                         "p90_hours": 38.4}
    assert answer["reschedules"] == {"total": 1, "assessments_rescheduled": 1}  # Abe's


def test_a_position_another_client_and_everyone(app, clock) -> None:
    history = script(app, clock)
    project_all(app)
    platform = report(app, position_id=str(history.p1))  # Will, Abe, Rita: 300 minutes
    assert platform["overall"] == counts(3, completed=2, abandoned=1)
    # Will 24, Rita 48: median (24 + 48) / 2 = 36; p90 rank 0.9 -> 24 + 0.9 * 24 = 45.6
    assert platform["completion_time"] == {"completed": 2, "median_hours": 36.0,
                                           "p90_hours": 45.6}
    globex = report(app, client_id=str(history.globex))  # Gus withdrew during his test
    assert globex["overall"] == counts(1, withdrawn=1)
    assert bands(globex)["61_to_120"] == counts(1, withdrawn=1)  # 90 minutes; rate null
    assert globex["completion_time"] == {"completed": 0, "median_hours": None,
                                         "p90_hours": None}
    assert all(r["share"] is None for r in globex["by_reason"])  # nothing abandoned
    # everyone: 7 assigned; the withdrawal is not an abandonment: still 1 / (5 + 1)
    assert report(app)["overall"] == counts(7, completed=5, abandoned=1, withdrawn=1)
    assert report(app, client_id="-")["overall"] == counts()


def test_duration_bands_include_their_upper_bound() -> None:
    assert [band_of(m) for m in (1, 60, 61, 120, 121, 240, 241, 600)] == [
        "up_to_60", "up_to_60", "61_to_120", "61_to_120", "121_to_240", "121_to_240",
        "over_240", "over_240"]


def test_a_rebuild_gives_exactly_the_rows_of_the_live_generation(app, clock) -> None:
    history = script(app, clock)
    project_all(app)
    live = dump(app)["assessments"]
    before = report(app, client_id=str(history.acme))
    new, old = rebuild(app, AssessmentsModel, keep_old=True)
    assert (old, new) == (1, 2)
    assert dump(app, {"assessments": old})["assessments"] == live
    assert dump(app)["assessments"] == live
    assert report(app, client_id=str(history.acme)) == before


def test_the_assessments_report_over_http_is_scoped_to_a_clients_own(settings, clock) -> None:
    with flask_app(settings, clock) as made:
        world = agency(made)  # both positions: a 120-minute take-home
        for candidate in (world.candidate_a, world.candidate_b):
            world.step(candidate, "application")
            world.step(candidate, "assessment",
                       {"due_at": (clock.now + timedelta(days=3)).isoformat()})
        clock.advance(hours=5)
        world.step(world.candidate_a, "assessment/result", {"grades": {"python": "yes",
                                                                       "sql": "yes"}})
        last = world.step(world.candidate_b, "assessment/abandonment",
                          {"reason": "schedule_conflict"})
        project_all(made.extensions["hirelog"].recruitment)
        url = "/api/v1/reports/assessments"

        answer = world.client_a.get(url, query_string={"min_position": last})
        assert answer.status_code == 200, answer.get_json()
        assert answer.headers["X-Projection-Position"] == str(world.head())
        body = answer.get_json()
        assert set(body) == {"overall", "by_duration", "by_reason", "completion_time",
                             "reschedules"}
        assert body["overall"] == counts(1, completed=1)  # B's abandonment is not there
        assert bands(body)["61_to_120"] == counts(1, completed=1)
        assert body["completion_time"] == {"completed": 1, "median_hours": 5.0,
                                           "p90_hours": 5.0}
        assert all(r["abandoned"] == 0 and r["share"] is None for r in body["by_reason"])

        theirs = world.client_a.get(url, query_string={"client_id": world.b})
        assert theirs.status_code == 404  # like any read of another client's
        everyone = world.recruiter.get(url).get_json()
        assert everyone["overall"] == counts(2, completed=1, abandoned=1)  # 1 / 2 = 0.5
        assert {r["reason"]: r["share"] for r in everyone["by_reason"]}["schedule_conflict"] \
            == 1.0
        b_only = world.recruiter.get(url, query_string={"position_id": world.position_b})
        assert b_only.get_json()["overall"] == counts(1, abandoned=1)
        beyond = world.recruiter.get(url, query_string={"min_position": world.head() + 1})
        assert beyond.status_code == 422

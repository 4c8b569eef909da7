"""The funnel read model against figures computed by hand on a small scripted history.

Times are hours after the FakeClock's start (h0 = Monday 2026-01-05 09:00 UTC). Acme has P1
(300-minute take-home) and P2 (45-minute quiz, its rubric revised at h10); Globex has P3
(90 minutes). Every stage a candidate enters is listed as `stage [entered..left] hours`.

  Hana (P2, referral)  hired: contacted [1..3] 2, applied [3..5] 2, assessment_assigned
      [5..9] 4, assessed [9..11] 2, recommended [11..35] 24, interview_requested [35..37] 2,
      interview_scheduled [37..61] 24 (two interviewers: the second feedback at h62 is no
      visit), interviewed [61..65] 4, hire_decided [65..67] 2, offered [67..73] 6 (accepted
      at h70: no visit), hired at h73. Time to hire 73 - 1 = 72 h = 3 days.
  Will (P1, sourced)  withdrawn mid-interview: contacted [100..102] 2, applied [102..104] 2,
      assessment_assigned [104..128] 24, assessed [128..130] 2, recommended [130..134] 4,
      interview_requested [134..136] 2, interview_scheduled [136..150] 14 (rescheduled at
      h140: no visit) -> withdrawn at h150.
  Abe (P1, job_board)  abandons the long test: contacted [200..201] 1, applied [201..203] 2,
      assessment_assigned [203..251] 48 (rescheduled at h210: no visit) -> abandoned
      (too_long); told at h260 (no visit).
  Cara (P2, inbound)  short test after the rubric revision: contacted [300..304] 4, applied
      [304..306] 2, assessment_assigned [306..308] 2, assessed [308..309] 1, recommended
      since h309 (still in).
  Dan (P2, referral)  disqualified: contacted [400..402] 2, applied [402..403] 1,
      assessment_assigned [403..409] 6, assessed [409..410] 1 -> disqualified.
  Gus (P3 at Globex, referral)  withdraws during the test: contacted [450..452] 2, applied
      [452..453] 1, assessment_assigned [453..460] 7 -> withdrawn.
  Rita (P1, referral)  rejected after a second interview round, told late: contacted
      [500..501] 1, applied [501..502] 1, assessment_assigned [502..550] 48, assessed
      [550..552] 2, recommended [552..560] 8, interview_requested [560..561] 1,
      interview_scheduled [561..581] 20, interviewed [581..585] 4 -> back to
      interview_scheduled [585..601] 16, interviewed [601..605] 4 -> rejected; the
      rejection is sent at h845, ten days later (no visit).
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from domain.application import Recruitment
from domain.scope import AGENCY
from projections.assessments import AssessmentsModel
from projections.funnel import FunnelModel
from projections.funnel_queries import funnel
from projections.queries import quantile
from projections.reads import ReadSide
from projections.rebuild import rebuild
from tests.hiring_script import History, agency, flask_app, hour, script
from tests.history import load_history
from tests.readmodels import dump, project_all


def report(app: Recruitment, **filters: Any) -> dict[str, Any]:
    with ReadSide(app.tables).view("funnel", AGENCY) as view:
        return funnel(view, **filters)


def stages(answer: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {s["stage"]: s for s in answer["stages"]}


NO_DROPS = {"abandoned": 0, "disqualified": 0, "rejected": 0, "withdrawn": 0}


def figures(entered: int, passed_on: int, median: float | None, p90: float | None,
            still_in: int = 0, went_back: int = 0, **dropped: int) -> dict[str, Any]:
    """The expected figures of one stage (pass-through rate from the counts)."""
    return {"entered": entered, "passed_on": passed_on, "dropped": sum(dropped.values()),
            "dropped_by": {**NO_DROPS, **dropped}, "went_back": went_back,
            "still_in": still_in,
            "pass_through_rate": round(passed_on / entered, 4) if entered else None,
            "median_hours": median, "p90_hours": p90}


def without(stage: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in stage.items() if k not in ("stage", "final", "left_to", *keys)}




def visits_of(app: Recruitment, history: History, name: str) -> list[tuple[Any, ...]]:
    rows = [r for r in dump(app)["funnel"]["funnel_visits"]
            if r["candidate_id"] == str(history.people[name])]
    return [(r["visit"], r["stage"], hour(history, r["entered_at"]),
             hour(history, r["left_at"]), r["next_stage"]) for r in rows]


# --- the visits ------------------------------------------------------------------------------

def test_a_visit_per_stage_entered_and_none_for_events_that_keep_the_stage(app, clock) -> None:
    history = script(app, clock)
    project_all(app)
    # Rita: the second interview round is a second visit of interview_scheduled and of
    # interviewed; the late rejection notice (h845) is no visit.
    assert visits_of(app, history, "Rita") == [
        (1, "contacted", 500, 501, "applied"), (2, "applied", 501, 502, "assessment_assigned"),
        (3, "assessment_assigned", 502, 550, "assessed"), (4, "assessed", 550, 552, "recommended"),
        (5, "recommended", 552, 560, "interview_requested"),
        (6, "interview_requested", 560, 561, "interview_scheduled"),
        (7, "interview_scheduled", 561, 581, "interviewed"),
        (8, "interviewed", 581, 585, "interview_scheduled"),
        (9, "interview_scheduled", 585, 601, "interviewed"),
        (10, "interviewed", 601, 605, "rejected"), (11, "rejected", 605, None, None)]
    # Will: the interview rescheduled at h140 is no visit
    assert visits_of(app, history, "Will")[-2:] == [
        (7, "interview_scheduled", 136, 150, "withdrawn"), (8, "withdrawn", 150, None, None)]
    # Abe: the assessment rescheduled at h210 and the notice at h260 are no visits
    assert [v[1] for v in visits_of(app, history, "Abe")] == [
        "contacted", "applied", "assessment_assigned", "abandoned"]
    # Hana 11 visits (the accepted offer and the second feedback are none), Will 8, Abe 4,
    # Cara 5, Dan 5, Gus 4, Rita 11: 11 + 8 + 4 + 5 + 5 + 4 + 11 = 48
    tables = dump(app)["funnel"]
    assert len(tables["funnel_visits"]) == 48
    hana = next(r for r in tables["funnel_candidates"]
                if r["candidate_id"] == str(history.people["Hana"]))
    assert (hour(history, hana["contacted_at"]), hour(history, hana["hired_at"])) == (1, 73)
    assert (hana["source"], hana["position_id"], hana["client_id"]) == (
        "referral", str(history.p2), str(history.acme))


# --- the report, by hand ---------------------------------------------------------------------

def test_the_funnel_of_a_client_by_hand(app, clock) -> None:
    history = script(app, clock)
    project_all(app)
    answer = report(app, client_id=str(history.acme))  # Gus (Globex) is not counted
    got = stages(answer)
    assert [s["stage"] for s in answer["stages"]] == [
        "contacted", "applied", "assessment_assigned", "assessed", "abandoned", "disqualified",
        "recommended", "interview_requested", "interview_scheduled", "interviewed",
        "hire_decided", "rejected", "offered", "offer_declined", "hired", "withdrawn"]
    expected = {
        # hours Hana 2, Will 2, Abe 1, Cara 4, Dan 2, Rita 1 -> [1, 1, 2, 2, 2, 4]
        # median (2 + 2) / 2 = 2; p90 rank 0.9 * 5 = 4.5 -> 2 + 0.5 * (4 - 2) = 3
        "contacted": figures(6, 6, 2.0, 3.0),
        # [1, 1, 2, 2, 2, 2] (Dan 1, Rita 1, the others 2): median 2; p90 2 + 0.5 * 0 = 2
        "applied": figures(6, 6, 2.0, 2.0),
        # Hana 4, Will 24, Abe 48 (abandoned), Cara 2, Dan 6, Rita 48 -> [2, 4, 6, 24, 48, 48]
        # median (6 + 24) / 2 = 15; p90 rank 4.5 -> 48 + 0.5 * 0 = 48; rate 5/6 = 0.8333
        "assessment_assigned": figures(6, 5, 15.0, 48.0, abandoned=1),
        # Hana 2, Will 2, Cara 1, Dan 1 (disqualified), Rita 2 -> [1, 1, 2, 2, 2]
        # median 2; p90 rank 0.9 * 4 = 3.6 -> 2 + 0.6 * 0 = 2; rate 4/5 = 0.8
        "assessed": figures(5, 4, 2.0, 2.0, disqualified=1),
        "abandoned": figures(1, 0, None, None, still_in=1),  # final: never left
        "disqualified": figures(1, 0, None, None, still_in=1),
        # Hana 24, Will 4, Rita 8, Cara still in -> [4, 8, 24]: median 8;
        # p90 rank 0.9 * 2 = 1.8 -> 8 + 0.8 * (24 - 8) = 20.8; rate 3/4
        "recommended": figures(4, 3, 8.0, 20.8, still_in=1),
        # Hana 2, Will 2, Rita 1 -> [1, 2, 2]: median 2; p90 2 + 0.8 * 0 = 2
        "interview_requested": figures(3, 3, 2.0, 2.0),
        # Hana 24, Will 14 (withdrawn), Rita 20 and 16 -> [14, 16, 20, 24]
        # median (16 + 20) / 2 = 18; p90 rank 0.9 * 3 = 2.7 -> 20 + 0.7 * (24 - 20) = 22.8
        "interview_scheduled": figures(4, 3, 18.0, 22.8, withdrawn=1),
        # Hana 4 (-> hire_decided), Rita 4 (-> interview_scheduled: back), Rita 4 (-> rejected)
        # rate 1/3 = 0.3333
        "interviewed": figures(3, 1, 4.0, 4.0, went_back=1, rejected=1),
        "hire_decided": figures(1, 1, 2.0, 2.0),  # Hana 65..67
        "rejected": figures(1, 0, None, None, still_in=1),
        "offered": figures(1, 1, 6.0, 6.0),  # Hana 67..73 (accepted at 70: same stage)
        "offer_declined": figures(0, 0, None, None),
        "hired": figures(1, 0, None, None, still_in=1),
        "withdrawn": figures(1, 0, None, None, still_in=1),
    }
    assert {name: without(s) for name, s in got.items()} == expected
    assert got["interviewed"]["pass_through_rate"] == 0.3333
    assert got["assessment_assigned"]["pass_through_rate"] == 0.8333
    assert got["interviewed"]["left_to"] == {"hire_decided": 1, "interview_scheduled": 1,
                                             "rejected": 1}
    assert got["offer_declined"]["pass_through_rate"] is None  # none entered
    assert [s for s, v in got.items() if v["final"]] == [
        "abandoned", "disqualified", "rejected", "hired", "withdrawn"]
    # Hana: contacted h1, hired h73: 72 h = 3 days
    assert answer["time_to_hire"] == {"hires": 1, "median_days": 3.0, "p90_days": 3.0}
    assert answer["hires_by_source"] == {"referral": 1, "sourced": 0, "job_board": 0,
                                         "agency_network": 0, "inbound": 0, "other": 0}


def test_a_period_counts_the_visits_that_entered_a_stage_in_it(app, clock) -> None:
    """[h100, h500): Will's contact at h100 is in, Rita's at h500 is not, Hana's all before."""
    history = script(app, clock)
    project_all(app)
    answer = report(app, client_id=str(history.acme), start=history.at(100),
                    end=history.at(500))
    got = {name: without(s) for name, s in stages(answer).items()}
    # Will 2, Abe 1, Cara 4, Dan 2 -> [1, 2, 2, 4]: median 2; p90 rank 0.9 * 3 = 2.7 ->
    # 2 + 0.7 * (4 - 2) = 3.4
    assert got["contacted"] == figures(4, 4, 2.0, 3.4)
    # Will 24, Abe 48 (abandoned), Cara 2, Dan 6 -> [2, 6, 24, 48]: median (6 + 24) / 2 = 15;
    # p90 24 + 0.7 * (48 - 24) = 40.8
    assert got["assessment_assigned"] == figures(4, 3, 15.0, 40.8, abandoned=1)
    assert got["recommended"] == figures(2, 1, 4.0, 4.0, still_in=1)  # Will 4 h, Cara in
    assert got["interview_scheduled"] == figures(1, 0, 14.0, 14.0, withdrawn=1)  # Will
    assert got["interviewed"] == figures(0, 0, None, None)
    assert answer["time_to_hire"] == {"hires": 0, "median_days": None, "p90_days": None}
    assert sum(answer["hires_by_source"].values()) == 0
    # a period that holds only Hana's hire (h73) counts it, and only the visits from h70 on
    late = report(app, client_id=str(history.acme), start=history.at(70), end=history.at(74))
    assert late["time_to_hire"] == {"hires": 1, "median_days": 3.0, "p90_days": 3.0}
    assert {s["stage"]: s["entered"] for s in late["stages"] if s["entered"]} == {"hired": 1}


def test_a_position_and_another_client_have_their_own_figures(app, clock) -> None:
    history = script(app, clock)
    project_all(app)
    analyst = stages(report(app, position_id=str(history.p2)))  # Hana, Cara, Dan
    # Hana 2 (-> recommended), Cara 1 (-> recommended), Dan 1 (-> disqualified) -> [1, 1, 2]
    # median 1; p90 rank 1.8 -> 1 + 0.8 * (2 - 1) = 1.8
    assert without(analyst["assessed"]) == figures(3, 2, 1.0, 1.8, disqualified=1)
    assert analyst["contacted"]["entered"] == 3
    globex = report(app, client_id=str(history.globex))  # Gus only
    assert {s["stage"]: without(s) for s in globex["stages"] if s["entered"]} == {
        "contacted": figures(1, 1, 2.0, 2.0),  # 450..452
        "applied": figures(1, 1, 1.0, 1.0),  # 452..453
        "assessment_assigned": figures(1, 0, 7.0, 7.0, withdrawn=1),  # 453..460
        "withdrawn": figures(1, 0, None, None, still_in=1)}
    assert globex["time_to_hire"]["hires"] == 0
    # both clients: Acme's 6 contacts and Gus; [1, 1, 2, 2, 2, 2, 4]: median 2;
    # p90 rank 0.9 * 6 = 5.4 -> 2 + 0.4 * (4 - 2) = 2.8
    everyone = stages(report(app))
    assert without(everyone["contacted"]) == figures(7, 7, 2.0, 2.8)
    nobody = report(app, client_id=str(uuid.uuid4()))  # a client with no candidates
    assert all(s["entered"] == 0 for s in nobody["stages"])


def test_quantiles_interpolate_linearly_between_closest_ranks() -> None:
    assert quantile([], 0.5) is None
    assert quantile([5.0], 0.9) == 5.0
    assert quantile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5  # (2 + 3) / 2
    assert quantile([1.0, 2.0, 3.0, 4.0], 0.9) == 3.7  # rank 2.7: 3 + 0.7 * (4 - 3)
    assert quantile([1.0, 2.0], 1.0) == 2.0


# --- rebuilds --------------------------------------------------------------------------------

def test_a_rebuild_gives_exactly_the_rows_of_the_live_generation(app, clock) -> None:
    history = script(app, clock)
    project_all(app)
    live = dump(app)["funnel"]
    before = report(app, client_id=str(history.acme))
    new, old = rebuild(app, FunnelModel, keep_old=True)
    assert (old, new) == (1, 2)
    assert dump(app, {"funnel": old})["funnel"] == live  # the old tables are kept as they were
    assert dump(app)["funnel"] == live  # and the new live generation has the very same rows
    assert report(app, client_id=str(history.acme)) == before


def test_a_rebuild_of_the_demo_data_gives_the_rows_the_live_projector_built(app) -> None:
    load_history(app, seed=11, candidates=40)
    project_all(app)
    live = dump(app)
    for model in (FunnelModel, AssessmentsModel):
        _, old = rebuild(app, model, keep_old=True)
        assert dump(app)[model.name] == live[model.name], model.name
        assert dump(app, {model.name: old})[model.name] == live[model.name], model.name
    for stage in report(app)["stages"]:  # every visit is counted once, as one of these
        assert stage["entered"] == (stage["passed_on"] + stage["dropped"] + stage["went_back"]
                                    + stage["still_in"]), stage


# --- over HTTP -------------------------------------------------------------------------------







def test_the_funnel_over_http_is_scoped_to_a_clients_own(settings, clock) -> None:
    with flask_app(settings, clock) as made:
        world = agency(made)
        clock.advance(hours=2)
        world.step(world.candidate_a, "application")  # contacted 2 h
        world.step(world.candidate_b, "application")
        clock.advance(hours=3)
        due = {"due_at": (clock.now + timedelta(days=3)).isoformat()}
        world.step(world.candidate_a, "assessment", due)  # applied 3 h
        clock.advance(hours=4)
        world.step(world.candidate_a, "assessment/result", {"grades": {"python": "yes",
                                                                       "sql": "no"}})
        last = world.step(world.candidate_b, "withdrawal", {"reason": "moved abroad"})
        url = "/api/v1/reports/funnel"
        problem = world.recruiter.get(url, query_string={"min_position": last})
        assert problem.status_code == 503  # nothing projected yet: no stale answer
        assert problem.headers["Retry-After"] == "1"
        project_all(made.extensions["hirelog"].recruitment)

        answer = world.client_a.get(url, query_string={"min_position": last})
        assert answer.status_code == 200, answer.get_json()
        assert answer.headers["X-Projection-Position"] == str(world.head())
        body = answer.get_json()
        assert set(body) == {"stages", "time_to_hire", "hires_by_source"}
        assert set(body["stages"][0]) == {
            "stage", "final", "entered", "passed_on", "dropped", "dropped_by", "went_back",
            "still_in", "pass_through_rate", "median_hours", "p90_hours", "left_to"}
        own = stages(body)  # client A's candidate only: B's withdrawal is not there
        assert [(s, own[s]["entered"], own[s]["passed_on"], own[s]["median_hours"]) for s in (
            "contacted", "applied", "assessment_assigned", "assessed", "withdrawn")] == [
            ("contacted", 1, 1, 2.0), ("applied", 1, 1, 3.0),
            ("assessment_assigned", 1, 1, 4.0), ("assessed", 1, 0, None), ("withdrawn", 0, 0, None)]
        assert own["contacted"]["pass_through_rate"] == 1.0
        assert body["time_to_hire"] == {"hires": 0, "median_days": None, "p90_days": None}

        theirs = world.client_a.get(url, query_string={"client_id": world.b})
        assert theirs.status_code == 404  # like any read of another client's
        everyone = stages(world.recruiter.get(url).get_json())
        assert (everyone["contacted"]["entered"], everyone["applied"]["dropped_by"]) == (
            2, {"abandoned": 0, "disqualified": 0, "rejected": 0, "withdrawn": 1})
        b_only = stages(world.recruiter.get(url, query_string={
            "position_id": world.position_b}).get_json())
        assert b_only["contacted"]["entered"] == 1
        # `from` and `to` pick visits by when they entered: the 2 h after the start hold the
        # two contacts only
        start = clock.now - timedelta(hours=9)
        window = stages(world.recruiter.get(url, query_string={
            "from": start.isoformat(), "to": (start + timedelta(hours=2)).isoformat()}
        ).get_json())
        assert {s: v["entered"] for s, v in window.items() if v["entered"]} == {"contacted": 2}
        wrong = world.recruiter.get(url, query_string={"from": clock.now.isoformat(),
                                                       "to": start.isoformat()})
        assert wrong.status_code == 422
        naive = world.recruiter.get(url, query_string={"from": "2026-01-05T09:00:00"})
        assert naive.status_code == 422

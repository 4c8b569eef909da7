"""The compliance read model against the scripted history of test_funnel (times are hours
after h0; see that module's docstring) and two more candidates at Globex whose client steps a
recruiter records on the client's behalf:

  outcome   who          when  by                        told
  hire      Hana (P2)    h65   Hank (client user)        offer h67: 2 h
  abandoned Abe (P1)     h251  Rita Recruiter            rejection notice h260: 9 h
  disq.     Dan (P2)     h410  Rita Recruiter            never: owed
  rejected  Rita (P1)    h605  Hank (client user)        rejection notice h845: 10 days, late
  hire      Omar (P3)    h932  Rita Recruiter, for Greta never: withdrew at h940
  rejected  Pia (P3)     h955  Rita Recruiter            rejection notice h956: 1 h

Client steps: Hank's own (Acme): Hana's interview request h35, feedback h61 and h62 and
decision h65; Will's request h134; Rita's request h560, feedback h581 and h601, decision
h605. On Globex's behalf by the recruiter: Omar's request h905, feedback h931, decision h932;
Pia's decision h955. Will and Gus withdrew without an outcome: no row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from audit.compliance import ComplianceModel
from audit.compliance_queries import compliance
from domain.application import Recruitment
from domain.scope import AGENCY
from projections.reads import ReadSide
from projections.rebuild import rebuild
from tests.fakes import RECRUITER, FakeClock, by
from tests.hiring_script import History, hour, script
from tests.history import load_history
from tests.readmodels import dump, project_all

GLOBEX_DECIDER = "Greta Globex (by phone)"


def more_at_globex(app: Recruitment, clock: FakeClock, history: History) -> None:
    """Omar and Pia (P3, Globex): every client step recorded by the recruiter."""

    def at(hours: float) -> None:
        clock.now = history.at(hours)

    def to_recommended(name: str, start: float) -> UUID:
        at(start)
        candidate = app.contact_candidate(position_id=history.p3, name=name, source="sourced",
                                          email=f"{name.lower()}@example.com", caller=by()).id
        at(start + 1)
        app.apply(candidate, by())
        at(start + 2)
        app.assign_assessment(candidate, by(), due_at=history.at(start + 72))
        at(start + 3)
        app.record_assessment(candidate, by(), {"python": "yes", "sql": "yes"})
        at(start + 4)
        app.recommend(candidate, by(), "good")
        history.people[name] = candidate
        return candidate

    omar = to_recommended("Omar", 900)
    at(905)
    app.request_interview(omar, by(), requested_by=GLOBEX_DECIDER)
    at(906)
    app.schedule_interview(omar, by(), scheduled_at=history.at(930), interviewers=["Ivy"])
    at(931)
    app.record_interview_feedback(omar, by(), "Ivy", "yes")
    at(932)
    app.decide(omar, by(), "hire", "great fit", decided_by=GLOBEX_DECIDER)
    at(940)
    app.withdraw(omar, by(), "took another offer")
    pia = to_recommended("Pia", 950)
    at(955)
    app.decide(pia, by(), "reject", "not enough experience", decided_by=GLOBEX_DECIDER)
    at(956)
    app.send_rejection(pia, by(), "thank you")


def scripted(app: Recruitment, clock: FakeClock) -> History:
    history = script(app, clock)
    more_at_globex(app, clock, history)
    project_all(app)
    return history


def report(app: Recruitment, now: datetime, **filters: Any) -> dict[str, Any]:
    with ReadSide(app.tables).view("compliance", AGENCY) as view:
        return compliance(view, now, **filters)


def hours(history: History, moment: datetime) -> float:
    return (moment - history.t0) / timedelta(hours=1)


def names(history: History, items: list[dict[str, Any]]) -> list[str]:
    ids = {str(i): name for name, i in history.people.items()}
    return [ids[item["candidate_id"]] for item in items]


def test_one_outcome_per_candidate_decided_or_ended_against_them(app, clock) -> None:
    history = scripted(app, clock)
    rows = {r["candidate_id"]: r for r in dump(app)["compliance"]["compliance_outcomes"]}
    by_name = {name: rows.get(str(i)) for name, i in history.people.items()}
    assert {n for n, r in by_name.items() if r} == {"Hana", "Abe", "Dan", "Rita", "Omar", "Pia"}
    hana = by_name["Hana"]
    assert (hana["kind"], hour(history, hana["at"]), hana["taken_by"], hana["actor_role"],
            hana["decided_by"]) == ("hire_decided", 65, "client", "client",
                                    "Hank Hiring-Manager")
    assert (hana["told_via"], hour(history, hana["told_at"]), hana["told_by_id"]) == (
        "offer", 67, RECRUITER.id)
    assert (hana["position_title"], hana["client_name"], hana["client_id"],
            hana["actor_client_id"]) == ("Analyst", "Acme", str(history.acme), str(history.acme))
    abe = by_name["Abe"]
    assert (abe["kind"], abe["reason"], abe["told_via"], hour(history, abe["told_at"])) == (
        "abandoned", "too_long", "rejection_notice", 260)
    assert (by_name["Dan"]["kind"], by_name["Dan"]["told_at"]) == ("disqualified", None)
    omar = by_name["Omar"]
    assert (omar["kind"], omar["actor_id"], omar["taken_by"], omar["decided_by"],
            omar["told_at"], hour(history, omar["withdrawn_at"])) == (
        "hire_decided", RECRUITER.id, "recruiter_on_behalf", GLOBEX_DECIDER, None, 940)
    assert by_name["Pia"]["kind"] == "rejected"


def test_the_report_tells_who_was_told_when_and_who_took_each_step(app, clock) -> None:
    history = scripted(app, clock)
    answer = report(app, history.at(1000))
    outcomes = answer["outcomes"]
    assert names(history, outcomes) == ["Hana", "Abe", "Dan", "Rita", "Omar", "Pia"]
    got = {n: (o["status"], o["told"], o["days_to_tell"], o["days_waiting"], o["late"])
           for n, o in zip(names(history, outcomes), outcomes, strict=True)}
    assert got == {
        "Hana": ("told", True, 0.1, None, False),  # 2 h = 0.083 days
        "Abe": ("told", True, 0.4, None, False),  # 9 h = 0.375 days
        "Dan": ("owed", False, None, 24.6, True),  # h410 to h1000: 590 h = 24.58 days
        "Rita": ("told", True, 10.0, None, True),  # 240 h: told late
        "Omar": ("withdrawn", False, None, None, False),  # withdrew before the offer
        "Pia": ("told", True, 0.0, None, False),  # 1 h = 0.042 days
    }
    rita = outcomes[3]
    assert rita["actor"] == {"id": "tok-hm", "name": "Hank Hiring-Manager", "role": "client",
                             "client_id": str(history.acme)}
    assert rita["told_by"] == {"id": RECRUITER.id, "name": RECRUITER.name, "role": "recruiter",
                               "client_id": None}
    assert (rita["told_at"], rita["reason"]) == (history.at(845), "not senior enough")
    assert outcomes[2]["told_by"] is None and outcomes[2]["actor"]["role"] == "recruiter"
    # told: [1 h, 2 h, 9 h, 240 h] -> median (2 + 9) / 2 h = 5.5 / 24 days = 0.229
    assert answer["totals"]["outcomes"] == {
        "total": 6, "told": 4, "owed": 1, "withdrawn": 1, "told_late": 1, "overdue": 1,
        "by_kind": {"hire_decided": 2, "rejected": 2, "disqualified": 1, "abandoned": 1},
        "median_days_to_tell": 0.23}

    steps = answer["client_steps"]
    assert [(n, s["step"], hours(history, s["at"]),
             s["taken_by"]) for n, s in zip(names(history, steps), steps, strict=True)] == [
        ("Hana", "interview-request", 35, "client"),
        ("Hana", "interview/feedback", 61, "client"),
        ("Hana", "interview/feedback", 62, "client"), ("Hana", "decision", 65, "client"),
        ("Will", "interview-request", 134, "client"),
        ("Rita", "interview-request", 560, "client"),
        ("Rita", "interview/feedback", 581, "client"),
        ("Rita", "interview/feedback", 601, "client"), ("Rita", "decision", 605, "client"),
        ("Omar", "interview-request", 905, "recruiter_on_behalf"),
        ("Omar", "interview/feedback", 931, "recruiter_on_behalf"),
        ("Omar", "decision", 932, "recruiter_on_behalf"),
        ("Pia", "decision", 955, "recruiter_on_behalf")]
    assert [s["log_position"] for s in steps] == sorted(s["log_position"] for s in steps)
    feedback = steps[7]
    assert (feedback["interview_round"], feedback["interviewer"], feedback["rating"],
            feedback["event"], feedback["outcome"]) == (2, "Ian", "no", "Interviewed", None)
    assert (steps[3]["outcome"], steps[3]["event"]) == ("hire", "Decided")
    assert steps[-1]["actor"]["role"] == "recruiter" and steps[-1]["client_name"] == "Globex"
    assert answer["totals"]["client_steps"] == {
        "total": 13, "client": 9, "recruiter_on_behalf": 4,
        "by_step": {"interview-request": {"client": 3, "recruiter_on_behalf": 1},
                    "interview/feedback": {"client": 4, "recruiter_on_behalf": 1},
                    "decision": {"client": 2, "recruiter_on_behalf": 2}}}


def test_a_period_a_client_and_a_position(app, clock) -> None:
    history = scripted(app, clock)
    now = history.at(1000)
    period = report(app, now, start=history.at(100), end=history.at(605))  # 605 excluded
    assert names(history, period["outcomes"]) == ["Abe", "Dan"]
    assert [hours(history, s["at"])
            for s in period["client_steps"]] == [134, 560, 581, 601]
    assert (period["start"], period["end"], period["as_of"]) == (history.at(100),
                                                                 history.at(605), now)
    to_the_end = report(app, now, start=history.at(605))
    assert names(history, to_the_end["outcomes"]) == ["Rita", "Omar", "Pia"]
    globex = report(app, now, client_id=str(history.globex))
    assert names(history, globex["outcomes"]) == ["Omar", "Pia"]
    assert globex["totals"]["client_steps"]["recruiter_on_behalf"] == 4
    assert globex["totals"]["client_steps"]["client"] == 0
    analyst = report(app, now, position_id=str(history.p2))
    assert names(history, analyst["outcomes"]) == ["Hana", "Dan"]
    nobody = report(app, now, client_id="-")  # a client token asking for another client
    assert nobody["outcomes"] == [] and nobody["client_steps"] == []
    assert nobody["totals"]["outcomes"]["median_days_to_tell"] is None


def test_an_owed_notice_is_overdue_only_after_three_days(app, clock) -> None:
    history = scripted(app, clock)
    dan = [o for o in report(app, history.at(410 + 72))["outcomes"] if o["status"] == "owed"]
    assert (dan[0]["days_waiting"], dan[0]["late"]) == (3.0, False)
    later = report(app, history.at(410 + 73))
    assert later["totals"]["outcomes"]["overdue"] == 1


def test_a_rebuild_gives_exactly_the_rows_of_the_live_generation(app, clock) -> None:
    history = scripted(app, clock)
    live = dump(app)["compliance"]
    before = report(app, history.at(1000))
    new, old = rebuild(app, ComplianceModel, keep_old=True)
    assert (old, new) == (1, 2)
    assert dump(app, {"compliance": old})["compliance"] == live
    assert dump(app)["compliance"] == live
    assert report(app, history.at(1000)) == before


def test_a_rebuild_of_the_demo_data_gives_the_rows_the_live_projector_built(app) -> None:
    load_history(app, seed=11, candidates=40)
    project_all(app)
    live = dump(app)["compliance"]
    assert live["compliance_outcomes"] and live["compliance_steps"]
    _, old = rebuild(app, ComplianceModel, keep_old=True)
    assert dump(app)["compliance"] == live
    assert dump(app, {"compliance": old})["compliance"] == live

"""The demo data set on a real store: every stage of the process, outcomes that look like a
recruiting agency's (long assessments abandoned more often, notices sent late or still owed),
a global log in time order, and the same log again for the same seed."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from demo.history import DemoAlreadyLoaded, is_loaded, load_demo
from domain.application import Recruitment
from domain.candidate import Candidate
from domain.scope import AGENCY
from domain.stages import Stage
from hirelog.settings import PostgresDatabase, Settings
from storage.event_store import open_recruitment
from tests.databases import TEST_ID_KEY


def size(settings: Settings) -> int:
    """The default load on SQLite; a smaller one on PostgreSQL, where each command is a trip."""
    return 120 if isinstance(settings.database, PostgresDatabase) else 300


def read_log(app: Recruitment) -> list[Any]:
    """Every event of the global log, in log order."""
    events: list[Any] = []
    start = 1
    while notifications := app.recorder.select_notifications(start=start, limit=500):
        events.extend(app.mapper.to_domain_event(n) for n in notifications)
        start = notifications[-1].id + 1
    return events


def candidates_of(app: Recruitment, events: list[Any]) -> list[Candidate]:
    return [app.get_candidate(e.originator_id, AGENCY) for e in events
            if isinstance(e, Candidate.Contacted)]


def fingerprint(events: list[Any]) -> list[tuple[str, datetime, int]]:
    return [(type(e).__qualname__, e.timestamp, e.originator_version) for e in events]


@pytest.mark.slow
def test_a_load_covers_the_whole_process_in_time_order(app, settings, clock):
    """One load per store (it takes a second or two), checked from every side below."""
    progress: list[tuple[int, int]] = []
    assert not is_loaded(app)
    summary = load_demo(app, seed=7, candidates=size(settings),
                        progress=lambda done, total: progress.append((done, total)))
    assert is_loaded(app)
    assert app.clock is clock  # the simulated clock was put back
    events = read_log(app)
    loaded = {"summary": summary, "events": events, "progress": progress,
              "candidates": candidates_of(app, events)}
    every_stage_appears_and_the_summary_matches_the_log(settings, loaded)
    recorded_times_never_go_backwards_and_span_months_of_workdays(loaded)
    long_assessments_are_abandoned_more_often(loaded)
    rubric_revision_positions_and_decisions(app, loaded)
    notices_are_sent_some_late_and_some_still_owed(loaded)

    with pytest.raises(DemoAlreadyLoaded):  # a second load is refused and records nothing
        load_demo(app, seed=7, candidates=5)
    assert len(read_log(app)) == len(events)


def every_stage_appears_and_the_summary_matches_the_log(settings, loaded) -> None:
    summary, events, candidates = loaded["summary"], loaded["events"], loaded["candidates"]
    assert summary.events == len(events)
    assert (summary.clients, summary.positions, summary.candidates) == (
        4, 8, size(settings)) == (
        sum(type(e).__qualname__ == "Client.Registered" for e in events),
        sum(type(e).__qualname__ == "Position.Opened" for e in events), len(candidates))
    assert list(summary.stages) == [stage.value for stage in Stage]
    assert summary.stages == {stage.value: sum(c.stage == stage.value for c in candidates)
                              for stage in Stage}
    missing = [stage for stage, count in summary.stages.items() if count == 0]
    assert not missing, missing
    assert len({c.email for c in candidates}) == len(candidates)
    assert {c.source for c in candidates} == {
        "referral", "sourced", "job_board", "agency_network", "inbound", "other"}
    assert loaded["progress"][-1] == (size(settings), size(settings))
    assert [d for d, _ in loaded["progress"]] == sorted({d for d, _ in loaded["progress"]})


def recorded_times_never_go_backwards_and_span_months_of_workdays(loaded) -> None:
    times = [e.timestamp for e in loaded["events"]]
    assert all(earlier <= later for earlier, later in pairwise(times))
    assert datetime(2026, 5, 4, tzinfo=UTC) <= times[0]
    assert times[-1] <= datetime(2026, 10, 31, tzinfo=UTC)
    assert times[-1] - times[0] > timedelta(days=150)
    assert all(t.weekday() < 5 and 8 <= t.hour < 18 for t in times)


def long_assessments_are_abandoned_more_often(loaded) -> None:
    by_length: dict[int, Counter[str]] = {}
    for candidate in loaded["candidates"]:
        if candidate.assessment is not None:
            counts = by_length.setdefault(candidate.assessment["duration_minutes"], Counter())
            counts["assigned"] += 1
            counts["abandoned"] += candidate.stage == Stage.ABANDONED
    shortest, longest = by_length[min(by_length)], by_length[max(by_length)]
    assert max(by_length) >= 6 * 60 and min(by_length) <= 45
    rate = {name: c["abandoned"] / c["assigned"] for name, c in
            (("shortest", shortest), ("longest", longest))}
    assert rate["longest"] > rate["shortest"] + 0.15, (rate, by_length)
    reasons = Counter(c.reasons["abandoned"] for c in loaded["candidates"]
                      if c.stage == Stage.ABANDONED)
    assert reasons["too_long"] + reasons["schedule_conflict"] > sum(reasons.values()) / 2


def rubric_revision_positions_and_decisions(app, loaded) -> None:
    candidates = loaded["candidates"]
    revised = [c for c in candidates if c.rubric_revision == 2]
    assert revised, "someone is graded against the revised rubric"
    position = app.get_position(revised[0].position_id, AGENCY)
    assert revised[0].rubric == position.rubric_at(2) != position.rubric_at(1)
    assert any(c.rubric_revision == 1 and c.position_id == position.id for c in candidates)
    statuses = {app.get_position(c.position_id, AGENCY).status for c in candidates}
    assert statuses & {"on_hold", "filled"} and "open" in statuses
    decisions = [e for e in loaded["events"] if isinstance(e, Candidate.Decided)]
    assert {d.outcome for d in decisions} == {"hire", "reject"}
    assert all(d.actor.role == "client" and d.actor.client_id is not None for d in decisions)
    hired = Counter(c.position_id for c in candidates if c.stage == Stage.HIRED)
    assert all(n <= app.get_position(p, AGENCY).headcount for p, n in hired.items())
    assert any(len(c.interviews) > 1 for c in candidates)  # a second round, now and then


def notices_are_sent_some_late_and_some_still_owed(loaded) -> None:
    candidates = loaded["candidates"]
    told = [c for c in candidates if c.decision_sent_at is not None]
    assert told and any(c.owes_notice for c in candidates)
    assert any(c.decision_sent_at - c.stage_since > timedelta(days=14) for c in told)
    assert all(not c.owes_notice for c in told)


@pytest.mark.slow
def test_the_same_seed_gives_the_same_log_in_a_fresh_database(app, settings):
    """Loaded into the store and into a fresh in-memory SQLite: the same log, event by event
    (type, recorded time, version), and the same counts per stage; another seed differs."""
    first = load_demo(app, seed=7, candidates=size(settings))
    again = open_recruitment(Settings(database_url="sqlite:///:memory:", id_key=TEST_ID_KEY))
    other = open_recruitment(Settings(database_url="sqlite:///:memory:", id_key=TEST_ID_KEY))
    try:
        summary = load_demo(again, seed=7, candidates=size(settings))
        assert summary == first and summary.stages == first.stages
        assert fingerprint(read_log(again)) == fingerprint(read_log(app))
        load_demo(other, seed=8, candidates=40)
        assert fingerprint(read_log(other)) != fingerprint(read_log(again))
    finally:
        again.close()
        other.close()

"""Position: opening, numbered rubric revisions (old ones kept), status changes, validation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.base import Stamp
from domain.errors import DomainError, IllegalStep, InvalidValue
from domain.position import Position
from domain.values import Skill
from tests.fakes import ADMIN, RECRUITER

# --- fixed facts and helpers -----------------------------------------------------------------

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
CLIENT_ID = UUID("00000000-0000-4000-8000-00000000c001")
POSITION_ID = UUID("00000000-0000-4000-8000-00000000a001")

RUBRIC_1 = (Skill("Python", 3, required=True), Skill("SQL", 1))
RUBRIC_2 = (Skill("Python", 4, required=True), Skill("Kubernetes", 2))
RUBRIC_3 = (Skill("Go", 5),)


def at(hours: float = 0) -> Stamp:
    """A stamp `hours` after T0, by the recruiter."""
    return Stamp(T0 + timedelta(hours=hours), RECRUITER, f"req-{hours}")


def open_position(by: Stamp | None = None, **overrides: Any) -> Position:
    args: dict[str, Any] = dict(client_id=CLIENT_ID, title="Backend Developer", headcount=2,
                                skills=RUBRIC_1, assessment_name="Take-home",
                                assessment_minutes=180, id=POSITION_ID)
    args.update(overrides)
    return Position.open(by=by or at(0), **args)


def opened() -> Position:
    """An open position whose Opened event is already collected."""
    position = open_position()
    position.collect_events()
    return position


def the_new_event(position: Position, event_class: type, by: Stamp, version: int) -> Any:
    events = position.collect_events()
    assert len(events) == 1, events
    [event] = events
    assert type(event) is event_class
    assert event.originator_id == position.id
    assert event.originator_version == version == position.version
    assert event.timestamp == by.at == position.modified_on
    assert (event.actor, event.request_id) == (by.actor, by.request_id)
    return event


# --- opening ---------------------------------------------------------------------------------

def test_open_records_opened() -> None:
    by = Stamp(T0, ADMIN, "req-open")
    position = open_position(by, title="  Backend Developer ", assessment_name=" Take-home ")

    event = the_new_event(position, Position.Opened, by, version=1)
    assert event.client_id == CLIENT_ID
    assert event.title == "Backend Developer"
    assert event.headcount == 2
    assert event.skills == list(RUBRIC_1)
    assert event.assessment_name == "Take-home"
    assert event.assessment_minutes == 180


def test_an_opened_position_is_open_at_rubric_revision_one() -> None:
    position = open_position()

    assert position.id == POSITION_ID
    assert position.created_on == T0
    assert (position.client_id, position.title, position.headcount) == (
        CLIENT_ID, "Backend Developer", 2)
    assert (position.assessment_name, position.assessment_minutes) == ("Take-home", 180)
    assert position.status == "open"
    assert position.is_open is True
    assert position.rubric_revision == 1
    assert position.rubric == RUBRIC_1
    assert position.rubric_at(1) == RUBRIC_1
    assert position.rubrics == (RUBRIC_1,)


def test_positions_get_fresh_ids_unless_one_is_given() -> None:
    first, second = open_position(id=None), open_position(id=None)
    assert isinstance(first.id, UUID)
    assert first.id != second.id
    assert open_position().id == POSITION_ID


def test_a_rubric_can_be_any_iterable_of_skills() -> None:
    position = open_position(skills=(s for s in RUBRIC_1))
    assert position.rubric == RUBRIC_1


# --- rubric revisions ------------------------------------------------------------------------

def test_revise_rubric_records_revision_two() -> None:
    position = opened()
    by = at(1)
    position.revise_rubric(RUBRIC_2, by=by)

    event = the_new_event(position, Position.RubricRevised, by, version=2)
    assert event.revision == 2
    assert event.skills == list(RUBRIC_2)
    assert position.rubric_revision == 2
    assert position.rubric == RUBRIC_2


def test_revisions_are_numbered_from_one_and_old_ones_are_kept() -> None:
    position = opened()
    position.revise_rubric(RUBRIC_2, by=at(1))
    position.revise_rubric(RUBRIC_3, by=at(2))

    assert [e.revision for e in position.collect_events()] == [2, 3]
    assert position.rubric_revision == 3
    assert position.rubric == RUBRIC_3
    assert position.rubric_at(1) == RUBRIC_1
    assert position.rubric_at(2) == RUBRIC_2
    assert position.rubric_at(3) == RUBRIC_3


@pytest.mark.parametrize("revision", [0, -1, 3])
def test_rubric_at_an_unknown_revision_is_refused(revision: int) -> None:
    position = opened()
    position.revise_rubric(RUBRIC_2, by=at(1))
    with pytest.raises(InvalidValue, match=f"position has no rubric revision {revision}"):
        position.rubric_at(revision)


@pytest.mark.parametrize("status", ["on_hold", "filled"])
def test_a_rubric_can_be_revised_while_on_hold_or_filled(status: str) -> None:
    position = opened()
    position.change_status(status, by=at(1))
    position.revise_rubric(RUBRIC_2, by=at(2))
    assert (position.rubric_revision, position.rubric) == (2, RUBRIC_2)


def test_revising_a_closed_positions_rubric_is_refused() -> None:
    position = opened()
    position.change_status("closed", by=at(1))
    position.collect_events()
    version = position.version

    with pytest.raises(IllegalStep) as caught:
        position.revise_rubric(RUBRIC_2, by=at(2))

    assert isinstance(caught.value, DomainError)
    assert "cannot revise rubric in stage 'position closed'" in str(caught.value)
    assert "allowed now: change_status" in str(caught.value)
    assert position.pending_events == []
    assert position.version == version
    assert (position.rubric_revision, position.rubric) == (1, RUBRIC_1)


@pytest.mark.parametrize(
    ("skills", "match"),
    [
        pytest.param((), "a rubric needs at least one skill", id="empty"),
        pytest.param((Skill("Python", 3), Skill("python", 1)), "a rubric lists a skill twice",
                     id="same-name-other-case"),
        pytest.param((Skill("Python", 3), Skill(" Python ", 1)),
                     "a rubric lists a skill twice", id="same-name-with-blanks"),
    ],
)
def test_a_bad_revision_is_refused_and_records_nothing(skills: tuple[Skill, ...],
                                                       match: str) -> None:
    position = opened()
    with pytest.raises(InvalidValue, match=match):
        position.revise_rubric(skills, by=at(1))
    assert position.pending_events == []
    assert (position.version, position.rubric_revision) == (1, 1)


# --- status ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("status", "is_open"),
                         [("on_hold", False), ("filled", False), ("closed", False)])
def test_change_status(status: str, is_open: bool) -> None:
    position = opened()
    by = at(1)
    position.change_status(status, reason="  budget freeze ", by=by)

    event = the_new_event(position, Position.StatusChanged, by, version=2)
    assert (event.status, event.reason) == (status, "budget freeze")
    assert position.status == status
    assert position.is_open is is_open


def test_a_position_on_hold_can_be_reopened() -> None:
    position = opened()
    position.change_status("on_hold", by=at(1))
    position.change_status("open", by=at(2))
    assert [e.status for e in position.collect_events()] == ["on_hold", "open"]
    assert position.is_open is True


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_a_blank_status_reason_is_recorded_as_none(reason: str | None) -> None:
    position = opened()
    position.change_status("filled", reason=reason, by=at(1))
    assert position.collect_events()[-1].reason is None


def test_changing_to_the_current_status_is_refused() -> None:
    position = opened()
    with pytest.raises(InvalidValue, match="position is already open"):
        position.change_status("open", by=at(1))
    assert position.pending_events == []


@pytest.mark.parametrize("status", ["paused", "OPEN", ""])
def test_an_unknown_status_is_refused(status: str) -> None:
    position = opened()
    with pytest.raises(InvalidValue, match=f"unknown position status '{status}'"):
        position.change_status(status, by=at(1))
    assert position.pending_events == []
    assert position.status == "open"


# --- validation on opening -------------------------------------------------------------------

@pytest.mark.parametrize("weight", [1, 2, 3, 4, 5])
def test_skill_weights_from_one_to_five(weight: int) -> None:
    assert Skill("Python", weight).weight == weight


@pytest.mark.parametrize(
    ("weight", "match"),
    [(0, "must be 1 to 5, not 0"), (6, "must be 1 to 5, not 6"), (-1, "must be 1 to 5"),
     (2.5, "must be a whole number"), (True, "must be a whole number"),
     ("3", "must be a whole number")],
)
def test_other_skill_weights_are_refused(weight: Any, match: str) -> None:
    with pytest.raises(InvalidValue, match=match):
        Skill("Python", weight)


@pytest.mark.parametrize("name", ["", "   "])
def test_a_skill_needs_a_name(name: str) -> None:
    with pytest.raises(InvalidValue, match="a skill needs a name"):
        Skill(name, 3)


def test_skills_are_optional_unless_marked_required() -> None:
    assert Skill("SQL", 1).required is False
    assert Skill("SQL", 1, required=True).required is True


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        pytest.param({"skills": ()}, "a rubric needs at least one skill", id="empty-rubric"),
        pytest.param({"skills": (Skill("SQL", 1), Skill("sql", 2))},
                     "a rubric lists a skill twice", id="duplicate-skill"),
        pytest.param({"headcount": 0}, "headcount must be a whole number from 1 to 10000",
                     id="headcount-0"),
        pytest.param({"headcount": 10_001}, "headcount", id="headcount-over-the-bound"),
        pytest.param({"headcount": 10**20}, "headcount", id="headcount-huge"),
        pytest.param({"title": "a\x00b"}, "title must not contain the NUL", id="nul-title"),
        pytest.param({"title": "a\ud800b"}, "title must not contain a lone surrogate",
                     id="surrogate-title"),
        pytest.param({"headcount": -2}, "headcount", id="headcount-negative"),
        pytest.param({"headcount": 1.5}, "headcount", id="headcount-fraction"),
        pytest.param({"headcount": True}, "headcount", id="headcount-bool"),
        pytest.param({"headcount": "2"}, "headcount", id="headcount-text"),
        pytest.param({"assessment_minutes": 0},
                     "assessment duration must be 1 to 10080 minutes", id="minutes-0"),
        pytest.param({"assessment_minutes": 10081}, "assessment duration",
                     id="minutes-over-a-week"),
        pytest.param({"assessment_minutes": 90.0}, "assessment duration", id="minutes-float"),
        pytest.param({"assessment_minutes": True}, "assessment duration", id="minutes-bool"),
        pytest.param({"title": "  "}, "title must not be empty", id="blank-title"),
        pytest.param({"title": "t" * 201}, "title is longer than 200", id="long-title"),
        pytest.param({"assessment_name": ""}, "assessment name must not be empty",
                     id="blank-assessment-name"),
    ],
)
def test_open_refuses_bad_values(overrides: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidValue, match=match):
        open_position(**overrides)


@pytest.mark.parametrize(("headcount", "minutes"), [(1, 1), (10_000, 10080)])
def test_open_accepts_the_limits(headcount: int, minutes: int) -> None:
    position = open_position(headcount=headcount, assessment_minutes=minutes)
    assert (position.headcount, position.assessment_minutes) == (headcount, minutes)


def test_replaying_the_events_rebuilds_the_same_position() -> None:
    position = open_position()
    position.revise_rubric(RUBRIC_2, by=at(1))
    position.change_status("closed", reason="filled elsewhere", by=at(2))
    events = position.collect_events()

    replayed = None
    for event in events:
        replayed = event.mutate(replayed)

    assert replayed == position
    assert replayed.rubric_at(1) == RUBRIC_1
    assert replayed.status == "closed"


# --- hires against the headcount -------------------------------------------------------------

HIRED = (UUID("00000000-0000-4000-8000-0000000000e1"), UUID("00000000-0000-4000-8000-0000000000e2"),
         UUID("00000000-0000-4000-8000-0000000000e3"))


def test_the_hire_that_fills_the_headcount_marks_the_position_filled() -> None:
    position = opened()  # headcount 2
    position.record_placement(HIRED[0], by=at(1))
    first = position.collect_events()
    assert [type(e) for e in first] == [Position.PlacementRecorded]
    assert (position.placements, position.status, position.is_filled) == (
        (HIRED[0],), "open", False)

    position.record_placement(HIRED[1], by=at(2))
    placed, filled = position.collect_events()
    assert isinstance(placed, Position.PlacementRecorded) and placed.candidate_id == HIRED[1]
    assert isinstance(filled, Position.StatusChanged)
    assert (filled.status, filled.reason) == ("filled", "headcount of 2 filled")
    assert (position.status, position.is_open, position.is_filled) == ("filled", False, True)


def test_a_hire_beyond_the_headcount_is_counted_and_the_status_stays() -> None:
    position = opened()
    for n, candidate in enumerate(HIRED):
        position.record_placement(candidate, by=at(n + 1))
    assert [type(e).__name__ for e in position.collect_events()] == [
        "PlacementRecorded", "PlacementRecorded", "StatusChanged", "PlacementRecorded"]
    assert (len(position.placements), position.status) == (3, "filled")


def test_a_closed_position_that_fills_stays_closed_and_a_placement_counts_once() -> None:
    position = opened()
    position.change_status("closed", by=at(1))
    position.record_placement(HIRED[0], by=at(2))
    position.record_placement(HIRED[1], by=at(3))
    assert position.status == "closed"
    with pytest.raises(InvalidValue, match="already placed"):
        position.record_placement(HIRED[1], by=at(4))

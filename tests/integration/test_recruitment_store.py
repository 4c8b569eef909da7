"""The application on a real store (SQLite file and PostgreSQL): what is saved is what is read
back after reopening, and concurrent writers never lose or duplicate an event."""

from __future__ import annotations

import threading

import pytest

from audit.log_verify import verify_log
from domain.application import Caller, Recruitment
from domain.errors import DuplicateCandidate, VersionConflict
from domain.scope import AGENCY
from domain.values import Skill
from storage.event_store import open_recruitment
from tests.fakes import RECRUITER, FakeClock, by
from tests.hiring_steps import drive_to_interview, open_candidate


def test_reopened_application_finds_the_same_state(app, settings, clock):
    client, position, receipt = open_candidate(app)
    drive_to_interview(app, clock, receipt.id, client.id)
    before = app.get_candidate(receipt.id, AGENCY)
    history = app.history(receipt.id, AGENCY)
    app.close()

    reopened = open_recruitment(settings, clock=clock)
    try:
        after = reopened.get_candidate(receipt.id, AGENCY)
        assert after == before
        assert after.stage == "interview_scheduled" and after.score == 67.9  # (5*3 + 2*2) / (7*4)
        assert reopened.history(receipt.id, AGENCY) == history
        assert reopened.get_position(position.id, AGENCY).rubric == (Skill("python", 5, True),
                                                              Skill("sql", 2))
        # the same email for the same position stays refused after reopening
        with pytest.raises(DuplicateCandidate):
            reopened.contact_candidate(position_id=position.id, name="Ann", source="inbound",
                                       email=" ANN@Example.com ", caller=by())
    finally:
        reopened.close()


def test_a_stale_expected_version_is_refused_and_records_nothing(app, clock):
    _, _, receipt = open_candidate(app)
    app.apply(receipt.id, by())
    head = app.recorder.max_notification_id()
    with pytest.raises(VersionConflict) as refused:
        app.disqualify(receipt.id, by(expected_version=1), reason="no visa")
    assert (refused.value.expected, refused.value.actual) == (1, 2)
    assert app.recorder.max_notification_id() == head
    assert app.disqualify(receipt.id, by(expected_version=2), reason="no visa").version == 3


class WritesOnce:
    """A clock that, the first time it is read, lets another writer record first: the
    exact interleaving of a race, without mocking anything we own."""

    def __init__(self, clock: FakeClock, write) -> None:
        self.clock, self.write, self.done = clock, write, False

    def __call__(self):
        if not self.done:
            self.done = True
            self.write()
        return self.clock()


def test_a_writer_that_loses_a_race_is_retried_on_the_new_state(app, settings, clock):
    client, _, receipt = open_candidate(app)
    drive_to_interview(app, clock, receipt.id, client.id)
    other = open_recruitment(settings, clock=clock)
    try:
        other.clock = WritesOnce(clock, lambda: app.record_interview_feedback(
            receipt.id, by(), interviewer="Kim", rating="yes"))
        answer = other.record_interview_feedback(receipt.id, by(), interviewer="Lou",
                                                 rating="strong_yes")
    finally:
        other.close()
    feedback = app.get_candidate(receipt.id, AGENCY).feedback
    assert [f.interviewer for f in feedback] == ["Kim", "Lou"]
    assert answer.version == app.get_candidate(receipt.id, AGENCY).version
    assert verify_log(app.recorder).ok  # the retried event is sealed onto the winner's


def test_a_writer_that_loses_a_race_with_an_expected_version_gets_a_conflict(app, settings,
                                                                             clock):
    client, _, receipt = open_candidate(app)
    drive_to_interview(app, clock, receipt.id, client.id)
    version = app.get_candidate(receipt.id, AGENCY).version
    other = open_recruitment(settings, clock=clock)
    try:
        other.clock = WritesOnce(clock, lambda: app.record_interview_feedback(
            receipt.id, by(), interviewer="Kim", rating="yes"))
        with pytest.raises(VersionConflict):
            other.record_interview_feedback(receipt.id, by(expected_version=version),
                                            interviewer="Lou", rating="no")
    finally:
        other.close()
    assert [f.interviewer for f in app.get_candidate(receipt.id, AGENCY).feedback] == ["Kim"]


def test_concurrent_writers_in_threads_lose_nothing(app, settings, clock):
    client, _, receipt = open_candidate(app)
    drive_to_interview(app, clock, receipt.id, client.id)
    writers = [open_recruitment(settings, clock=clock) for _ in range(4)]
    start = threading.Barrier(len(writers))
    errors: list[BaseException] = []

    def give_feedback(writer: Recruitment, interviewer: str) -> None:
        start.wait()
        try:
            writer.record_interview_feedback(receipt.id, Caller(RECRUITER),
                                             interviewer=interviewer, rating="yes")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=give_feedback, args=(w, name))
               for w, name in zip(writers, ["Kim", "Lou", "Max", "Noa"], strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for writer in writers:
        writer.close()
    assert errors == []
    events = app.history(receipt.id, AGENCY)
    assert sorted(e.interviewer for e in events if type(e).__name__ == "Interviewed") == [
        "Kim", "Lou", "Max", "Noa"]
    assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
    assert verify_log(app.recorder).ok  # every retry sealed onto the event that won


def test_the_same_email_contacted_at_once_is_recorded_once(app, settings):
    _, position, _ = open_candidate(app)
    writers = [open_recruitment(settings) for _ in range(4)]
    start = threading.Barrier(len(writers))
    outcomes: list[str] = []

    def contact(writer: Recruitment) -> None:
        start.wait()
        try:
            writer.contact_candidate(position_id=position.id, name="Bo", source="inbound",
                                     email="bo@example.com", caller=by())
            outcomes.append("recorded")
        except DuplicateCandidate:
            outcomes.append("duplicate")

    threads = [threading.Thread(target=contact, args=(w,)) for w in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for writer in writers:
        writer.close()
    assert sorted(outcomes) == ["duplicate"] * 3 + ["recorded"]

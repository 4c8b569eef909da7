"""Scope: the one rule for what a client's users may see, for aggregates and read models."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from domain.application import Recruitment
from domain.errors import NotFound
from domain.scope import AGENCY, Scope
from domain.values import Skill
from tests.fakes import ADMIN, RECRUITER, by, client_user

ONE_WEEK = timedelta(days=7)

ACME, GLOBEX = uuid.uuid4(), uuid.uuid4()


@pytest.mark.parametrize("actor", [RECRUITER, ADMIN])
def test_staff_see_the_whole_agency(actor: object) -> None:
    scope = Scope.of(actor)  # type: ignore[arg-type]
    assert scope == AGENCY and scope.is_agency
    assert scope.sees(ACME) and scope.sees(None)
    assert scope.client_filter() is None
    assert scope.client_filter(ACME) == str(ACME)


def test_a_client_sees_only_its_own_client() -> None:
    scope = Scope.of(client_user(ACME))
    assert not scope.is_agency
    assert scope.sees(ACME) and scope.sees(str(ACME))
    assert not scope.sees(GLOBEX) and not scope.sees(None)
    assert scope.client_filter() == str(ACME)
    assert scope.client_filter(ACME) == str(ACME)
    with pytest.raises(NotFound):
        scope.client_filter(str(GLOBEX))


def test_every_aggregate_read_takes_the_scope(memory_app: Recruitment) -> None:
    """Another client's client, position and candidate are not found, as if they did not
    exist; the agency and the owner read them."""
    recruitment = memory_app
    client = recruitment.register_client("Acme", by()).id
    position = recruitment.open_position(
        client_id=client, title="Backend", headcount=1,
        skills=[Skill("python", 3, True)], assessment_name="take-home",
        assessment_minutes=90, caller=by()).id
    candidate = recruitment.contact_candidate(
        position_id=position, name="Ann", email="ann@example.com", source="referral",
        caller=by()).id
    own, other = Scope.of(client_user(client)), Scope.of(client_user(GLOBEX))
    # the client sees a candidate once the agency presented it (recommended it) to them
    assert recruitment.get_candidate(candidate, AGENCY).id == candidate
    for hidden in (lambda: recruitment.get_candidate(candidate, own),
                   lambda: recruitment.candidate_history(candidate, own),
                   lambda: recruitment.request_interview(candidate, by(client_user(client)))):
        with pytest.raises(NotFound):
            hidden()
    recruitment.apply(candidate, by())
    recruitment.assign_assessment(candidate, by(), due_at=recruitment.clock() + ONE_WEEK)
    recruitment.record_assessment(candidate, by(), grades={"python": "yes"})
    with pytest.raises(NotFound):
        recruitment.get_candidate(candidate, own)
    recruitment.recommend(candidate, by(), summary="strong")
    for scope in (AGENCY, own):
        assert recruitment.get_client(client, scope).id == client
        assert recruitment.get_position(position, scope).id == position
        assert recruitment.get_candidate(candidate, scope).id == candidate
        assert len(recruitment.candidate_history(candidate, scope)) == 5
    with pytest.raises(NotFound):  # as it stood before it was presented: not shown either
        recruitment.get_candidate(candidate, own, version=4)
    for read in (lambda: recruitment.get_client(client, other),
                 lambda: recruitment.get_position(position, other),
                 lambda: recruitment.get_candidate(candidate, other),
                 lambda: recruitment.history(position, other),
                 lambda: recruitment.candidate_history(candidate, other)):
        with pytest.raises(NotFound):
            read()
    with pytest.raises(NotFound):  # a command of another client's user finds nothing
        recruitment.apply(candidate, by(client_user(GLOBEX)))

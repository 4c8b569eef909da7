"""Client: a company the agency recruits for, registered with a name."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

import pytest

from domain.base import Stamp
from domain.client import Client
from domain.errors import InvalidValue
from tests.fakes import ADMIN

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
BY = Stamp(T0, ADMIN, "req-register")
CLIENT_ID = UUID("00000000-0000-4000-8000-00000000c001")


def test_register_records_registered() -> None:
    client = Client.register("  Acme GmbH ", by=BY, id=CLIENT_ID)

    [event] = client.collect_events()
    assert type(event) is Client.Registered
    assert event.originator_id == CLIENT_ID
    assert event.originator_version == 1
    assert event.timestamp == T0
    assert (event.actor, event.request_id) == (ADMIN, "req-register")
    assert event.name == "Acme GmbH"

    assert client.id == CLIENT_ID
    assert client.name == "Acme GmbH"
    assert client.version == 1
    assert client.created_on == client.modified_on == T0


def test_clients_get_fresh_ids_unless_one_is_given() -> None:
    first, second = Client.register("Acme", by=BY), Client.register("Acme", by=BY)
    assert isinstance(first.id, UUID)
    assert first.id != second.id


def test_a_request_id_is_optional() -> None:
    client = Client.register("Acme", by=Stamp(T0, ADMIN))
    assert client.collect_events()[0].request_id is None


def test_a_name_of_200_characters_is_accepted() -> None:
    assert Client.register("n" * 200, by=BY).name == "n" * 200


@pytest.mark.parametrize(
    ("name", "match"),
    [("", "client name must not be empty"), ("   ", "client name must not be empty"),
     ("n" * 201, "client name is longer than 200 characters")],
)
def test_register_refuses_a_bad_name(name: str, match: str) -> None:
    with pytest.raises(InvalidValue, match=match):
        Client.register(name, by=BY)


def test_replaying_the_event_rebuilds_the_client() -> None:
    client = Client.register("Acme", by=BY, id=CLIENT_ID)
    [event] = client.collect_events()
    assert event.mutate(None) == client

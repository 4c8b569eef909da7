"""Fakes we own (no mocks): a clock tests move by hand, and ready-made actors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

from domain.application import Caller
from domain.values import Actor


class FakeClock:
    """Injectable time: starts on a Monday morning and only moves when a test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


RECRUITER = Actor(id="tok-rita", name="Rita Recruiter", role="recruiter")
ADMIN = Actor(id="tok-admin", name="Ada Admin", role="admin")


def client_user(client_id: UUID) -> Actor:
    return Actor(id="tok-hm", name="Hank Hiring-Manager", role="client", client_id=client_id)


def by(actor: Actor = RECRUITER, **kwargs: object) -> Caller:
    return Caller(actor=actor, **kwargs)  # type: ignore[arg-type]

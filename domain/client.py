"""Client: a company the agency recruits developers for."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from domain.base import HiringAggregate, Stamp
from domain.values import require_text


class Client(HiringAggregate):
    """State: name."""

    if TYPE_CHECKING:  # declared for the type checker only: eventsourcing would make it a field
        name: str

    class Registered(HiringAggregate.Created):
        name: str

        def apply(self, aggregate: Client) -> None:
            aggregate.name = self.name

    @classmethod
    def register(cls, name: str, *, by: Stamp, id: UUID | None = None) -> Client:
        return cls.start(cls.Registered, by, id=id or uuid4(),
                         name=require_text(name, "client name", 200))

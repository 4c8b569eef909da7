"""What every hirelog aggregate and event shares: when, by whom and in which request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.errors import InvalidValue
from domain.values import Actor


@dataclass(frozen=True)
class Stamp:
    """When a command happened, who gave it, and the request it came in (for auditors)."""

    at: datetime
    actor: Actor
    request_id: str | None = None

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise InvalidValue("times must carry a time zone")


class HiringAggregate(Aggregate):
    """Base of Client, Position and Candidate: events say who did it and in which request."""

    class Event(Aggregate.Event):
        actor: Actor
        request_id: str | None

    class Created(Event, Aggregate.Created):
        pass

    @classmethod
    def start(cls, event_class: type[Created], stamp: Stamp, **facts: Any) -> Any:
        """Create the aggregate with its first event, at the injected time."""
        return cls._create(event_class, timestamp=stamp.at, actor=stamp.actor,
                           request_id=stamp.request_id, **facts)

    def record(self, event_class: type[Event], stamp: Stamp, **facts: Any) -> None:
        """Trigger `event_class` at the injected time (clocks belong to the application)."""
        self.trigger_event(event_class, timestamp=stamp.at, actor=stamp.actor,
                           request_id=stamp.request_id, **facts)

"""Who may see what: the one rule that a client's users see only their own client (its
positions and candidates), and the agency's staff and auditors see everything.

Every aggregate read (`Recruitment.get_*`) and every read-model query (through its `View`)
takes a Scope, so a new endpoint cannot read without one; what is outside it is "not found",
so that nobody learns what exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.values import Actor, Role

# A client id no row has: a client asking for another client's figures finds nothing.
NO_CLIENT = "-"


@dataclass(frozen=True)
class Scope:
    """The whole agency (client_id None), or one client's own data."""

    client_id: UUID | None = None

    @classmethod
    def of(cls, actor: Actor) -> Scope:
        return cls(actor.client_id if actor.role == Role.CLIENT.value else None)

    @property
    def is_agency(self) -> bool:
        return self.client_id is None

    def sees(self, owner: UUID | str | None) -> bool:
        """Whether something owned by this client (its id) is visible in this scope."""
        return self.client_id is None or (owner is not None
                                          and str(owner) == str(self.client_id))

    def client_filter(self, asked: UUID | str | None = None) -> str | None:
        """The client a query is limited to, as the read models store it: the one asked for
        (None: every client) within this scope; another client's id finds nothing."""
        if self.client_id is None:
            return None if asked is None else str(asked)
        return str(self.client_id) if asked is None or self.sees(asked) else NO_CLIENT


AGENCY = Scope()

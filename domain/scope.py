"""Who may see what: the one rule that a client's users see only their own client (its
positions and candidates), and the agency's staff and auditors see everything.

Every aggregate read (`Recruitment.get_*`) and every read-model query (through its `View`)
takes a Scope, so a new endpoint cannot read without one; what is outside it is "not found",
so that nobody learns what exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.errors import NotFound
from domain.values import Actor, Role


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

    def sees_candidate(self, owner: UUID | str | None, presented: bool) -> bool:
        """A client's users see a candidate once the agency has presented it to them; the
        agency sees every candidate."""
        return self.sees(owner) and (self.client_id is None or presented)

    def client_filter(self, asked: UUID | str | None = None) -> str | None:
        """The client a query is limited to, as the read models store it: the one asked for
        (None: every client) within this scope. Asking for another client's figures, lists
        or reports is NotFound, like every other read of another client's (not an empty
        answer, which would differ from the answer for a client that does not exist)."""
        if self.client_id is None:
            return None if asked is None else str(asked)
        if asked is not None and not self.sees(asked):
            raise NotFound(f"no client with id {asked}")
        return str(self.client_id)


AGENCY = Scope()

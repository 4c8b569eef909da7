"""One family of domain errors: everything the rules of the hiring process refuse."""

from __future__ import annotations

from collections.abc import Iterable


class DomainError(Exception):
    """A command broke a rule of the hiring process; nothing was recorded."""


class InvalidValue(DomainError):
    """A value given to a command is not acceptable (empty name, bad weight, unknown skill).

    `field` names the command argument at fault, when one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class IllegalStep(DomainError):
    """The command is not allowed in the aggregate's current stage."""

    def __init__(self, command: str, stage: str, allowed: Iterable[str]) -> None:
        self.command = command
        self.stage = stage
        self.allowed = tuple(allowed)
        allowed_text = ", ".join(self.allowed) if self.allowed else "none"
        super().__init__(
            f"cannot {command.replace('_', ' ')} in stage '{stage}'; "
            f"allowed now: {allowed_text}"
        )


class NotFound(DomainError):
    """No client, position or candidate has that id."""


class DuplicateCandidate(DomainError):
    """This email is already a candidate for this position."""


class VersionConflict(DomainError):
    """The aggregate moved on since the version the caller expected."""

    def __init__(self, expected: int, actual: int) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(f"expected version {expected}, but it is at version {actual}")


class TooBusy(DomainError):
    """Other writers kept changing the aggregate while a command was retried on it."""

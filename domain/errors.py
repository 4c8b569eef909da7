"""One family of domain errors: everything the rules of the hiring process refuse."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class DomainError(Exception):
    """A command broke a rule of the hiring process; nothing was recorded."""


class InvalidValue(DomainError):
    """A value given to a command is not acceptable (empty name, bad weight, unknown skill).

    `field` names the command argument at fault, when one is."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class IllegalStep(DomainError):
    """The command is not accepted now: not in the aggregate's current stage, or not yet (an
    interview still to come), or no longer (an expired offer).

    `allowed` names the commands accepted now; `limits` the only values some of their
    arguments may take (e.g. decide: outcome reject only); `why` says what stands in the way
    when the stage alone does not."""

    def __init__(self, command: str, stage: str,
                 allowed: Iterable[str] | Mapping[str, Mapping[str, tuple[str, ...]]],
                 why: str | None = None) -> None:
        steps = allowed if isinstance(allowed, Mapping) else {name: {} for name in allowed}
        self.command = command
        self.stage = stage
        self.allowed = tuple(steps)
        self.limits = {name: dict(limit) for name, limit in steps.items() if limit}
        self.why = why
        allowed_text = ", ".join(self.allowed) if self.allowed else "none"
        because = f" ({why})" if why else ""
        super().__init__(
            f"cannot {command.replace('_', ' ')} in stage '{stage}'{because}; "
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

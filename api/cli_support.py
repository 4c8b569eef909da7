"""What every `hirelog` command shares: one-line errors, and the application to work on."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from eventsourcing.persistence import PersistenceError

from domain.application import Recruitment
from domain.errors import DomainError
from hirelog.settings import Settings, SettingsError, redact


def one_line_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Known failures become `Error: <message>` and exit 1, never a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (SettingsError, DomainError) as error:
            raise click.ClickException(str(error)) from None
        except PersistenceError as error:  # the database refused or failed
            raise click.ClickException(f"database error: {error}".splitlines()[0]) from None
        except OSError as error:  # includes unreachable databases
            raise click.ClickException(f"{type(error).__name__}: {error}") from None

    return wrapper


@contextmanager
def recruitment() -> Iterator[Recruitment]:
    from hirelog.storage import open_recruitment

    settings = Settings.from_env()
    try:
        app = open_recruitment(settings)
    except Exception as error:
        if isinstance(error, SettingsError):
            raise
        raise click.ClickException(
            f"cannot open {redact(settings.database_url)}: {str(error).strip().splitlines()[0]}"
        ) from None
    try:
        yield app
    finally:
        app.close()

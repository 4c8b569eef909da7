"""What every `hirelog` command shares: one-line errors, and the application to work on."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from eventsourcing.persistence import PersistenceError

from domain.errors import DomainError
from hirelog.settings import Settings, SettingsError, redact
from storage.event_store import StoredRecruitment


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
def recruitment(existing: bool = False) -> Iterator[StoredRecruitment]:
    """The application on DATABASE_URL; `existing` (the commands that only read): only if a
    hirelog store is there already, else a one-line error and nothing created."""
    from hirelog import bootstrap
    from storage.event_store import missing

    settings = Settings.from_env()
    try:
        absent = missing(settings) if existing else None
        app = None if absent else bootstrap.event_store(settings)
    except Exception as error:
        if isinstance(error, SettingsError):
            raise
        raise click.ClickException(
            f"cannot open {redact(settings.database_url)}: {str(error).strip().splitlines()[0]}"
        ) from None
    if app is None:
        raise click.ClickException(f"{absent} (DATABASE_URL): this command only reads, and "
                                   "creates nothing; check the URL")
    try:
        yield app
    finally:
        app.close()


def metrics_options(port: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--metrics-host and --metrics-port (0: no metrics endpoint) of a long-running command."""

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option("--metrics-port", default=port, show_default=True,
                               type=click.IntRange(0, 65535),
                               help="Port of GET /metrics for Prometheus (0: none).")(command)
        return click.option("--metrics-host", default="127.0.0.1", show_default=True,
                            help="Interface of the metrics endpoint (0.0.0.0 in a "
                                 "container).")(command)

    return decorate


def serve_metrics(app: StoredRecruitment, host: str, port: int) -> None:
    """This process's figures and the store's on http://host:port/metrics (a thread)."""
    if port == 0:
        return
    import logging

    from prometheus_client import start_http_server
    from prometheus_client.registry import REGISTRY

    from hirelog import bootstrap, metrics

    reads = bootstrap.read_side(app)
    collector = metrics.StoreCollector(
        lambda: reads.store_state(app.recorder.max_notification_id() or 0))
    try:
        REGISTRY.register(collector)
        start_http_server(port, addr=host)
    except (OSError, ValueError) as error:  # the port is taken, or already serving here
        logging.getLogger("hirelog.metrics").warning(
            "no metrics endpoint on %s:%s (%s)", host, port, error)
        return
    click.echo(f"metrics on http://{host}:{port}/metrics", err=True)

"""`hirelog token ...` and `hirelog projections ...`: administering tokens and read models."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from cli.support import one_line_errors, recruitment
from hirelog.settings import Settings


@click.group()
def projections() -> None:
    """Inspect and rebuild the read models."""


@projections.command("status")
@one_line_errors
def projections_status() -> None:
    """Each read model's live generation, position and lag behind the log, and any read
    model stopped at an event it cannot apply (exit status 1 then)."""
    from projections import catalog, failures
    from projections.registry import MODELS

    stopped_any = False
    with recruitment(existing=True) as app:
        head = app.recorder.max_notification_id() or 0
        with app.tables.transaction(commit=False) as cursor:
            stopped = failures.current(cursor)
            for model in MODELS:
                generation, position = catalog.active(cursor, model.name) or (0, 0)
                click.echo(f"{model.name:<12} generation {generation}  position {position}  "
                           f"lag {head - position}")
                failure = stopped.get((model.name, generation))
                if failure is not None:
                    stopped_any = True
                    click.echo(f"  STOPPED at position {failure.position} "
                               f"({failure.event_type}): {failure.error}")
                    click.echo(f"  {failure.attempts} attempt(s) since "
                               f"{failure.first_failed_at:%Y-%m-%d %H:%M:%S} UTC; next at "
                               f"{failure.next_attempt_at:%H:%M:%S} UTC "
                               "(or now: hirelog projections retry)")
    if stopped_any:
        sys.exit(1)


@projections.command("retry")
@click.argument("name", required=False)
@one_line_errors
def projections_retry(name: str | None) -> None:
    """Have every running projector retry a stopped read model (NAME, default: every one)
    on its next pass, instead of after its pause."""
    from projections import failures
    from projections.registry import model_named

    if name is not None:
        try:
            model_named(name)
        except KeyError as error:
            raise click.ClickException(error.args[0]) from None
    with recruitment() as app, app.tables.transaction() as cursor:
        count = failures.retry_now(cursor, name)
    click.echo(f"{count} stopped read model(s) will be retried on the next pass"
               if count else "no read model is stopped")


@projections.command("rebuild")
@click.argument("name", required=False)
@one_line_errors
def projections_rebuild(name: str | None) -> None:
    """Rebuild NAME (default: every read model) from the start of the log into new tables,
    and switch readers over only when it has caught up."""
    from projections.rebuild import CannotApply, rebuild
    from projections.registry import MODELS, model_named

    try:
        models = [model_named(name)] if name else list(MODELS)
    except KeyError as error:
        raise click.ClickException(error.args[0]) from None
    with recruitment() as app:
        for model in models:
            head = app.recorder.max_notification_id() or 0
            started = time.perf_counter()
            length = max(head, 1)
            with click.progressbar(length=length, label=f"rebuilding {model.name}",
                                   file=sys.stderr,
                                   item_show_func=lambda rate: rate) as bar:
                def progress(position: int, _head: int, started: float = started,
                             length: int = length) -> None:
                    rate = position / max(time.perf_counter() - started, 1e-6)
                    bar.update(min(position, length) - bar.pos, f"{rate:,.0f} events/s")
                try:
                    generation, _ = rebuild(app, model, progress)
                except CannotApply as error:
                    raise click.ClickException(str(error)) from None
            elapsed = time.perf_counter() - started
            click.echo(f"{model.name}: generation {generation} live, {head} events in "
                       f"{elapsed:.1f} s ({head / max(elapsed, 1e-6):,.0f} events/s)")


@click.group()
def token() -> None:
    """Create, list and revoke API tokens."""


@contextmanager
def token_store(existing: bool = False) -> Iterator[Any]:
    from hirelog import bootstrap

    with recruitment(existing) as app:
        yield bootstrap.token_store(app, Settings.from_env())


@token.command("create")
@click.option("--role", required=True, type=click.Choice(["admin", "recruiter", "client",
                                                          "auditor"]))
@click.option("--name", required=True, help="Who or what holds the token.")
@click.option("--client-id", type=click.UUID, help="The client a client token is bound to.")
@one_line_errors
def token_create(role: str, name: str, client_id: Any) -> None:
    """Print a new token (shown once: keep it)."""
    with token_store() as tokens:
        info, secret = tokens.create(name=name, role=role, client_id=client_id,
                                     created_by="cli")
    click.echo(f"token {info.id} ({role}, {name}); send it as 'Authorization: Bearer <token>'",
               err=True)
    click.echo(secret)


@token.command("list")
@one_line_errors
def token_list() -> None:
    """List tokens (never their secrets)."""
    with token_store(existing=True) as tokens:
        for info in tokens.list():
            state = f"revoked {info.revoked_at:%Y-%m-%d}" if info.revoked_at else "active"
            click.echo(f"{info.id}  {info.role:<9} {state:<18} {info.name}"
                       + (f"  client {info.client_id}" if info.client_id else ""))


@token.command("revoke")
@click.argument("token_id")
@one_line_errors
def token_revoke(token_id: str) -> None:
    """Revoke a token at once."""
    with token_store() as tokens:
        info = tokens.revoke(token_id)
    click.echo(f"revoked {info.id} ({info.name})")

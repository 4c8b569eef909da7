"""`hirelog token ...` and `hirelog projections ...`: administering tokens and read models."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from api.cli_support import one_line_errors, recruitment
from hirelog.settings import Settings


@click.group()
def projections() -> None:
    """Inspect and rebuild the read models."""


@projections.command("status")
@one_line_errors
def projections_status() -> None:
    """Each read model's live generation, position and lag behind the log."""
    from hirelog.tables import Tables
    from projections import catalog
    from projections.registry import MODELS

    with recruitment() as app:
        head = app.recorder.max_notification_id() or 0
        with Tables(app).transaction(commit=False) as cursor:
            for model in MODELS:
                generation, position = catalog.active(cursor, model.name) or (0, 0)
                click.echo(f"{model.name:<12} generation {generation}  position {position}  "
                           f"lag {head - position}")


@projections.command("rebuild")
@click.argument("name", required=False)
@one_line_errors
def projections_rebuild(name: str | None) -> None:
    """Rebuild NAME (default: every read model) from the start of the log into new tables,
    and switch readers over only when it has caught up."""
    from projections.rebuild import rebuild
    from projections.registry import MODELS, model_named

    try:
        models = [model_named(name)] if name else list(MODELS)
    except KeyError as error:
        raise click.ClickException(error.args[0]) from None
    with recruitment() as app:
        for model in models:
            head = app.recorder.max_notification_id() or 0
            started = time.perf_counter()
            with click.progressbar(length=max(head, 1), label=f"rebuilding {model.name}",
                                   file=sys.stderr,
                                   item_show_func=lambda rate: rate) as bar:
                def progress(position: int, _head: int, started: float = started) -> None:
                    rate = position / max(time.perf_counter() - started, 1e-6)
                    bar.update(min(position, bar.length) - bar.pos, f"{rate:,.0f} events/s")
                generation, _ = rebuild(app, model, progress)
            elapsed = time.perf_counter() - started
            click.echo(f"{model.name}: generation {generation} live, {head} events in "
                       f"{elapsed:.1f} s ({head / max(elapsed, 1e-6):,.0f} events/s)")


@click.group()
def token() -> None:
    """Create, list and revoke API tokens."""


@contextmanager
def token_store() -> Iterator[Any]:
    from api import create_app

    app = create_app(Settings.from_env())
    try:
        yield app.extensions["hirelog"].tokens
    finally:
        app.extensions["hirelog"].close()


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
    with token_store() as tokens:
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

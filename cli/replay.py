"""`hirelog replay --verify`: rebuild the read models from the log in a scratch database and
compare them with the live ones, table by table."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from typing import Any

import click

from cli.support import one_line_errors, recruitment


@click.command()
@click.option("--verify", is_flag=True,
              help="Rebuild and compare (required: it is what replay does).")
@click.option("--model", "names", multiple=True, metavar="NAME",
              help="Only this read model (repeatable); default: every one.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100_000),
              help="Examples listed per table and kind of difference.")
@one_line_errors
def replay(verify: bool, names: tuple[str, ...], limit: int) -> None:
    """Prove the read models follow from the log: rebuild and compare them (--verify).

    --verify rebuilds every read model (or each --model) from the event log in a scratch
    database (a temporary SQLite file, or a temporary schema in the PostgreSQL database;
    removed afterwards), each up to the position its live generation has reached, and
    compares it with the live one table by table (rows paired by primary key). It lists rows
    missing from the live model, extra rows the log does not give, and differing rows
    (column by column, rebuilt and live values); exit status 1 if any table differs."""
    from audit.replay_check import verify as replay_verify
    from projections.registry import MODELS, model_named

    if not verify:
        raise click.ClickException("give --verify: 'hirelog replay --verify' rebuilds the read "
                                   "models in a scratch database and compares them with the "
                                   "live ones")
    try:
        models = [model_named(name) for name in dict.fromkeys(names)] or list(MODELS)
    except KeyError as error:
        raise click.ClickException(error.args[0]) from None
    with recruitment(existing=True) as app, ExitStack() as stack:
        head = app.recorder.max_notification_id() or 0
        bars: list[Any] = []

        def scratch_made(where: str) -> None:
            click.echo(f"scratch database: {where} (removed afterwards)", err=True)
            bars.append(stack.enter_context(click.progressbar(
                length=max(head, 1), label="replaying the log", file=sys.stderr)))

        def progress(position: int, _stop: int) -> None:
            bars[0].update(min(position, bars[0].length) - bars[0].pos)

        checks = replay_verify(app, models, limit, progress, scratch_made)
        stack.close()
    tables = differ = 0
    for model in checks:
        click.echo(f"{model.name}: generation {model.generation}, position {model.position}"
                   f" (head of the log {head})")
        if model.problem:
            differ += 1
            click.echo(f"  DIFFERS: {model.problem}")
        for table in model.tables:
            tables += 1
            differ += not table.ok
            click.echo("  " + _table_line(table))
            for line in _examples(table):
                click.echo("    " + line)
    if differ:
        click.echo(f"replay check failed: {differ} of {tables} tables differ from the log")
        raise click.exceptions.Exit(1)
    click.echo(f"replay check ok: {tables} tables equal a rebuild from the log")


def _table_line(table: Any) -> str:
    if table.ok:
        return f"{table.table:<22} ok ({table.live} rows)"
    counts = ", ".join(f"{table.counts[kind]} {kind}" for kind in ("missing", "extra",
                                                                   "differing"))
    return (f"{table.table:<22} DIFFERS: {table.rebuilt} rows rebuilt, {table.live} live; "
            f"{counts}")


def _examples(table: Any) -> list[str]:
    def key(row: dict[str, Any]) -> str:
        return ", ".join(f"{c}={row[c]!r}" for c in table.key) or "row"

    lines = [f"missing   {key(row)}: {row}" for row in table.missing]
    lines += [f"extra     {key(row)}: {row}" for row in table.extra]
    for values, changed in table.differing:
        where = ", ".join(f"{c}={v!r}" for c, v in zip(table.key, values, strict=False))
        lines += [f"differing {where or 'row'}: " + "; ".join(
            f"{c} rebuilt {a!r}, live {b!r}" for c, (a, b) in changed.items())]
    for kind in ("missing", "extra", "differing"):
        if table.counts[kind] > len(getattr(table, kind)):
            lines.append(f"... {table.counts[kind] - len(getattr(table, kind))} more {kind}")
    return lines

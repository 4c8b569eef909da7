"""`hirelog audit ...`: prove the log was not altered, export it and import it."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from uuid import UUID

import click

from cli.support import one_line_errors, recruitment
from domain import bounds


@click.group()
def audit() -> None:
    """Auditors' tools: verify the seal chains, export and import the log."""


@audit.command("verify")
@click.option("--aggregate-id", type=click.UUID, help="Check one aggregate only.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--against", "export_file", type=click.Path(exists=True, dir_okay=False),
              help="Also check that every event of this earlier export (kept outside the "
                   "database) is still in the log, unchanged.")
@one_line_errors
def verify(aggregate_id: UUID | None, as_json: bool, export_file: str | None) -> None:
    """Recompute every event's seal and report the first broken link of each aggregate
    (an edited, deleted or reordered event). Exit status 1 when anything is broken.

    A chain cannot show its own latest events deleted, or a chain rewritten from an edit on
    (SHA-256 can be recomputed by anyone who can write the database): --against an export
    kept elsewhere shows both."""
    from audit.log_verify import verify_aggregate, verify_log

    compared, diverged = _compare(export_file) if export_file is not None else (0, [])
    with recruitment(existing=True) as app:
        if aggregate_id is not None:
            result = verify_aggregate(app.recorder, aggregate_id)
        else:
            with click.progressbar(length=app.recorder.max_notification_id() or 0,
                                   label="verifying", file=sys.stderr) as bar:
                result = verify_log(app.recorder, progress=bar.update)
    if as_json:
        report = verification_json(result)
        if export_file is not None:
            report["export"] = {"file": export_file, "events": compared,
                                "changed": [asdict(item) for item in diverged]}
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(f"{result.events} events of {result.aggregates} aggregates checked: "
                   f"{'ok' if result.ok else f'{len(result.broken)} broken'}")
        if result.unsealed:
            click.echo(f"{result.unsealed} events were recorded before sealing began: they "
                       "carry no seal and are not tamper-evident")
        for link in result.broken:
            click.echo(f"BROKEN {link.aggregate_type} {link.aggregate_id} version "
                       f"{link.version} (position {link.position}): {link.problem}; "
                       f"expected {link.expected}, found {link.found}")
        if export_file is not None:
            click.echo(f"{compared - len(diverged)} events of the export still in the log, "
                       "unchanged" + (f"; {len(diverged)} changed or gone" if diverged else ""))
        for item in diverged:
            click.echo(f"CHANGED position {item.position}: {item.problem}; exported "
                       f"{item.expected}; now {item.found}")
    if not result.ok or diverged:
        raise SystemExit(1)


def _compare(export_file: str) -> tuple[int, list]:
    from audit.export_check import compare_with_export

    with open(export_file, "rb") as lines, recruitment(existing=True) as app:
        try:
            return compare_with_export(app.recorder, lines)
        except (ValueError, KeyError, TypeError) as error:
            raise click.ClickException(f"{export_file} is not a hirelog export: "
                                       f"{type(error).__name__}: {error}") from None


def verification_json(result) -> dict:
    return {"ok": result.ok, "events": result.events, "aggregates": result.aggregates,
            "last_position": result.last_position, "unsealed": result.unsealed,
            "broken": [{**asdict(link), "aggregate_id": str(link.aggregate_id)}
                       for link in result.broken]}


def _moment(text: str | None, option: str) -> datetime | None:
    """An ISO 8601 date or time; without a time zone, UTC."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise click.ClickException(f"{option} {text!r} is not an ISO 8601 date or time "
                                   "(e.g. 2026-06-01 or 2026-06-01T09:00:00+02:00)") from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    problem = bounds.out_of_range_moment(moment)
    if problem is not None:
        raise click.ClickException(f"{option} {text!r} {problem}")
    return moment


@audit.command("export")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="The file to write (replaced only once the export is complete), or - for "
                   "standard output.")
@click.option("--from", "from_text", metavar="ISO",
              help="Only events recorded at or after this time (a partial export).")
@click.option("--to", "to_text", metavar="ISO",
              help="Only events recorded before this time (a partial export).")
@one_line_errors
def export(out_path: str, from_text: str | None, to_text: str | None) -> None:
    """Write the log to a JSON Lines file.

    One event a line, in log order, with its position, aggregate, version, type, recorded
    time, seal and exact stored state. Only a complete export (no --from/--to) can be
    imported with `hirelog audit import`."""
    from audit.log_export import LogFileError, export_log

    from_time, to_time = _moment(from_text, "--from"), _moment(to_text, "--to")
    if from_time and to_time and from_time >= to_time:
        raise click.ClickException("--from must be before --to")
    with recruitment(existing=True) as app, _output(out_path) as out:
        head = app.recorder.max_notification_id() or 0
        with click.progressbar(length=head, label="exporting",
                               file=sys.stderr) as bar:
            try:
                count = export_log(app.recorder, out, from_time, to_time, bar.update, upto=head)
            except LogFileError as error:
                raise click.ClickException(str(error)) from None
    where = "standard output" if out_path == "-" else out_path
    click.echo(f"exported {count} events (log positions up to {head}"
               f"{'' if from_time is None and to_time is None else ', filtered by time'}) "
               f"to {where}", err=out_path == "-")


@contextmanager
def _output(path: str) -> Iterator[IO[bytes]]:
    """Standard output, or a temporary file beside `path` that replaces it only at the end."""
    if path == "-":
        yield sys.stdout.buffer
        return
    target = Path(path)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(temporary, target)
    finally:
        Path(temporary).unlink(missing_ok=True)


@audit.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@one_line_errors
def import_(file: str) -> None:
    """Import a complete export into an empty database.

    The log becomes identical to the exported one. Every line and seal chain is checked
    as it is written, in one transaction: on any problem nothing is written. The read
    models then build themselves from the imported log; API tokens are not part of the log
    (create new ones)."""
    from audit.log_import import LogFileError, import_log

    with open(file, "rb") as in_file, recruitment() as app:
        with click.progressbar(length=os.fstat(in_file.fileno()).st_size, label="importing",
                               file=sys.stderr) as bar:
            try:
                count = import_log(app, in_file, bar.update)
            except LogFileError as error:
                raise click.ClickException(f"{file}: {error}; nothing was imported") from None
        head = app.recorder.max_notification_id() or 0
    click.echo(f"imported {count} events (log positions up to {head}) from {file}")

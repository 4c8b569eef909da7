"""The `hirelog` command line: one-line errors and a non-zero exit on bad input."""

from __future__ import annotations

import sys
import time
from collections import Counter
from contextlib import suppress
from datetime import UTC, datetime

import click

from audit.log_verify import notifications
from cli import admin, kafka, replay
from cli.audit import audit
from cli.support import metrics_options, one_line_errors, recruitment, serve_metrics
from domain.scope import AGENCY
from domain.stages import Stage
from hirelog.settings import Settings, SettingsError, redact


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """hirelog: the hiring pipeline of a technical recruiting agency, as an event log.

    Configuration comes from the environment: DATABASE_URL (default
    sqlite:///./var/hirelog.sqlite, or postgresql://user:pass@host:port/db) and
    HIRELOG_ID_KEY (required with PostgreSQL); logging from HIRELOG_LOG_FORMAT (text or
    json) and HIRELOG_LOG_LEVEL.
    """
    from hirelog import logs

    try:
        logs.configure(Settings.from_env())
    except SettingsError as error:
        raise click.ClickException(str(error)) from None


@main.command()
@one_line_errors
def init() -> None:
    """Create the database tables (once, under a lock); safe to run again."""
    from storage.event_store import prepare

    settings = Settings.from_env()
    prepare(settings)
    click.echo(f"database ready: {redact(settings.database_url)}")


@main.command()
@click.option("--seed", default=7, show_default=True, help="Random seed of the data set.")
@click.option("--candidates", default=300, show_default=True, type=click.IntRange(1, 100_000),
              help="How many candidates to create.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date the data relative to this day, YYYY-MM-DD (default: today, UTC): six "
                   "months of history ending in the week before it.")
@one_line_errors
def demo(seed: int, candidates: int, today: datetime | None) -> None:
    """Load the deterministic demo data set once (clients, positions, candidates in every
    stage), dated so that it ends in the week before today (or --today): dashboards, due
    dates and offers look current. A database that already has it is left as it is."""
    from demo.history import is_loaded, load_demo

    with recruitment() as app:
        if is_loaded(app):
            click.echo("demo data already loaded")
            return
        started = time.perf_counter()
        with click.progressbar(length=candidates, label="loading demo data",
                               file=sys.stderr) as bar:
            def progress(done: int, total: int) -> None:
                bar.update(done - bar.pos)
            day = today.date() if today else datetime.now(UTC).date()
            summary = load_demo(app, seed=seed, candidates=candidates, progress=progress,
                                today=day)
        elapsed = time.perf_counter() - started
        click.echo(f"loaded {summary.events} events for {summary.candidates} candidates "
                   f"in {elapsed:.1f} s")


@main.command()
@one_line_errors
def summary() -> None:
    """Print what the event log holds: clients, positions, and candidates per stage."""
    with recruitment(existing=True) as app:
        kinds: Counter[str] = Counter()
        stages: Counter[str] = Counter()
        owed = 0
        events = 0
        for notification in notifications(app.recorder):
            events += 1
            if notification.originator_version != 1:
                continue
            kind = notification.topic.rsplit(".", 1)[0].rsplit(":", 1)[-1]
            kinds[kind] += 1
            if kind == "Candidate":
                candidate = app.get_candidate(notification.originator_id, AGENCY)
                stages[candidate.stage] += 1
                owed += candidate.owes_notice
        click.echo(f"{redact(Settings.from_env().database_url)}: {events} events")
        click.echo(f"clients: {kinds['Client']}  positions: {kinds['Position']}  "
                   f"candidates: {kinds['Candidate']}")
        for stage in Stage:
            if stages[stage.value]:
                click.echo(f"  {stage.value:<20} {stages[stage.value]:>6}")
        click.echo(f"candidates not yet told the outcome (a notice is owed): {owed}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Worker threads.")
@click.option("--projector/--no-projector", default=True, show_default=True,
              help="Keep the read models up to date in this process (else run "
                   "'hirelog project' beside it).")
@one_line_errors
def serve(host: str, port: int, threads: int, projector: bool) -> None:
    """Serve the HTTP API (waitress). Production: gunicorn -c python:hirelog.gunicorn_config
    'api:create_app()'."""
    from api import create_app
    from api.serving import waitress_server
    from hirelog import bootstrap

    settings = Settings.from_env()
    app = create_app(settings)
    if app.extensions["hirelog"] is None:
        raise click.ClickException(f"cannot open {redact(settings.database_url)}: the store "
                                   "cannot be used (see the log above)")
    for description, follower in bootstrap.followers(app.extensions["hirelog"].recruitment,
                                                      settings, projector_too=projector):
        follower.start_thread()
        click.echo(description, err=True)
    if not settings.kafka_bootstrap_servers:
        click.echo("KAFKA_BOOTSTRAP_SERVERS not set: events are not published", err=True)
    server = waitress_server(app, host=host, port=port, threads=threads)
    url = f"http://{host}:{server.effective_port}"
    click.echo(f"hirelog API on {url} (docs: {url}/docs), "
               f"database {redact(settings.database_url)}", err=True)
    click.echo("get a token: hirelog token create --role admin --name <your name>", err=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        app.extensions["hirelog"].close()


@main.command()
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 10_000))
@metrics_options(9101)
@one_line_errors
def project(batch_size: int, metrics_host: str, metrics_port: int) -> None:
    """Run the projector: follow the event log and keep every read model up to date, until
    SIGTERM or Ctrl-C. Any number may run; each event is applied once. Its figures are on
    http://METRICS_HOST:METRICS_PORT/metrics."""
    import signal
    import threading

    from hirelog import bootstrap

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with recruitment() as app:
        click.echo(f"projector following {redact(Settings.from_env().database_url)}", err=True)
        serve_metrics(app, metrics_host, metrics_port)
        with suppress(KeyboardInterrupt):
            bootstrap.projector(app, batch_size=batch_size).run_forever(stop)


main.add_command(admin.token)
main.add_command(admin.projections)
main.add_command(kafka.publish)
main.add_command(kafka.consume)
main.add_command(audit)
main.add_command(replay.replay)

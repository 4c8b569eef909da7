"""Benchmark of the read models: how fast the projector catches up on the demo log, and how
long a rebuild of every read model takes, on SQLite and (when reachable) PostgreSQL.

    .venv/bin/python bench/projector.py --candidates 1000

Each store is fresh: a SQLite file in a temporary folder, and a PostgreSQL schema of its own,
dropped afterwards. The demo data is loaded first (not measured as projector time); then one
projector (the code `hirelog project` runs) applies the whole log to every read model, in
batches; then every model is rebuilt into a new generation (as `hirelog projections rebuild`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import psycopg
from psycopg import sql

from demo.history import load_demo
from hirelog import bootstrap
from hirelog.settings import Settings
from projections import catalog
from projections.rebuild import rebuild
from projections.registry import MODELS
from storage.event_store import StoredRecruitment

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"
ID_KEY = "bench-id-key"


@dataclass
class Result:
    store: str
    events: int
    load_seconds: float
    catch_up_seconds: float
    rebuild_seconds: float

    @property
    def catch_up_rate(self) -> float:
        return self.events / self.catch_up_seconds

    @property
    def rebuild_rate(self) -> float:
        return self.events / self.rebuild_seconds


@contextmanager
def sqlite_store() -> Iterator[Settings]:
    with tempfile.TemporaryDirectory(prefix="hirelog-bench-") as folder:
        yield Settings(database_url=f"sqlite:///{folder}/bench.sqlite", id_key=ID_KEY)


def postgres_problem(url: str) -> str | None:
    """None when PostgreSQL answers at `url`, else why not."""
    try:
        with psycopg.connect(Settings(database_url=url).postgres().conninfo(),
                             connect_timeout=3):
            return None
    except (psycopg.OperationalError, ValueError) as error:
        return str(error).strip().splitlines()[0] if str(error).strip() else repr(error)


@contextmanager
def postgres_store(url: str) -> Iterator[Settings]:
    schema = f"hirelog_bench_{uuid.uuid4().hex[:12]}"
    separator = "&" if "?" in url else "?"
    settings = Settings(database_url=f"{url}{separator}schema={schema}", id_key=ID_KEY)
    try:
        yield settings
    finally:
        with psycopg.connect(settings.postgres().conninfo(), autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                sql.Identifier(schema)))


def positions(app: StoredRecruitment) -> dict[str, int]:
    with app.tables.transaction(commit=False) as cursor:
        return {m.name: (catalog.active(cursor, m.name) or (0, 0))[1] for m in MODELS}


def measure(store: str, settings: Settings, candidates: int, batch_size: int) -> Result:
    app = bootstrap.event_store(settings)
    try:
        started = time.perf_counter()
        load_demo(app, candidates=candidates)
        load_seconds = time.perf_counter() - started
        events = app.recorder.max_notification_id() or 0
        print(f"{store}: loaded {events} events ({candidates} candidates) in "
              f"{load_seconds:.1f} s", file=sys.stderr)

        projector = bootstrap.projector(app, batch_size=batch_size)
        started = time.perf_counter()
        while projector.run_once():
            pass
        catch_up_seconds = time.perf_counter() - started
        behind = {name: p for name, p in positions(app).items() if p != events}
        if behind:
            raise SystemExit(f"{store}: the projector stopped short of {events}: {behind}")

        started = time.perf_counter()
        for model in MODELS:
            rebuild(app, model)
        rebuild_seconds = time.perf_counter() - started
    finally:
        app.close()
    return Result(store, events, load_seconds, catch_up_seconds, rebuild_seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1000,
                        help="demo candidates to load (about 6.5 events each)")
    parser.add_argument("--batch-size", type=int, default=500,
                        help="projector batch size (hirelog project's default: 500)")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES,
                        help="PostgreSQL to measure too, in a schema of its own")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)

    results = []
    with sqlite_store() as settings:
        results.append(measure("sqlite", settings, args.candidates, args.batch_size))
    if not args.no_postgres:
        problem = postgres_problem(args.postgres_url)
        if problem is None:
            with postgres_store(args.postgres_url) as settings:
                results.append(measure("postgres", settings, args.candidates, args.batch_size))
        else:
            print(f"postgres: skipped, unreachable at {args.postgres_url}: {problem}",
                  file=sys.stderr)

    print(f"read models: {', '.join(m.name for m in MODELS)}; "
          f"{args.candidates} demo candidates; batch size {args.batch_size}")
    print("catch-up: one projector applies the whole log to every model; rebuild: every model "
          "rebuilt in turn (events/s = log events / seconds, all models together)")
    print(f"{'store':<10}{'events':>8}{'catch-up s':>12}{'events/s':>11}"
          f"{'rebuild s':>11}{'events/s':>11}")
    for r in results:
        print(f"{r.store:<10}{r.events:>8}{r.catch_up_seconds:>12.2f}{r.catch_up_rate:>11,.0f}"
              f"{r.rebuild_seconds:>11.2f}{r.rebuild_rate:>11,.0f}")
    if len(results) == 2:
        lite, pg = results
        print(f"throughput ratio sqlite/postgres: catch-up "
              f"{lite.catch_up_rate / pg.catch_up_rate:.2f}, rebuild "
              f"{lite.rebuild_rate / pg.rebuild_rate:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

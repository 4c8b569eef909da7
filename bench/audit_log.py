"""Benchmark of the auditors' tools on the demo log (SQLite): what sealing costs a command, and
how fast `audit verify`, `audit export` and `audit import` go.

    .venv/bin/python bench/audit_log.py --candidates 1000

Sealing: the same commands (the demo plan) run once with hirelog's sealing mapper and event
store and once with eventsourcing's plain ones, each into a fresh SQLite file; the ratio is
the cost of the seals on the write path (a hash per event; no extra read, since the previous
seal is remembered from loading the aggregate). Then the sealed log is verified, exported to a
file and imported into an empty database, each timed and given in events per second.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from eventsourcing.persistence import EventStore, Mapper

from audit.log_export import export_log
from audit.log_import import import_log
from audit.log_verify import verify_log
from demo.history import load_demo
from domain.application import Recruitment
from hirelog import bootstrap
from hirelog.settings import Settings
from storage.event_store import StoredRecruitment

ID_KEY = "bench-id-key"


class UnsealedRecruitment(StoredRecruitment):
    """The application with eventsourcing's own mapper and event store (for comparison)."""

    name = StoredRecruitment.name  # the same tables

    # Both overrides return the plain classes the sealed ones extend (the baseline compared).
    def construct_mapper(self) -> Mapper:  # type: ignore[override]
        return Mapper(transcoder=self.construct_transcoder())

    def construct_event_store(self) -> EventStore:  # type: ignore[override]
        return EventStore(mapper=self.mapper, recorder=self.recorder)


def settings(folder: Path, name: str) -> Settings:
    return Settings(database_url=f"sqlite:///{folder}/{name}.sqlite", id_key=ID_KEY)


def timed_demo(app: Recruitment, candidates: int) -> tuple[int, float]:
    started = time.perf_counter()
    summary = load_demo(app, seed=7, candidates=candidates)
    return summary.events, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plain_settings = settings(folder, "plain")
        plain = bootstrap.event_store(plain_settings)
        plain.close()  # tables made; reopen the same file without seals
        plain = UnsealedRecruitment(plain.env, id_key=ID_KEY.encode())
        events, plain_seconds = timed_demo(plain, args.candidates)
        plain.close()

        sealed = bootstrap.event_store(settings(folder, "sealed"))
        sealed_events, sealed_seconds = timed_demo(sealed, args.candidates)
        assert sealed_events == events
        print(f"demo log: {events} events ({args.candidates} candidates), SQLite")
        print(f"commands, unsealed: {plain_seconds:7.2f} s  {events / plain_seconds:8.0f} ev/s")
        print(f"commands, sealed:   {sealed_seconds:7.2f} s  {events / sealed_seconds:8.0f} ev/s"
              f"  (ratio sealed/unsealed {sealed_seconds / plain_seconds:.2f})")

        started = time.perf_counter()
        result = verify_log(sealed.recorder)
        seconds = time.perf_counter() - started
        assert result.ok and result.events == events
        print(f"audit verify:       {seconds:7.2f} s  {events / seconds:8.0f} ev/s")

        path = folder / "log.jsonl"
        started = time.perf_counter()
        with path.open("wb") as out:
            export_log(sealed.recorder, out)
        seconds = time.perf_counter() - started
        print(f"audit export:       {seconds:7.2f} s  {events / seconds:8.0f} ev/s  "
              f"({path.stat().st_size / events:.0f} bytes per event)")
        sealed.close()

        target = bootstrap.event_store(settings(folder, "imported"))
        started = time.perf_counter()
        with path.open("rb") as in_file:
            imported = import_log(target, in_file)
        seconds = time.perf_counter() - started
        assert imported == events
        print(f"audit import:       {seconds:7.2f} s  {events / seconds:8.0f} ev/s")
        target.close()


if __name__ == "__main__":
    main()

"""Requests per token, counted where every worker and process sees them (HIRELOG_RATE_LIMIT).

Each rule is a fixed window (e.g. 3000 a minute): one atomic UPSERT per rule and request
counts the hit and returns the count. Where the counts live:
- PostgreSQL: an UNLOGGED table in hirelog's schema (no WAL, no fsync: a count lost in a
  crash only forgives a few requests);
- SQLite: a file of its own beside the database (`<file>.rates`, synchronous off), so that
  counting never takes the event log's write lock or waits for its fsync;
- in-memory SQLite (tests, one process): an in-memory database of its own.

If the counts cannot be written, requests are let through uncounted for PAUSE seconds (a
broken counter must not stop the API, nor cost a failing write on every request) and a
warning is logged.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
import time
from dataclasses import dataclass
from typing import Any

from hirelog.settings import PostgresDatabase, Settings
from storage.tables import Tables

log = logging.getLogger("storage.rate_limits")
PAUSE = 5.0  # seconds requests are let through uncounted after the counts could not be written

COLUMNS = ("token_id TEXT NOT NULL, period INTEGER NOT NULL, window_start BIGINT NOT NULL, "
           "hits INTEGER NOT NULL, PRIMARY KEY (token_id, period)")
# PostgreSQL: created with hirelog's other tables, under the schema lock (storage/event_store.py).
DDL = (f"CREATE UNLOGGED TABLE IF NOT EXISTS {{schema}}.hirelog_rate_limits ({COLUMNS})",)
UPSERT = (
    "INSERT INTO {table} (token_id, period, window_start, hits) VALUES ({p}, {p}, {p}, 1) "
    "ON CONFLICT (token_id, period) DO UPDATE SET "
    "hits = CASE WHEN excluded.window_start > {table}.window_start "
    "THEN 1 ELSE {table}.hits + 1 END, "
    "window_start = CASE WHEN excluded.window_start > {table}.window_start "
    "THEN excluded.window_start ELSE {table}.window_start END "
    "RETURNING hits")  # a window never moves back (clocks of several hosts may differ)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int  # of the tightest rule
    remaining: int
    reset: int  # seconds until its window ends
    retry_after: int = 0  # when refused: seconds until every exceeded window has ended


class RateLimiter:
    def __init__(self, settings: Settings, tables: Tables) -> None:
        self.rules = settings.rate_limit
        self.tables = tables
        database = settings.database
        self.postgres = isinstance(database, PostgresDatabase)
        self._local = threading.local()
        self._paused_until = 0.0
        if isinstance(database, PostgresDatabase):
            self.table = f'"{database.schema}".hirelog_rate_limits'
        else:
            self.table = "hirelog_rate_limits"
            self.path = ":memory:" if database.is_memory else database.path + ".rates"
            if database.is_memory:
                self._shared_memory = self._connect()  # one for every thread of the process

    @property
    def enabled(self) -> bool:
        return bool(self.rules)

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, isolation_level=None, timeout=2,
                                     check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute(f"CREATE TABLE IF NOT EXISTS {self.table} ({COLUMNS})")
        return connection

    def _sqlite(self) -> sqlite3.Connection:
        shared = getattr(self, "_shared_memory", None)
        if shared is not None:
            return shared
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._connect()
        return connection

    def hit(self, token_id: str, now: float | None = None) -> Decision | None:
        """Count one request of the token against every rule; None when limits are off or
        the counts cannot be written (let through)."""
        if not self.rules or time.monotonic() < self._paused_until:
            return None
        now = time.time() if now is None else now
        try:
            counts = [(amount, period, self._count(token_id, period, now))
                      for amount, period in self.rules]
        except Exception as error:
            self._paused_until = time.monotonic() + PAUSE
            log.warning("rate limit counts cannot be written (%s); requests let through for "
                        "%.0f s", type(error).__name__, PAUSE)
            return None
        exceeded = [(amount, period) for amount, period, hits in counts if hits > amount]
        tightest = min(counts, key=lambda c: c[0] - c[2])
        amount, period, hits = tightest
        reset = _until_window_end(period, now)
        retry = max((_until_window_end(p, now) for _, p in exceeded), default=0)
        return Decision(not exceeded, amount, max(0, amount - hits), reset, retry)

    def _count(self, token_id: str, period: int, now: float) -> int:
        window = int(now // period) * period
        params: tuple[Any, ...] = (token_id, period, window)
        if self.postgres:
            with self.tables.transaction() as cursor:
                row = cursor.execute(UPSERT.format(table=self.table, p="%s"), params).one()
            assert row is not None
            return int(row["hits"])
        row = self._sqlite().execute(UPSERT.format(table=self.table, p="?"), params).fetchone()
        return int(row[0])


def _until_window_end(period: int, now: float) -> int:
    return max(1, math.ceil((now // period + 1) * period - now))

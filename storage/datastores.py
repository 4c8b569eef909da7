"""eventsourcing's stores, with what hirelog needs to fail cleanly and recover by itself.

- A connection whose transaction failed because of the store is closed, never pooled again,
  and so are the idle ones (they share the cause): SQLite opens a file it may not write
  read-only, and such a connection would stay read-only after the file became writable
  again; a PostgreSQL session opened while the database was read-only stays read-only, and
  one whose backend was terminated is dead. Fresh connections are opened as needed.
- SQLite: the file at the configured path must stay the file this process opened: if it was
  deleted or replaced, every later write would go to a file nobody will ever open again. Each
  use of a connection checks it (one stat), and refuses with DatabaseFileReplaced (a 503).

storage/event_store.py names these factories in PERSISTENCE_MODULE.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
import psycopg_pool
from eventsourcing import postgres as es_postgres
from eventsourcing import sqlite as es_sqlite

from storage import errors as store_errors
from storage.errors import DatabaseFileReplaced
from storage.tables import Cursor, Dialect

PROBE_EVERY = 0.5  # seconds: how stale "the database is read-only" may be when it no longer is


class DiscardingSQLitePool(es_sqlite.SQLiteConnectionPool):
    def discard_idle(self) -> None:
        """Close every connection waiting in the pool (new ones are opened on demand)."""
        with self._put_condition:
            idle, self._pool = list(self._pool), type(self._pool)()
        for connection in idle:
            connection.close()


class CheckedSQLiteDatastore(es_sqlite.SQLiteDatastore):
    def __init__(self, db_name: str, **kwargs: Any) -> None:
        super().__init__(db_name, **kwargs)
        plain = self.pool
        self.pool: DiscardingSQLitePool = DiscardingSQLitePool(
            db_name=db_name, lock_timeout=plain.lock_timeout, pool_size=plain.pool_size,
            max_overflow=plain.max_overflow, pool_timeout=plain.pool_timeout,
            max_age=plain.max_age, pre_ping=plain.pre_ping)
        plain.close()
        self.path = None if self.pool.is_sqlite_memory_mode else db_name
        self.identity: tuple[int, int] | None = None

    def file_identity(self) -> tuple[int, int] | None:
        """(device, inode) of the file now at the path, or None if there is none."""
        try:
            found = os.stat(self.path) if self.path else None
        except FileNotFoundError:
            return None
        return (found.st_dev, found.st_ino) if found else None

    def check_file(self) -> None:
        if self.path is None:
            return
        now = self.file_identity()
        if self.identity is None:
            self.identity = now
            return
        if now != self.identity:
            raise DatabaseFileReplaced(
                f"the database file {self.path} is no longer the file this process opened "
                f"({'deleted' if now is None else 'replaced'}); restart hirelog")

    @contextmanager
    def get_connection(self, *, commit: bool) -> Iterator[es_sqlite.SQLiteConnection]:
        self.check_file()
        connection = self.pool.get_connection(is_writer=commit)
        if self.identity is None:
            self.check_file()  # the first connection created the file
        try:
            yield connection
        except BaseException as error:
            if store_errors.unavailable(error):
                connection.close()
                self.pool.discard_idle()
            raise
        finally:
            self.pool.put_connection(connection)


class AnsweringSQLiteRecorder(es_sqlite.SQLiteApplicationRecorder):
    """Writes an idempotency key's answer in the transaction of the events it answers."""

    def _insert_events(self, c: Any, stored_events: Sequence[Any],
                       **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        answer = kwargs.get("answer")
        if answer is not None and ids:
            answer.write(Cursor(Dialect(self.datastore), c), position=ids[-1])
        return ids


class SQLiteStore(es_sqlite.SQLiteFactory):
    """SQLiteFactory with the checked datastore."""

    application_recorder_class = AnsweringSQLiteRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        plain = self.datastore
        self.datastore = CheckedSQLiteDatastore(
            plain.pool.db_name, lock_timeout=plain.pool.lock_timeout,
            single_row_tracking=plain.single_row_tracking,
            originator_id_type=plain.originator_id_type)
        plain.close()


class CheckedPostgresDatastore(es_postgres.PostgresDatastore):
    @contextmanager
    def get_connection(self) -> Iterator[psycopg.Connection[Any]]:
        with super().get_connection() as connection:
            try:
                yield connection
            except BaseException as error:
                if store_errors.unavailable(error):
                    connection.close()  # the pool replaces a closed connection
                raise

    def check_connection(self, connection: psycopg.Connection[Any]) -> None:
        """The pool's check before handing out a connection: a dead one is discarded, and so
        are the idle ones, which died with it (a restart, a failover, terminated backends),
        instead of being found one by one with a growing pause between each. A read-only
        session is discarded too, with the idle ones, once a new session would not be
        read-only (the database was made writable again)."""
        try:
            psycopg_pool.ConnectionPool.check_connection(connection)
            if _read_only_session(connection) and not self._new_session_read_only():
                raise psycopg.OperationalError("a read-only session; the database is not")
        except Exception:
            self.pool.drain()
            raise

    def _new_session_read_only(self) -> bool:
        """Whether a new session would be read-only too (asked at most every PROBE_EVERY)."""
        known = getattr(self, "_probed", None)
        if known is not None and time.monotonic() - known[0] < PROBE_EVERY:
            return bool(known[1])
        pool_kwargs = self.pool.kwargs
        assert isinstance(pool_kwargs, dict)  # eventsourcing gives its pool a dict
        kwargs = {k: v for k, v in pool_kwargs.items() if k != "row_factory"}
        try:
            with psycopg.connect(**kwargs, connect_timeout=5) as probe:
                read_only = _read_only_session(probe)
        except psycopg.Error:
            read_only = True  # cannot tell: keep the session we have
        self._probed = (time.monotonic(), read_only)
        return read_only


def _read_only_session(connection: psycopg.Connection[Any]) -> bool:
    """PostgreSQL reports these two settings to the client (14 and later): no query needed."""
    if connection.closed:
        return False
    status = connection.info.parameter_status
    return "on" in (status("default_transaction_read_only"), status("in_hot_standby"))


_APP = es_postgres.PostgresApplicationRecorder
_AGGREGATE = es_postgres.PostgresAggregateRecorder


class AnsweringPostgresRecorder(es_postgres.PostgresApplicationRecorder):
    """Writes an idempotency key's answer in the transaction of the events it answers
    (without the pipeline eventsourcing uses otherwise: an error there would not roll the
    transaction back).

    Without eventsourcing's retries either (ten attempts 0.2 s apart on OperationalError): a
    lock wait or a pool timeout would take ten times its bound before the 503, and an insert
    whose commit was lost with its connection would be sent again. A store that cannot be used
    answers at once; the client retries, with its Idempotency-Key."""

    def insert_events(self, stored_events: Sequence[Any],
                      **kwargs: Any) -> Sequence[int] | None:
        if self.datastore.enable_db_functions:
            raise NotImplementedError("hirelog writes answers with the events in SQL of its own")
        answer = kwargs.get("answer")
        if answer is None or not stored_events:
            return _APP.insert_events.__wrapped__(self, stored_events, **kwargs)
        with self.datastore.get_connection() as conn, conn.transaction(), \
                conn.cursor() as curs:
            self._insert_events(curs, stored_events, **kwargs)
            self._insert_stored_events(curs, stored_events, **kwargs)
            ids = self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
            assert ids
            answer.write(Cursor(Dialect(self.datastore), curs), position=ids[-1])
        return ids

    def select_events(self, *args: Any, **kwargs: Any) -> Any:
        return _AGGREGATE.select_events.__wrapped__(self, *args, **kwargs)

    def select_notifications(self, *args: Any, **kwargs: Any) -> Any:
        return _APP.select_notifications.__wrapped__(self, *args, **kwargs)

    def max_notification_id(self) -> int | None:
        return _APP.max_notification_id.__wrapped__(self)


class PostgresStore(es_postgres.PostgresFactory):
    """PostgresFactory with the checked datastore."""

    application_recorder_class = AnsweringPostgresRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        # The datastore holds its settings and a pool not opened yet; it gets the methods of
        # the subclass above, and the pool its check (psycopg_pool takes it only in its
        # constructor, which eventsourcing calls).
        datastore = self.datastore
        datastore.__class__ = CheckedPostgresDatastore
        assert isinstance(datastore, CheckedPostgresDatastore)
        datastore.pool._check = datastore.check_connection

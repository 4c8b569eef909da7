"""Opens the event store a Settings names: translates DATABASE_URL into eventsourcing's
settings, and creates tables once, under a lock, so processes starting together never race."""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from eventsourcing.persistence import JSONTranscoder
from eventsourcing.utils import Environment

from audit.seals import SealedEventStore, SealingMapper
from domain.application import Clock, Recruitment, utc_now
from hirelog.settings import (
    PostgresDatabase,
    Settings,
    SettingsError,
    SQLiteDatabase,
    key_file_for,
)
from storage import transcodings
from storage.tables import Tables

SCHEMA_LOCK = 0x68697265  # pg_advisory_lock key: "hire"


class StoredRecruitment(Recruitment):
    """Recruitment on hirelog's storage: only the settings hirelog gives, hirelog's values
    transcoded its way, and every event sealed (chained to its aggregate's previous).
    `tables` runs hirelog's own SQL (tokens, read models...) on the same connections."""

    # eventsourcing names an application after its class unless told: the name gives the
    # PostgreSQL table names (hirelog_events) of every existing database.
    name = Recruitment.name

    def __init__(self, env: Mapping[str, str] | None = None, *, id_key: bytes,
                 clock: Clock = utc_now) -> None:
        super().__init__(env, id_key=id_key, clock=clock)
        self.tables = Tables(self)

    def construct_env(self, name: str, env: Any = None) -> Environment:
        """eventsourcing would otherwise also read the process environment (a stray
        POSTGRES_HOST or CIPHER_TOPIC would change storage)."""
        return Environment(name, dict(env or {}))

    def construct_mapper(self) -> SealingMapper:
        return SealingMapper(transcoder=self.construct_transcoder())

    def construct_event_store(self) -> SealedEventStore:
        return SealedEventStore(mapper=self.mapper, recorder=self.recorder)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in transcodings.ALL:
            transcoder.register(transcoding)


def eventsourcing_env(settings: Settings, create_table: bool) -> dict[str, str]:
    database = settings.database
    common = {"CREATE_TABLE": "y" if create_table else "n"}
    if isinstance(database, SQLiteDatabase):
        return {**common, "PERSISTENCE_MODULE": "storage.datastores:SQLiteStore",
                "SQLITE_DBNAME": database.path,
                "SQLITE_LOCK_TIMEOUT": str(settings.db_lock_timeout)}
    return {**common, "PERSISTENCE_MODULE": "storage.datastores:PostgresStore",
            "POSTGRES_HOST": database.host, "POSTGRES_PORT": str(database.port),
            "POSTGRES_DBNAME": database.dbname, "POSTGRES_USER": database.user,
            "POSTGRES_PASSWORD": database.password, "POSTGRES_SCHEMA": database.schema,
            "POSTGRES_CONNECT_TIMEOUT": str(settings.db_connect_timeout),
            # a pooled connection is checked before use: one whose backend was terminated
            # (restart, failover, pg_terminate_backend) is discarded at once
            "POSTGRES_PRE_PING": "y",
            # waiting for the event table's write lock longer than this is a 503, not a hang
            "POSTGRES_LOCK_TIMEOUT": str(settings.db_lock_timeout),
            # a projector batch or a rebuild's switch may pause between statements under load;
            # eventsourcing's default (5 s) would kill such a transaction
            "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "30"}


def id_key(settings: Settings) -> bytes:
    """The candidate-id key: from HIRELOG_ID_KEY, else (SQLite only) a generated key file."""
    if settings.id_key:
        return settings.id_key.encode()
    database = settings.database
    if isinstance(database, PostgresDatabase):
        raise SettingsError("HIRELOG_ID_KEY must be set when DATABASE_URL is PostgreSQL")
    if database.is_memory:
        return secrets.token_hex(32).encode()
    path = key_file_for(database)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32))
    return path.read_bytes().strip()


def create_tables(app: StoredRecruitment) -> None:
    """hirelog's own tables, beside eventsourcing's."""
    from audit import recorded_reads as read_audit
    from projections.registry import create_first_generations
    from storage import heartbeat, idempotency, rate_limits, tokens
    tables = app.tables
    tables.create([*tokens.DDL, *idempotency.DDL, *heartbeat.DDL])
    if tables.is_postgres:
        tables.create(rate_limits.DDL)
    read_audit.create_table(tables)
    create_first_generations(tables)


def _create_all(settings: Settings) -> None:
    with StoredRecruitment(eventsourcing_env(settings, create_table=True), id_key=b"-") as app:
        create_tables(app)


# The PostgreSQL schemas this process prepared: a process prepares a schema once (a test
# process opens many applications on one schema; each takes the lock and runs every CREATE
# ... IF NOT EXISTS again otherwise, about 45 ms).
_PREPARED: set[tuple[str, str]] = set()
_PREPARING = threading.Lock()


def prepare(settings: Settings) -> None:
    """Create the database's folder or schema and all tables, once, under a lock."""
    database = settings.database
    if isinstance(database, SQLiteDatabase):
        if not database.is_memory:
            Path(database.path).parent.mkdir(parents=True, exist_ok=True)
        _create_all(settings)
        return
    import psycopg
    from psycopg import sql

    key = (database.conninfo(), database.schema)
    with _PREPARING:
        if key in _PREPARED:
            return
        with psycopg.connect(database.conninfo(), autocommit=True, connect_timeout=10) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (SCHEMA_LOCK,))
            try:
                conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(
                    sql.Identifier(database.schema)))
                _create_all(settings)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (SCHEMA_LOCK,))
        _PREPARED.add(key)


def missing(settings: Settings) -> str | None:
    """Why there is no hirelog store at DATABASE_URL (None: there is one), for the commands
    that only read: they refuse, rather than create an empty one that reports 0 events."""
    database = settings.database
    if isinstance(database, SQLiteDatabase):
        if database.is_memory or Path(database.path).is_file():
            return None
        return f"no database file at {database.path}"
    import psycopg

    events = f'"{database.schema}".{StoredRecruitment.name.lower()}_events'
    with psycopg.connect(database.conninfo(), connect_timeout=10) as conn:
        found = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (events,)).fetchone()
    if found and found[0]:
        return None
    return f"no hirelog tables in schema {database.schema} of database {database.dbname}"


def open_recruitment(settings: Settings, clock: Clock = utc_now) -> StoredRecruitment:
    """The application for this process, on a database prepared first (under the lock)."""
    if not _is_memory(settings):
        prepare(settings)
    return open_unprepared(settings, clock)


def open_unprepared(settings: Settings, clock: Clock = utc_now) -> StoredRecruitment:
    """The application for this process, without touching the database (on PostgreSQL and
    SQLite files: `prepare` it before use). In-memory SQLite has nothing to prepare across
    processes: it creates its tables itself."""
    memory = _is_memory(settings)
    app = StoredRecruitment(eventsourcing_env(settings, create_table=memory),
                            id_key=id_key(settings), clock=clock)
    if memory:
        create_tables(app)
    return app


def _is_memory(settings: Settings) -> bool:
    database = settings.database
    return isinstance(database, SQLiteDatabase) and database.is_memory

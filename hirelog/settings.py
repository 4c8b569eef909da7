"""Settings: the one place hirelog reads its configuration from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_DATABASE_URL = "sqlite:///./var/hirelog.sqlite"


class SettingsError(ValueError):
    """A setting has a value hirelog cannot use; the message names the variable."""


@dataclass(frozen=True)
class SQLiteDatabase:
    path: str  # a file path, or ":memory:"

    @property
    def is_memory(self) -> bool:
        return self.path == ":memory:"


@dataclass(frozen=True)
class PostgresDatabase:
    host: str
    port: int
    dbname: str
    user: str
    password: str
    schema: str = "public"

    def conninfo(self) -> str:
        from psycopg.conninfo import make_conninfo

        return make_conninfo(host=self.host, port=self.port, dbname=self.dbname,
                             user=self.user, password=self.password or None)


Database = SQLiteDatabase | PostgresDatabase


def parse_database_url(url: str) -> Database:
    """`sqlite:///relative.sqlite`, `sqlite:////absolute.sqlite`, `sqlite:///:memory:`, or
    `postgresql://user:pass@host:port/db` (optionally `?schema=name`)."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        path = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if parts.netloc or not path:
            raise SettingsError(f"DATABASE_URL {url!r}: expected sqlite:///path/to/file.sqlite")
        return SQLiteDatabase(path)
    if parts.scheme in ("postgresql", "postgres"):
        dbname = unquote(parts.path.lstrip("/"))
        if not parts.hostname or not dbname:
            raise SettingsError(
                f"DATABASE_URL {redact(url)!r}: expected postgresql://user:pass@host:port/db")
        schema = parse_qs(parts.query).get("schema", ["public"])[0]
        return PostgresDatabase(
            host=parts.hostname, port=parts.port or 5432, dbname=dbname,
            user=unquote(parts.username or "postgres"), password=unquote(parts.password or ""),
            schema=schema)
    raise SettingsError(f"DATABASE_URL {redact(url)!r}: use sqlite:/// or postgresql://")


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # Key of the keyed hash that turns (position, email) into a candidate id. It must never
    # change for a database; unset, SQLite keeps a generated one in a file beside the database.
    id_key: str | None = None
    # Accepted as an admin token (first set-up and automation); unset, only stored tokens work.
    bootstrap_admin_token: str | None = None
    # How long a read given ?min_position=N waits for its read model before answering 503.
    read_wait_seconds: float = 3.0
    # Kafka: unset, nothing is published (the embedded default needs no broker).
    kafka_bootstrap_servers: str | None = None
    kafka_topic_prefix: str = "hirelog"
    kafka_partitions: int = 3
    kafka_replication_factor: int = 1
    # How long a write waits for a lock held by another writer before failing (503).
    db_lock_timeout: int = 10
    # PostgreSQL: how long to wait for a connection (to connect, or for a free one) (503).
    db_connect_timeout: int = 10

    @property
    def database(self) -> Database:
        return parse_database_url(self.database_url)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        settings = cls(
            database_url=env.get("DATABASE_URL") or DEFAULT_DATABASE_URL,
            id_key=env.get("HIRELOG_ID_KEY") or None,
            bootstrap_admin_token=env.get("HIRELOG_BOOTSTRAP_ADMIN_TOKEN") or None,
            read_wait_seconds=_seconds(env, "HIRELOG_READ_WAIT_SECONDS", 3.0),
            kafka_bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS") or None,
            kafka_topic_prefix=env.get("HIRELOG_KAFKA_TOPIC_PREFIX") or "hirelog",
            kafka_partitions=_count(env, "HIRELOG_KAFKA_PARTITIONS", 3),
            kafka_replication_factor=_count(env, "HIRELOG_KAFKA_REPLICATION_FACTOR", 1),
            db_lock_timeout=_whole_seconds(env, "HIRELOG_DB_LOCK_TIMEOUT", 10),
            db_connect_timeout=_whole_seconds(env, "HIRELOG_DB_CONNECT_TIMEOUT", 10),
        )
        token = settings.bootstrap_admin_token
        if token is not None and len(token) < 16:
            raise SettingsError("HIRELOG_BOOTSTRAP_ADMIN_TOKEN must be at least 16 characters "
                                "(a random secret), or unset")
        settings.database  # noqa: B018 - fail early, naming the variable
        return settings


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    text = env.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise SettingsError(f"{name} must be a number of seconds, not {text!r}") from None
    if not 0 <= value <= 300:
        raise SettingsError(f"{name} must be between 0 and 300 seconds")
    return value


def _whole_seconds(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name)
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= 300:
        raise SettingsError(f"{name} must be a whole number of seconds from 1 to 300, "
                            f"not {text!r}")
    return int(text)


def _count(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name)
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= 1000:
        raise SettingsError(f"{name} must be a whole number from 1 to 1000, not {text!r}")
    return int(text)


def key_file_for(database: SQLiteDatabase) -> Path:
    return Path(database.path + ".key")

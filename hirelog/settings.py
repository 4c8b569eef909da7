"""Settings: the one place hirelog reads its configuration from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

DEFAULT_DATABASE_URL = "sqlite:///./var/hirelog.sqlite"
DEFAULT_RATE_LIMIT = "3000/minute"  # per token: 50 a second sustained, bursts within a minute


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
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)  # may hold a password
    # Key of the keyed hash that turns (position, email) into a candidate id. It must never
    # change for a database; unset, SQLite keeps a generated one in a file beside the database.
    id_key: str | None = field(default=None, repr=False)
    # Accepted as an admin token (first set-up and automation); unset, only stored tokens work.
    bootstrap_admin_token: str | None = field(default=None, repr=False)
    # How long a read given ?min_position=N waits for its read model before answering 503.
    read_wait_seconds: float = 3.0
    # Kafka: unset, nothing is published (the embedded default needs no broker).
    kafka_bootstrap_servers: str | None = None
    kafka_topic_prefix: str = "hirelog"
    kafka_partitions: int = 3
    kafka_replication_factor: int = 1
    # How long one attempt to publish a batch may wait for the broker before it fails and is
    # retried (kafka-python's delivery timeout; connecting and each request get a share).
    kafka_send_timeout: int = 15
    # How long a write waits for a lock held by another writer before failing (503).
    db_lock_timeout: int = 10
    # PostgreSQL: how long to wait for a connection (to connect, or for a free one) (503).
    db_connect_timeout: int = 10
    # Requests per token, as (requests, seconds) windows, e.g. ((50, 1), (3000, 60)); () = off.
    rate_limit: tuple[tuple[int, int], ...] = ((3000, 60),)
    # Logging: "text" (readable) or "json" (one JSON object a line), and the level.
    log_format: str = "text"
    log_level: str = "INFO"
    # Set, GET /metrics asks for it as a bearer token; unset, /metrics is open like /healthz.
    metrics_token: str | None = field(default=None, repr=False)

    def kafka_servers(self) -> list[str]:
        """KAFKA_BOOTSTRAP_SERVERS as a list; only asked for when publishing is on."""
        if not self.kafka_bootstrap_servers:
            raise SettingsError("KAFKA_BOOTSTRAP_SERVERS is not set (host:port[,host:port])")
        return self.kafka_bootstrap_servers.split(",")

    @property
    def database(self) -> Database:
        return parse_database_url(self.database_url)

    def postgres(self) -> PostgresDatabase:
        """The PostgreSQL database, for code that only runs on PostgreSQL."""
        database = self.database
        if not isinstance(database, PostgresDatabase):
            raise SettingsError(f"not a PostgreSQL URL: {self.database_url}")
        return database

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
            kafka_send_timeout=_whole_seconds(env, "HIRELOG_KAFKA_SEND_TIMEOUT", 15),
            db_lock_timeout=_whole_seconds(env, "HIRELOG_DB_LOCK_TIMEOUT", 10),
            db_connect_timeout=_whole_seconds(env, "HIRELOG_DB_CONNECT_TIMEOUT", 10),
            rate_limit=parse_rate_limit(env.get("HIRELOG_RATE_LIMIT") or DEFAULT_RATE_LIMIT),
            log_format=_choice(env, "HIRELOG_LOG_FORMAT", ("text", "json")),
            log_level=_choice(env, "HIRELOG_LOG_LEVEL",
                              ("INFO", "DEBUG", "WARNING", "ERROR", "CRITICAL")),
            metrics_token=env.get("HIRELOG_METRICS_TOKEN") or None,
        )
        if settings.metrics_token is not None and len(settings.metrics_token) < 16:
            raise SettingsError("HIRELOG_METRICS_TOKEN must be at least 16 characters "
                                "(a random secret), or unset")
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


def parse_rate_limit(text: str) -> tuple[tuple[int, int], ...]:
    """`off`, or the usual limits notation: `50/second`, `3000/minute`, `10 per 5 minutes`,
    several separated by `;`."""
    if text.strip().lower() == "off":
        return ()
    from limits import parse_many

    try:
        items = parse_many(text)
    except ValueError:
        raise SettingsError(f"HIRELOG_RATE_LIMIT must be like 50/second or 3000/minute "
                            f"(several separated by ;) or off, not {text!r}") from None
    if not items or any(item.amount < 1 for item in items):
        raise SettingsError("HIRELOG_RATE_LIMIT needs at least one request per window")
    return tuple((int(item.amount), int(item.get_expiry())) for item in items)


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    text = (env.get(name) or choices[0]).strip()
    for choice in choices:
        if text.lower() == choice.lower():
            return choice
    raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {text!r}")


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

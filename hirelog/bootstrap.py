"""The composition root: every part of hirelog built from Settings, in one place.

`create_app`, the `hirelog` commands, the benchmarks and the tests' fixtures all build their
parts here, so a process is assembled the same way wherever it starts. Build each part once
per process, after any fork (the event store holds database connections); nothing here
starts a thread, and nothing writes to the store except preparing it (its tables, and the
publisher's registered position).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol
from uuid import UUID

from audit.recorded_reads import ReadLog
from domain.application import Clock, utc_now
from domain.errors import NotFound
from domain.scope import AGENCY
from hirelog.settings import Settings
from projections.projector import Projector
from projections.reads import ReadSide
from projections.registry import MODELS
from storage.event_store import StoredRecruitment, open_recruitment
from storage.idempotency import IdempotencyStore
from storage.rate_limits import RateLimiter
from storage.tables import Tables
from storage.tokens import TokenStore

if TYPE_CHECKING:
    from projections.kafka.publisher import Publisher


@dataclass
class Services:
    """What the HTTP API's views use: the event store and hirelog's own tables."""

    settings: Settings
    recruitment: StoredRecruitment
    tokens: TokenStore
    idempotency: IdempotencyStore
    reads: ReadSide
    rate_limiter: RateLimiter
    recorded_reads: ReadLog

    def close(self) -> None:
        self.recruitment.close()


def event_store(settings: Settings, clock: Clock = utc_now) -> StoredRecruitment:
    """The Recruitment application on the configured store (its tables prepared first)."""
    return open_recruitment(settings, clock=clock)


def services(settings: Settings, clock: Clock = utc_now) -> Services:
    """Everything the views use, on the store prepared first (under the lock)."""
    recruitment = event_store(settings, clock)
    tables = recruitment.tables
    return Services(
        settings=settings, recruitment=recruitment,
        tokens=token_store(recruitment, settings, tables),
        idempotency=IdempotencyStore(tables), reads=read_side(recruitment),
        rate_limiter=RateLimiter(settings, tables), recorded_reads=ReadLog(tables))


def read_side(recruitment: StoredRecruitment) -> ReadSide:
    """The read models as readers see them (positions, failures, views within a scope)."""
    return ReadSide(recruitment.tables)


def token_store(recruitment: StoredRecruitment, settings: Settings,
                tables: Tables | None = None) -> TokenStore:
    return TokenStore(tables or recruitment.tables, client_exists=_client_exists(recruitment),
                      bootstrap_admin_token=settings.bootstrap_admin_token)


class Follower(Protocol):
    def start_thread(self) -> object: ...


def followers(recruitment: StoredRecruitment, settings: Settings,
              projector_too: bool = True) -> Sequence[tuple[str, Follower]]:
    """The followers an API process runs beside its server (`hirelog serve`), described:
    the projector unless another process runs it, the Kafka publisher where Kafka is set."""
    found: list[tuple[str, Follower]] = []
    if projector_too:
        found.append(("projector running in this process", projector(recruitment)))
    if settings.kafka_bootstrap_servers:
        found.append((f"publishing events to Kafka at {settings.kafka_bootstrap_servers} in "
                      "this process", publisher(recruitment, settings)))
    return found


def projector(recruitment: StoredRecruitment, batch_size: int = 500) -> Projector:
    """The follower that keeps every read model up to date."""
    return Projector(recruitment, MODELS, batch_size=batch_size)


def publisher(recruitment: StoredRecruitment, settings: Settings,
              batch_size: int = 500) -> Publisher:
    """The follower that publishes every event to Kafka (KAFKA_BOOTSTRAP_SERVERS must be set),
    prepared: its position is registered, so /readyz shows it from its start."""
    from projections.kafka.publisher import Publisher  # kafka-python only where it is used

    built = Publisher(recruitment, settings, batch_size=batch_size)
    built.prepare()
    return built


def _client_exists(recruitment: StoredRecruitment) -> Callable[[UUID], bool]:
    def exists(client_id: UUID) -> bool:
        try:
            recruitment.get_client(client_id, AGENCY)
        except NotFound:
            return False
        return True

    return exists

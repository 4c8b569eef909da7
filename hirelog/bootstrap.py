"""The composition root: every part of hirelog built from Settings, in one place.

`create_app`, the `hirelog` commands, the benchmarks and the tests' fixtures all build their
parts here, so a process is assembled the same way wherever it starts. Build each part once
per process, after any fork (the event store holds database connections); nothing here
starts a thread, and nothing writes to the store except preparing it (its tables, and the
publisher's registered position).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

from domain.application import Clock, Recruitment, utc_now
from domain.errors import NotFound
from hirelog.idempotency import IdempotencyStore
from hirelog.rate_limits import RateLimiter
from hirelog.settings import Settings
from hirelog.storage import open_recruitment
from hirelog.tables import Tables
from hirelog.tokens import TokenStore
from projections.projector import Projector
from projections.reads import ReadSide
from projections.registry import MODELS

if TYPE_CHECKING:
    from projections.publisher import Publisher


@dataclass
class Services:
    """What the HTTP API's views use: the event store and hirelog's own tables."""

    settings: Settings
    recruitment: Recruitment
    tokens: TokenStore
    idempotency: IdempotencyStore
    reads: ReadSide
    rate_limiter: RateLimiter

    def close(self) -> None:
        self.recruitment.close()


def event_store(settings: Settings, clock: Clock = utc_now) -> Recruitment:
    """The Recruitment application on the configured store (its tables prepared first)."""
    return open_recruitment(settings, clock=clock)


def services(settings: Settings, clock: Clock = utc_now) -> Services:
    """Everything the views use, on the store prepared first (under the lock)."""
    recruitment = event_store(settings, clock)
    tables = Tables(recruitment)
    return Services(
        settings=settings, recruitment=recruitment,
        tokens=token_store(recruitment, settings, tables),
        idempotency=IdempotencyStore(tables), reads=ReadSide(tables),
        rate_limiter=RateLimiter(settings, tables))


def token_store(recruitment: Recruitment, settings: Settings,
                tables: Tables | None = None) -> TokenStore:
    return TokenStore(tables or Tables(recruitment), client_exists=_client_exists(recruitment),
                      bootstrap_admin_token=settings.bootstrap_admin_token)


def projector(recruitment: Recruitment, batch_size: int = 500) -> Projector:
    """The follower that keeps every read model up to date."""
    return Projector(recruitment, MODELS, batch_size=batch_size)


def publisher(recruitment: Recruitment, settings: Settings, batch_size: int = 500) -> Publisher:
    """The follower that publishes every event to Kafka (KAFKA_BOOTSTRAP_SERVERS must be set),
    prepared: its position is registered, so /readyz shows it from its start."""
    from projections.publisher import Publisher  # kafka-python only where it is used

    built = Publisher(recruitment, settings, batch_size=batch_size)
    built.prepare()
    return built


def _client_exists(recruitment: Recruitment) -> Callable[[UUID], bool]:
    def exists(client_id: UUID) -> bool:
        try:
            recruitment.get_client(client_id)
        except NotFound:
            return False
        return True

    return exists

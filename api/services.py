"""What the views use, built once per process by create_app (after a fork, never before)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from domain.application import Recruitment
from hirelog.idempotency import IdempotencyStore
from hirelog.rate_limits import RateLimiter
from hirelog.settings import Settings
from hirelog.tokens import TokenStore
from projections.reads import ReadSide


@dataclass
class Services:
    settings: Settings
    recruitment: Recruitment
    tokens: TokenStore
    idempotency: IdempotencyStore
    reads: ReadSide
    rate_limiter: RateLimiter

    def close(self) -> None:
        self.recruitment.close()


def services() -> Services:
    return current_app.extensions["hirelog"]


def recruitment() -> Recruitment:
    return services().recruitment

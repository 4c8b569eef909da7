"""What the views use (built once per process by hirelog.bootstrap, after a fork, never
before), as the current application holds it."""

from __future__ import annotations

from flask import current_app

from hirelog.bootstrap import Services
from storage.event_store import StoredRecruitment

__all__ = ["Services", "recruitment", "services"]


def services() -> Services:
    return current_app.extensions["hirelog"]


def recruitment() -> StoredRecruitment:
    return services().recruitment

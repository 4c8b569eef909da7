"""What the views use (built once per process by hirelog.bootstrap, after a fork, never
before), as the current application holds it."""

from __future__ import annotations

from flask import current_app

from domain.application import Recruitment
from hirelog.bootstrap import Services

__all__ = ["Services", "recruitment", "services"]


def services() -> Services:
    return current_app.extensions["hirelog"]


def recruitment() -> Recruitment:
    return services().recruitment

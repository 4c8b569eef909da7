"""Progress lines for the followers of the log (projector, publisher): one line at most every
`every` seconds while they work, so a busy follower's log stays readable."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any


class Progress:
    def __init__(self, log: logging.Logger, verb: str, every: float = 10.0) -> None:
        self.log, self.verb, self.every = log, verb, every
        self.count, self.since, self.first = 0, time.monotonic(), True

    def add(self, count: int, context: Callable[[], dict[str, Any]] | None = None) -> None:
        """Count; log at the first batch, then at most once every `every` seconds."""
        self.count += count
        elapsed = max(time.monotonic() - self.since, 1e-3)
        if elapsed >= self.every or self.first:
            self.first = False
            extra = context() if context else {}
            details = "".join(f"; {name} {value}" for name, value in extra.items())
            self.log.info("%s %d events in %.0f s (%.0f/s)%s", self.verb, self.count, elapsed,
                          self.count / elapsed, details, extra=extra)
            self.count, self.since = 0, time.monotonic()

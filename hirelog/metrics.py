"""hirelog's figures for Prometheus (prometheus_client), from every process.

Counters and histograms are kept by the process that counts them; under gunicorn,
PROMETHEUS_MULTIPROC_DIR (set by hirelog/gunicorn_config.py) makes every worker's counts one. The
state of the store (head of the log, each read model's and the publisher's position, lag and
whether it is stopped) is read from the database when scraped, so any process can answer it.
No label ever holds personal data or a token: routes are templates, models and aggregates are
names.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector

HTTP_REQUESTS = Counter("hirelog_http_requests", "HTTP requests answered",
                        ["method", "route", "status"])
HTTP_LATENCY = Histogram("hirelog_http_request_duration_seconds",
                         "Time to answer an HTTP request", ["method", "route"],
                         buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
COMMANDS = Counter("hirelog_commands", "Commands by outcome: recorded (2xx), refused (4xx), "
                   "failed (5xx)", ["command", "outcome"])
EVENTS_RECORDED = Counter("hirelog_events_recorded", "Domain events recorded by this process",
                          ["aggregate"])
IDEMPOTENT_REPLAYS = Counter("hirelog_idempotent_replays",
                             "Requests answered with an earlier answer (Idempotency-Key)")
RATE_LIMITED = Counter("hirelog_rate_limited", "Requests refused by the rate limit (429)",
                       ["role"])
STORE_UNAVAILABLE = Counter("hirelog_store_unavailable",
                            "Requests answered 503 because the store could not be used")
EVENTS_APPLIED = Counter("hirelog_projector_events_applied",
                         "Events applied to a read model by this process", ["model"])
PROJECTOR_FAILURES = Counter("hirelog_projector_failures",
                             "Failed attempts to apply an event to a read model", ["model"])
EVENTS_PUBLISHED = Counter("hirelog_publisher_events_published",
                           "Events published to Kafka and acknowledged")
PUBLISHER_FAILURES = Counter("hirelog_publisher_failures",
                             "Failed attempts to publish a batch", ["kind"])


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


class StoreCollector(Collector):
    """The state of the log and of its followers, read from the store at scrape time."""

    def __init__(self, read_state: Callable[[], StoreState]) -> None:
        self.read_state = read_state

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("hirelog_store_up", "1 if the store answered this scrape")
        try:
            state = self.read_state()
        except Exception:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        head = GaugeMetricFamily("hirelog_log_head", "Position of the newest event")
        head.add_metric([], state.head)
        yield head
        families = {
            "position": GaugeMetricFamily("hirelog_read_model_position",
                                          "Last position applied", labels=["model"]),
            "lag": GaugeMetricFamily("hirelog_read_model_lag", "Events not applied yet",
                                     labels=["model"]),
            "stopped": GaugeMetricFamily("hirelog_read_model_stopped",
                                         "1 if stopped at an event it cannot apply",
                                         labels=["model"]),
        }
        for name, (position, stopped) in state.models.items():
            families["position"].add_metric([name], position)
            families["lag"].add_metric([name], max(0, state.head - position))
            families["stopped"].add_metric([name], int(stopped))
        yield from families.values()
        if state.publisher is not None:
            position, stopped = state.publisher
            for metric, help_text, value in (
                    ("hirelog_publisher_position", "Last position published", position),
                    ("hirelog_publisher_lag", "Events not published yet",
                     max(0, state.head - position)),
                    ("hirelog_publisher_stopped", "1 if stopped at an event it cannot "
                     "publish", int(stopped))):
                family = GaugeMetricFamily(metric, help_text)
                family.add_metric([], value)
                yield family


class StoreState:
    def __init__(self, head: int, models: dict[str, tuple[int, bool]],
                 publisher: tuple[int, bool] | None) -> None:
        self.head, self.models, self.publisher = head, models, publisher


def exposition(store: StoreCollector | None = None) -> bytes:
    """The text to answer a scrape with: this process's (or every worker's) counts, and the
    state of the store."""
    if multiprocess():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    if store is not None:
        own = CollectorRegistry()
        own.register(store)
        text += generate_latest(own)
    return text

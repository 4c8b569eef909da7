"""Recompute every aggregate's seal chain from the stored bytes and report, for each aggregate,
the first broken link: an event whose bytes, type, id or version were changed, a missing
(deleted) event, or two events out of order. Memory grows with the number of aggregates, not
of events: the log is read in pages."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from domain.seals import compute_seal, split_seal

PAGE = 1000


@dataclass(frozen=True)
class BrokenLink:
    """Where an aggregate's chain first breaks, and what was expected there."""

    aggregate_id: UUID
    aggregate_type: str
    version: int
    position: int
    problem: str
    expected: str
    found: str


@dataclass
class Verification:
    events: int = 0
    aggregates: int = 0
    last_position: int = 0
    broken: list[BrokenLink] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


def aggregate_type(topic: str) -> str:
    """`domain.candidate:Candidate.Contacted` -> `candidate`."""
    return topic.partition(":")[2].split(".")[0].lower() or topic


def notifications(recorder: Any, after: int = 0, page: int = PAGE) -> Iterator[Any]:
    """Every stored event after a position, in log order, read `page` at a time."""
    while True:
        batch = recorder.select_notifications(start=after + 1, limit=page)
        yield from batch
        if len(batch) < page:
            return
        after = batch[-1].id


def verify_log(recorder: Any, progress: Callable[[int], None] | None = None) -> Verification:
    """Check every chain of the whole log; `progress(n)` is called after each page."""
    return verify_events(notifications(recorder), progress)


def verify_aggregate(recorder: Any, aggregate_id: UUID) -> Verification:
    """Check one aggregate's chain, read in version order."""
    events = recorder.select_events(aggregate_id)
    return verify_events((_Positioned(event) for event in events), None)


def verify_events(events: Iterable[Any], progress: Callable[[int], None] | None
                  ) -> Verification:
    result = Verification()
    heads: dict[UUID, tuple[int, str]] = {}
    broken: set[UUID] = set()
    for event in events:
        result.events += 1
        result.last_position = max(result.last_position, event.id or 0)
        if progress is not None and result.events % PAGE == 0:
            progress(PAGE)
        aggregate_id = event.originator_id
        if aggregate_id in broken:
            continue
        link = check_link(event, heads.get(aggregate_id))
        if isinstance(link, BrokenLink):
            broken.add(aggregate_id)
            result.broken.append(link)
        else:
            heads[aggregate_id] = link
    if progress is not None:
        progress(result.events % PAGE)
    result.aggregates = len(heads) + len(broken)
    return result


def check_link(event: Any, head: tuple[int, str] | None) -> tuple[int, str] | BrokenLink:
    """The aggregate's new head (version, seal), or the broken link this event is."""
    previous_version, previous_seal = head or (0, "")
    version = event.originator_version

    def broken(problem: str, expected: str, found: str) -> BrokenLink:
        return BrokenLink(UUID(str(event.originator_id)), aggregate_type(event.topic), version,
                          event.id or 0, problem, expected, found)

    if version != previous_version + 1:
        problem = ("an event is missing before this one (deleted, or moved later)"
                   if version > previous_version + 1 else
                   "this event comes after a later version (events reordered)")
        return broken(problem, f"version {previous_version + 1}", f"version {version}")
    unsealed, seal = split_seal(event.state)
    expected = compute_seal(previous_seal, event.originator_id, version, event.topic, unsealed)
    if seal is None:
        return broken("the event carries no seal", expected, "no seal")
    if seal != expected:
        return broken("the seal does not match: this event (its data, metadata, type or "
                      "version) or the one before it was altered", expected, seal)
    return version, seal


class _Positioned:
    """A stored event read by aggregate, which has no log position."""

    def __init__(self, stored: Any) -> None:
        self.originator_id = stored.originator_id
        self.originator_version = stored.originator_version
        self.topic = stored.topic
        self.state = stored.state
        self.id = None


@dataclass(frozen=True)
class Divergence:
    """An event of an earlier export that the log no longer holds as it was."""

    position: int
    aggregate_id: str
    version: int
    problem: str
    expected: str
    found: str


def compare_with_export(recorder: Any, lines: Iterable[bytes], page: int = PAGE
                        ) -> tuple[int, list[Divergence]]:
    """Check that every event of an export (a file kept outside the database) is still in the
    log, at its position, with its seal: this finds what the chains alone cannot, an
    aggregate's latest events deleted, or a chain rewritten from an edit on.
    (events compared, divergences)."""
    compared, found = 0, []
    batch: list[dict[str, Any]] = []
    for raw in lines:
        line = json.loads(raw)
        if "position" not in line:  # the header and the closing line
            continue
        batch.append(line)
        if len(batch) == page:
            found += _compare_batch(recorder, batch)
            compared, batch = compared + len(batch), []
    if batch:
        found += _compare_batch(recorder, batch)
        compared += len(batch)
    return compared, found


def _compare_batch(recorder: Any, batch: list[dict[str, Any]]) -> list[Divergence]:
    first, last = batch[0]["position"], batch[-1]["position"]
    if last - first < 4 * len(batch):
        live = {n.id: n for n in recorder.select_notifications(
            start=first, limit=last - first + 1, stop=last)}
    else:  # a sparse (time-filtered) export: one event at a time
        live = {n.id: n for line in batch for n in recorder.select_notifications(
            start=line["position"], limit=1, stop=line["position"])}
    found = []
    for line in batch:
        kept = f"{line['type']} of {line['aggregate_id']} version {line['version']}, seal " \
               f"{line['seal']}"
        event = live.get(line["position"])
        if event is None:
            found.append(Divergence(line["position"], line["aggregate_id"], line["version"],
                                    "the event is gone from the log", kept, "nothing"))
            continue
        now = (f"{event.topic} of {UUID(str(event.originator_id))} version "
               f"{event.originator_version}, seal {split_seal(event.state)[1]}")
        if now != kept:
            found.append(Divergence(line["position"], line["aggregate_id"], line["version"],
                                    "the event at this position changed since the export",
                                    kept, now))
    return found

"""Recompute every aggregate's seal chain from the stored bytes and report, for each aggregate,
the first broken link: an event whose bytes, type, id or version were changed, a missing
(deleted) event, or two events out of order. Memory grows with the number of aggregates, not
of events: the log is read in pages."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from audit.seals import compute_seal, split_seal

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
    # events recorded before sealing began (a log older than seals): not tamper-evident
    unsealed: int = 0

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
    result, chains = Verification(), Chains()
    for event in events:
        result.events += 1
        result.last_position = max(result.last_position, event.id or 0)
        if progress is not None and result.events % PAGE == 0:
            progress(PAGE)
        link = chains.follow(event)
        if link is not None:
            result.broken.append(link)
    if progress is not None:
        progress(result.events % PAGE)
    result.aggregates, result.unsealed = chains.aggregates, chains.unsealed
    return result


class Chains:
    """Follows every aggregate's seal chain through events given in log order (or one
    aggregate's in version order). Events of a log older than seals carry none: they are
    accepted only before the first sealed event (of the log, and of their aggregate), and the
    chain then starts from "" as it did when sealing began."""

    def __init__(self) -> None:
        self.heads: dict[Any, tuple[int, str]] = {}
        self.broken: set[Any] = set()
        self.sealing_began = False
        self.unsealed = 0

    @property
    def aggregates(self) -> int:
        return len(self.heads.keys() | self.broken)

    def follow(self, event: Any) -> BrokenLink | None:
        """The broken link this event is (the first of its aggregate), else None."""
        aggregate_id = event.originator_id
        if aggregate_id in self.broken:
            return None
        link = check_link(event, self.heads.get(aggregate_id), legacy=not self.sealing_began)
        if isinstance(link, BrokenLink):
            self.broken.add(aggregate_id)
            self.heads.pop(aggregate_id, None)
            return link
        self.heads[aggregate_id] = link
        if link[1]:
            self.sealing_began = True
        else:
            self.unsealed += 1
        return None


def check_link(event: Any, head: tuple[int, str] | None, legacy: bool = False
               ) -> tuple[int, str] | BrokenLink:
    """The aggregate's new head (version, seal), or the broken link this event is. With
    `legacy`, an event without a seal whose aggregate has none yet is a head with seal ""."""
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
    if seal is None and legacy and not previous_seal:
        return version, ""
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

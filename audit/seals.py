"""Seals: every stored event carries a SHA-256 hash that chains it to the previous event of
its aggregate, so that an edited, deleted or reordered event can be found (see hirelog's
`audit verify`).

The seal of version n covers the previous seal and everything stored of the event: aggregate
id, version, topic (its type) and the exact bytes of its state (data and metadata: time,
actor, request id). It is stored as the state's last key, `"seal":"<64 hex>"`, so that the
sealed bytes are the stored bytes with that key cut off: nothing is decoded or re-encoded to
check a seal.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import EventStore, Mapper, Notification, Recording, StoredEvent
from eventsourcing.utils import get_topic

SCHEME = b"hirelog-seal-v1"
_TAIL = re.compile(rb'(,?)"seal":"([0-9a-f]{64})"}\Z')


def compute_seal(previous: str, aggregate_id: UUID | str, version: int, topic: str,
                 unsealed_state: bytes) -> str:
    """The seal of one event: SHA-256 over the previous seal ("" for version 1) and it."""
    digest = hashlib.sha256(SCHEME)
    for part in (previous, str(aggregate_id), str(version), topic):
        digest.update(b"\n" + part.encode())
    digest.update(b"\n" + unsealed_state)
    return digest.hexdigest()


def split_seal(state: bytes) -> tuple[bytes, str | None]:
    """(the state as it was sealed, the seal), or (state, None) when it carries no seal."""
    found = _TAIL.search(state, max(0, len(state) - 80))
    if found is None:
        return state, None
    return state[:found.start()] + b"}", found.group(2).decode()


def add_seal(unsealed_state: bytes, seal: str) -> bytes:
    if not unsealed_state.endswith(b"}"):
        raise ValueError("a sealed state must be a JSON object")
    glue = b"" if unsealed_state == b"{}" else b","
    return unsealed_state[:-1] + glue + b'"seal":"' + seal.encode() + b'"}'


class SealingMapper(Mapper[UUID]):
    """Stores events sealed, and remembers the newest seal it read of each aggregate (so that
    saving after getting an aggregate needs no extra read)."""

    HEADS_KEPT = 100_000

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.compressor or self.cipher:
            raise ValueError("hirelog seals plain JSON states: no compressor or cipher")
        self._heads: dict[UUID | str, tuple[int, str]] = {}
        self._lock = threading.Lock()

    def to_sealed_stored_event(self, event: Any, previous: str) -> tuple[StoredEvent, str]:
        """Encode as Mapper.to_stored_event does, then seal the encoded bytes."""
        state = dict(vars(event))
        state.pop("seal", None)
        aggregate_id, version = state.pop("originator_id"), state.pop("originator_version")
        class_version = getattr(type(event), "class_version", 1)
        if class_version > 1:
            state["class_version"] = class_version
        topic = get_topic(type(event))
        unsealed = self.transcoder.encode(state)
        seal = compute_seal(previous, aggregate_id, version, topic, unsealed)
        return StoredEvent(aggregate_id, version, topic, add_seal(unsealed, seal)), seal

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        raise TypeError("hirelog events are stored sealed: use SealedEventStore")

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        event = super().to_domain_event(stored_event)
        seal = vars(event).get("seal")
        if seal is not None:
            self.remember(stored_event.originator_id, stored_event.originator_version, seal)
        return event

    def remember(self, aggregate_id: UUID | str, version: int, seal: str) -> None:
        with self._lock:
            if len(self._heads) >= self.HEADS_KEPT:
                self._heads.clear()
            self._heads[aggregate_id] = (version, seal)

    def known_seal(self, aggregate_id: UUID, version: int) -> str | None:
        head = self._heads.get(aggregate_id)
        return head[1] if head is not None and head[0] == version else None


class SealedEventStore(EventStore[UUID]):
    """Seals each event with its aggregate's previous seal before inserting it."""

    mapper: SealingMapper

    def put(self, domain_events: Sequence[Any], **kwargs: Any) -> list[Recording[UUID]]:
        heads: dict[UUID, str] = {}
        stored_events, seals = [], []
        for event in domain_events:
            aggregate_id, version = event.originator_id, event.originator_version
            previous = heads.get(aggregate_id)
            if previous is None:
                previous = self.stored_seal(aggregate_id, version - 1)
            stored, seal = self.mapper.to_sealed_stored_event(event, previous)
            heads[aggregate_id] = seal
            stored_events.append(stored)
            seals.append(seal)
        ids = self.recorder.insert_events(stored_events, **kwargs) or []
        recordings = []
        for event, stored, seal, position in zip(domain_events, stored_events, seals, ids,
                                                 strict=True):
            object.__setattr__(event, "seal", seal)
            self.mapper.remember(stored.originator_id, stored.originator_version, seal)
            recordings.append(Recording(event, _notification(stored, position)))
        return recordings

    def stored_seal(self, aggregate_id: UUID, version: int) -> str:
        """The seal of a stored event ("" before version 1, and for an unsealed event)."""
        if version < 1:
            return ""
        known = self.mapper.known_seal(aggregate_id, version)
        if known is not None:
            return known
        found = self.recorder.select_events(aggregate_id, gt=version - 1, lte=version,
                                            limit=1)
        return (split_seal(found[0].state)[1] or "") if found else ""


def _notification(stored: StoredEvent, position: int) -> Notification:
    return Notification(originator_id=stored.originator_id,
                        originator_version=stored.originator_version, topic=stored.topic,
                        state=stored.state, id=position)

"""Compare the log with an earlier export kept outside the database: every exported event
must still be at its position with its exact bytes and seal (`hirelog audit verify
--against FILE`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from audit.log_verify import PAGE
from audit.seals import split_seal


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
    log, at its position, with its exact bytes and seal: this finds what the chains alone
    cannot, an aggregate's latest events deleted, a chain rewritten from an edit on, events
    of different aggregates swapped. (events compared, divergences); ValueError for a file
    that is not a whole export (no header, no closing line, or count or digest wrong)."""
    from audit.log_export import FORMAT

    compared, found, digest = 0, [], hashlib.sha256()
    batch: list[dict[str, Any]] = []
    header = end = None
    for raw in lines:
        line = json.loads(raw)
        if header is None:
            if not isinstance(line, dict) or line.get("format") != FORMAT:
                raise ValueError(f"the first line is not a {FORMAT} header")
            header = line
        elif end is not None:
            raise ValueError("there is more after the closing line")
        elif "end" in line:
            end = line
        else:
            digest.update(f"{line['position']} {line['seal']}\n".encode())
            batch.append(line)
            if len(batch) == page:
                found += _compare_batch(recorder, batch)
                compared, batch = compared + len(batch), []
    if batch:
        found += _compare_batch(recorder, batch)
        compared += len(batch)
    if end is None:
        raise ValueError("the file has no closing line: it was cut short")
    if end.get("events") != compared or end.get("digest") != digest.hexdigest():
        raise ValueError("the closing line's count or digest does not match the file's "
                         "events: the file was edited")
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
        kept = (f"{line['type']} of {UUID(line['aggregate_id'])} version {line['version']}, "
                f"seal {line['seal']}")
        event = live.get(line["position"])
        if event is None:
            found.append(Divergence(line["position"], line["aggregate_id"], line["version"],
                                    "the event is gone from the log", kept, "nothing"))
            continue
        now = (f"{event.topic} of {UUID(str(event.originator_id))} version "
               f"{event.originator_version}, seal {split_seal(event.state)[1]}")
        if now == kept and bytes(event.state) != line["state"].encode():
            now += " (its stored bytes differ from the exported ones)"
        if now != kept:
            found.append(Divergence(line["position"], line["aggregate_id"], line["version"],
                                    "the event at this position changed since the export",
                                    kept, now))
    return found

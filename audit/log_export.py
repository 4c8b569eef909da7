"""Export the event log as JSON Lines (audit.log_import reads such a file back into an
empty database, identical: the same positions, aggregate ids, versions, types and bytes).

A file is a header line, one line per event in log order, and a closing line with the number
of events and a digest of their positions and seals. An event's line carries the exact stored
state as a string, so that importing it gives back the same bytes (and the same seal). Only a
complete export (no --from/--to) can be imported. The log is read a page at a time: memory
stays flat however long it is."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import IO, Any
from uuid import UUID

from audit.log_verify import aggregate_type
from audit.seals import SCHEME

FORMAT, VERSION, PAGE = "hirelog-log-export", 1, 1000
Progress = Callable[[int], None]


class LogFileError(ValueError):
    """An export cannot be written, or a file cannot be imported; nothing was changed."""


def event_line(event: Any) -> dict[str, Any]:
    """The line of one stored event (a notification): everything stored, plus its time."""
    try:
        text = event.state.decode("utf-8")
        state = json.loads(text)
        timestamp, seal = state.get("timestamp"), state.get("seal")
    except (UnicodeDecodeError, ValueError, AttributeError):
        raise LogFileError(f"position {event.id}: the stored state is not JSON") from None
    recorded = timestamp.get("_data_") if isinstance(timestamp, dict) else None
    return {"position": event.id, "aggregate_type": aggregate_type(event.topic),
            "aggregate_id": str(UUID(str(event.originator_id))),
            "version": event.originator_version,
            "type": event.topic, "recorded_at": recorded, "seal": seal, "state": text}


def _dumps(line: dict[str, Any]) -> bytes:
    return json.dumps(line, separators=(",", ":")).encode() + b"\n"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export_log(recorder: Any, out: IO[bytes], from_time: datetime | None = None,
               to_time: datetime | None = None, progress: Progress | None = None,
               upto: int | None = None) -> int:
    """Write the log up to position `upto` (the head when it starts) to a binary file; only
    events recorded in [from_time, to_time) when given. How many events were written;
    `progress(n)` is told the positions covered after each page."""
    head = (recorder.max_notification_id() or 0) if upto is None else upto
    complete = from_time is None and to_time is None
    out.write(_dumps({"format": FORMAT, "version": VERSION, "seal_scheme": SCHEME.decode(),
                      "exported_at": datetime.now(UTC).isoformat(), "complete": complete,
                      "from": _iso(from_time), "to": _iso(to_time), "log_head": head}))
    digest, count, reached = hashlib.sha256(), 0, 0
    while reached < head:
        page = recorder.select_notifications(start=reached + 1, limit=PAGE, stop=head)
        if not page:
            break
        for event in page:
            line = event_line(event)
            if not complete and not _within(line["recorded_at"], from_time, to_time):
                continue
            out.write(_dumps(line))
            digest.update(f"{event.id} {line['seal']}\n".encode())
            count += 1
        if progress is not None:
            progress(page[-1].id - reached)
        reached = page[-1].id
        del page  # one page in memory at a time: let it go before reading the next
    out.write(_dumps({"end": FORMAT, "events": count, "digest": digest.hexdigest()}))
    return count


def _within(recorded: str | None, from_time: datetime | None, to_time: datetime | None) -> bool:
    if recorded is None:
        return False
    moment = datetime.fromisoformat(recorded)
    return (from_time is None or moment >= from_time) and (to_time is None or moment < to_time)

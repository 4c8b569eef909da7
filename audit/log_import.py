"""Import a complete log export (audit.log_export) into an empty database: the log becomes
identical to the exported one (positions, aggregate ids, versions, types, state bytes). Every
line and every seal chain is checked while writing, in one transaction: nothing is written
unless the whole file is good. Memory grows with the number of aggregates, not of events."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator
from typing import IO, Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import TopicError, resolve_topic

from audit.log_export import FORMAT, PAGE, VERSION, LogFileError, Progress, event_line
from audit.log_verify import Chains
from audit.seals import SCHEME, split_seal
from domain.base import HiringAggregate
from domain.candidacy import candidate_id
from domain.candidate import Candidate
from storage.event_store import StoredRecruitment

HEADER_KEYS = {"format", "version", "seal_scheme", "exported_at", "complete", "from", "to",
               "log_head"}
CONTACTED = "domain.candidate:Candidate.Contacted"


def import_log(app: StoredRecruitment, in_file: IO[bytes], progress: Progress | None = None) -> int:
    """Import a complete export into this application's database, which must hold no event:
    how many events were imported. LogFileError (one line, naming the file's line) and
    nothing written if the database is not empty or any line is bad; `progress(n)` is told
    the bytes read."""
    tables = app.tables
    table = f"{{schema}}.{tables.events_table}"
    id_column = "notification_id" if tables.is_postgres else "rowid"
    insert = (f"INSERT INTO {table} ({id_column}, originator_id, originator_version, topic, "
              "state) VALUES (%s, %s, %s, %s, %s)")
    count = last = 0
    with tables.transaction() as cursor:
        _refuse_unless_empty(cursor, table)
        rows: list[tuple[Any, ...]] = []
        for event in _read_checked(app, in_file, progress):
            originator_id = (event.originator_id if tables.is_postgres
                             else UUID(str(event.originator_id)).hex)
            rows.append((event.id, originator_id, event.originator_version, event.topic,
                         event.state))
            count, last = count + 1, event.id
            if len(rows) == PAGE:
                cursor.cursor.executemany(tables.sql(insert), rows)
                rows = []
        if rows:
            cursor.cursor.executemany(tables.sql(insert), rows)
        if tables.is_postgres and last:  # new events continue after the last position
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'notification_id'), %s)",
                           (f"{tables.prefix}{tables.events_table}", last))
    return count


def _refuse_unless_empty(cursor: Any, table: str) -> None:
    if cursor.tables.is_postgres:  # no event can be written until this import commits
        cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
    if cursor.execute(f"SELECT 1 AS found FROM {table} LIMIT 1").one():
        raise LogFileError("the database already holds events: import only into an empty "
                           "database (a new file, or a new PostgreSQL schema)")
    moved = cursor.execute("SELECT name, position FROM {schema}.hirelog_projections "
                           "WHERE position > 0").one()
    if moved:
        raise LogFileError(f"the database is not empty: {moved['name']} has read the log up "
                           f"to position {moved['position']}")


def _read_checked(app: StoredRecruitment, in_file: IO[bytes], progress: Progress | None
                  ) -> Iterator[Notification]:
    """The file's events, each checked before it is given (line, order, seal chain); raises
    LogFileError at the first bad line, and after the last if the file is incomplete."""
    chains = Chains()
    digest, count, last, header, end, unread = hashlib.sha256(), 0, 0, None, None, 0
    key_checked = False
    for number, raw in enumerate(in_file, 1):
        unread += len(raw)
        if progress is not None and number % PAGE == 0:
            progress(unread)
            unread = 0
        where = f"line {number}"
        try:
            line = json.loads(raw)
        except ValueError as error:
            raise LogFileError(f"{where}: not a JSON line ({error})") from None
        if end is not None:
            raise LogFileError(f"{where}: there is more after the closing line")
        if header is None:
            header = _check_header(line, where)
            continue
        if isinstance(line, dict) and "end" in line:
            end = line
            continue
        event = _parse_event(line, where)
        if event.id <= last:
            raise LogFileError(f"{where}: position {event.id} does not follow position {last} "
                               "(lines repeated or out of order)")
        link = chains.follow(event)
        if link is not None:
            raise LogFileError(f"{where} (position {event.id}, {link.aggregate_type} "
                               f"{link.aggregate_id} version {link.version}): {link.problem}; "
                               f"expected {link.expected}, found {link.found}")
        if event.topic == CONTACTED and not key_checked:
            _check_id_key(app, event, where)
            key_checked = True
        digest.update(f"{event.id} {split_seal(event.state)[1]}\n".encode())
        count, last = count + 1, event.id
        yield event
    if progress is not None:
        progress(unread)
    if header is None:
        raise LogFileError("the file is empty")
    _check_end(end, count, digest.hexdigest(), last, header["log_head"])


def _check_end(end: dict[str, Any] | None, count: int, digest: str, last: int,
               head: int) -> None:
    if end is None or end.get("end") != FORMAT:
        raise LogFileError("the file has no closing line: it was cut short")
    if end.get("events") != count:
        raise LogFileError(f"the closing line counts {end.get('events')} events, the file has "
                           f"{count}: lines were deleted or added")
    if end.get("digest") != digest:
        raise LogFileError("the closing line's digest does not match the events' positions "
                           "and seals: lines were edited")
    if last != head:
        raise LogFileError(f"the last event is at position {last}, the log's head was at "
                           f"{head} when exported: events at the end are missing")


def _check_header(line: Any, where: str) -> dict[str, Any]:
    if (not isinstance(line, dict) or line.get("format") != FORMAT or set(line) != HEADER_KEYS
            or type(line["log_head"]) is not int):
        raise LogFileError(f"{where}: not a hirelog log export (no {FORMAT} header)")
    if line["version"] != VERSION or line["seal_scheme"] != SCHEME.decode():
        raise LogFileError(f"{where}: export version {line['version']} with seals "
                           f"{line['seal_scheme']} cannot be imported by this hirelog")
    if line["complete"] is not True:
        raise LogFileError(f"{where}: a partial export (--from/--to) cannot be imported; "
                           "import a complete export")
    return line


def _parse_event(line: Any, where: str) -> Notification:
    """The stored event a line describes; its other fields must be those its state gives."""
    try:
        event = Notification(id=line["position"], originator_id=UUID(line["aggregate_id"]),
                             originator_version=line["version"], topic=line["type"],
                             state=line["state"].encode("utf-8"))
        good = (type(event.id) is int and type(event.originator_version) is int
                and _known_topic(event.topic) and event_line(event) == line)
    except (LogFileError, TypeError, KeyError, ValueError, AttributeError):
        good = False
    if not good:
        raise LogFileError(f"{where}: not an event line of a hirelog log export, or its "
                           "fields disagree with its state")
    return event


@functools.cache
def _known_topic(topic: Any) -> bool:
    """Only hirelog's own event types (a topic names a class that reading would import)."""
    if not isinstance(topic, str) or not topic.startswith("domain."):
        return False
    try:
        return issubclass(resolve_topic(topic), HiringAggregate.Event)
    except (TopicError, TypeError):
        return False


def _check_id_key(app: StoredRecruitment, event: Notification, where: str) -> None:
    """The database's HIRELOG_ID_KEY must be the one the log's candidate ids were made with
    (else the same person could be contacted twice for a position)."""
    try:
        contacted = app.mapper.to_domain_event(event)
    except Exception:
        raise LogFileError(f"{where}: a candidate's first event that cannot be read") from None
    if not isinstance(contacted, Candidate.Contacted):
        raise LogFileError(f"{where}: a candidate's first event is not Contacted")
    if candidate_id(app.id_key, contacted.position_id, contacted.email) != event.originator_id:
        raise LogFileError(f"{where}: this database's HIRELOG_ID_KEY is not the key the log's "
                           "candidate ids were made with; set it to the exporting database's")

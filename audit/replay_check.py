"""The replay check: rebuild read models from the log in a scratch database and compare them
with the live ones, table by table, each at the position its live generation has reached.

The scratch database is a temporary SQLite file (in the temp folder, TMPDIR) or a
temporary schema in the live PostgreSQL database; it is removed afterwards, also on failure.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from projections import catalog
from projections.readmodel import ReadModel
from storage.event_store import StoredRecruitment
from storage.tables import Cursor, Tables

Row = dict[str, Any]
Key = tuple[Any, ...]
Progress = Callable[[int, int], None]  # (position reached, position to reach)
SCHEMA_PREFIX = "hirelog_replay_"
_CONSTRAINTS = ("PRIMARY", "UNIQUE", "FOREIGN", "CHECK", "CONSTRAINT")


@dataclass
class TableCheck:
    """One table: rows rebuilt and live, and up to `limit` examples of each difference."""

    table: str
    key: list[str]
    rebuilt: int = 0
    live: int = 0
    missing: list[Row] = field(default_factory=list)  # rebuilt, not live
    extra: list[Row] = field(default_factory=list)  # live, not rebuilt
    differing: list[tuple[Key, dict[str, tuple[Any, Any]]]] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # missing, extra, differing

    @property
    def ok(self) -> bool:
        return not self.counts


@dataclass
class ModelCheck:
    name: str
    generation: int
    position: int
    tables: list[TableCheck]
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and all(table.ok for table in self.tables)


def verify(app: StoredRecruitment, models: Sequence[type[ReadModel]], limit: int = 10,
           progress: Progress | None = None,
           on_scratch: Callable[[str], None] | None = None) -> list[ModelCheck]:
    """Rebuild `models` in a scratch database and compare each with its live generation."""
    live = app.tables
    with scratch_database(app) as (scratch, where):
        if on_scratch:
            on_scratch(where)
        rebuilt = {model.name: model(1) for model in models}
        for model in rebuilt.values():
            scratch.create(model.create_statements())
        reached = _live_positions(live, models)
        _replay(app, scratch, [(rebuilt[name], 0, p) for name, p in reached.items()], progress)
        return [_check_model(app, live, scratch, model, rebuilt[model.name],
                             reached[model.name], limit) for model in models]


@contextmanager
def scratch_database(app: StoredRecruitment) -> Iterator[tuple[Tables, str]]:
    """Tables in an empty scratch database of the live one's kind, and where it is."""
    live = app.tables
    env = {**dict(app.env), "CREATE_TABLE": "n"}  # no event tables: the log is read live
    if live.is_postgres:
        where = env["POSTGRES_SCHEMA"] = SCHEMA_PREFIX + uuid.uuid4().hex[:12]
        live.create([f'CREATE SCHEMA "{where}"'])

        def remove() -> None:
            live.create([f'DROP SCHEMA IF EXISTS "{where}" CASCADE'])
    else:
        folder = tempfile.mkdtemp(prefix="hirelog-replay-")
        where = env["SQLITE_DBNAME"] = str(Path(folder) / "scratch.sqlite")

        def remove() -> None:
            shutil.rmtree(folder, ignore_errors=True)
    try:
        scratch = StoredRecruitment(env, id_key=b"-")
        try:
            yield scratch.tables, where
        finally:
            scratch.close()
    finally:
        remove()


def _live_positions(live: Tables, models: Sequence[type[ReadModel]]) -> dict[str, int]:
    with live.transaction(commit=False) as cursor:
        states = {model.name: catalog.active(cursor, model.name) for model in models}
    return {name: state[1] if state else 0 for name, state in states.items()}


def _replay(app: StoredRecruitment, scratch: Tables, spans: Sequence[tuple[ReadModel, int, int]],
            progress: Progress | None = None, batch_size: int = 1000) -> None:
    """Apply the events in (start, stop] of each (model, start, stop) to its scratch tables,
    reading the log once."""
    spans = [span for span in spans if span[2] > span[1]]
    if not spans:
        return
    position, stop = min(span[1] for span in spans), max(span[2] for span in spans)
    while position < stop:
        notifications = app.recorder.select_notifications(
            start=position + 1, limit=batch_size, stop=stop)
        if not notifications:
            break
        with scratch.transaction() as cursor:
            for notification in notifications:
                event = app.mapper.to_domain_event(notification)
                for model, start, end in spans:
                    if start < notification.id <= end:
                        model.apply(cursor, event, notification.id)
        position = notifications[-1].id
        if progress:
            progress(position, stop)


LOCKED_ATTEMPTS = 5  # tries to find the live position where the scratch copy is


def _check_model(app: StoredRecruitment, live: Tables, scratch: Tables,
                 model_class: type[ReadModel], rebuilt: ReadModel, reached: int,
                 limit: int) -> ModelCheck:
    """Replay the scratch copy up to the live position without any lock, then, holding the
    live position still (on PostgreSQL projectors of this model wait for the catalog row
    lock, readers do not; on SQLite the read transaction is one WAL snapshot), only read the
    live rows; if the live model moved meanwhile, follow it and try again."""
    name = model_class.name
    for attempt in range(LOCKED_ATTEMPTS):
        now = _live_positions(live, [model_class])[name]
        if now < reached:  # the live model went back (reset by hand): rebuild it again
            scratch.create(rebuilt.drop_statements() + rebuilt.create_statements())
            reached = 0
        if now > reached:
            _replay(app, scratch, [(rebuilt, reached, now)])
            reached = now
        with live.transaction(commit=False) as cursor:
            catalog.lock(cursor, name)
            state = catalog.active(cursor, name)
            if state is None:
                return ModelCheck(name, 0, 0, [], problem="no live generation")
            generation, position = state
            if position != reached and attempt < LOCKED_ATTEMPTS - 1:
                continue
            if position != reached:  # a very busy projector: replay the rest under the lock
                if position < reached:
                    scratch.create(rebuilt.drop_statements() + rebuilt.create_statements())
                    reached = 0
                _replay(app, scratch, [(rebuilt, reached, position)])
            live_model = model_class(generation)
            found = {short: _keyed(cursor, live_model.table(short),
                                   *table_columns(live_model.tables[short]))
                     for short in model_class.tables}
        checks = [_compare(found[short], live_model, scratch, rebuilt, short, limit)
                  for short in model_class.tables]
        return ModelCheck(name, generation, position, checks)
    raise AssertionError("unreachable")


def _compare(found: dict[Key, Row], live_model: ReadModel, scratch: Tables, rebuilt: ReadModel,
             short: str, limit: int) -> TableCheck:
    """Rows paired by primary key (by the whole row where a table has none)."""
    columns, key = table_columns(live_model.tables[short])
    check = TableCheck(short, key)
    with scratch.transaction(commit=False) as scratch_cursor:
        expected = _keyed(scratch_cursor, rebuilt.table(short), columns, key)
    check.rebuilt, check.live = len(expected), len(found)
    for row_key, row in expected.items():
        other = found.get(row_key)
        if other is None:
            _note(check, "missing", row, limit)
        elif other != row:
            changed = {c: (row.get(c), other.get(c)) for c in row.keys() | other.keys()
                       if row.get(c) != other.get(c)}
            _note(check, "differing", (row_key, dict(sorted(changed.items()))), limit)
    for row_key, row in found.items():
        if row_key not in expected:
            _note(check, "extra", row, limit)
    return check


def _note(check: TableCheck, kind: str, example: Any, limit: int) -> None:
    check.counts[kind] += 1
    examples = getattr(check, kind)
    if len(examples) < limit:
        examples.append(example)


def _keyed(cursor: Cursor, table: str, columns: list[str], key: list[str]) -> dict[Key, Row]:
    rows = cursor.execute(f"SELECT * FROM {table} ORDER BY {', '.join(key or columns)}").all()
    keyed: dict[Key, Row] = {}
    seen: Counter[Key] = Counter()
    for row in rows:
        row_key = tuple(row[c] for c in key or columns)
        if not key:  # identical rows of a table without a key: number them
            seen[row_key] += 1
            row_key += (seen[row_key],)
        keyed[row_key] = row
    return keyed


def table_columns(definition: str) -> tuple[list[str], list[str]]:
    """(column names, primary key columns) of a table's column definitions."""
    columns: list[str] = []
    key: list[str] = []
    for part in re.split(r",(?![^(]*\))", definition):
        words = part.split()
        if not words:
            continue
        if words[0].upper() in _CONSTRAINTS:
            found = re.search(r"PRIMARY\s+KEY\s*\(([^)]*)\)", part, re.IGNORECASE)
            key = [c.strip() for c in found.group(1).split(",")] if found else key
            continue
        columns.append(words[0])
        if re.search(r"\bPRIMARY\s+KEY\b", part, re.IGNORECASE):
            key = [words[0]]
    return columns, key

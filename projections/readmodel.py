"""A read model: tables that follow the event log, and how each event changes them.

Its tables are named per model and generation (`rm_shortlist_people_g2`), so a rebuild fills
new tables while readers keep using the live ones, and switches over in one transaction when
caught up.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from storage.tables import Cursor


class ReadModel:
    """Subclasses set `name`, `tables` ({short name: column definitions}) and `indexes`, and
    implement `apply` for the events they care about."""

    name: ClassVar[str]
    tables: ClassVar[dict[str, str]]
    indexes: ClassVar[Sequence[tuple[str, str]]] = ()  # (table short name, columns)
    # other models a client's reads of this one also read (read-your-writes waits for them)
    client_reads_also: ClassVar[tuple[str, ...]] = ()

    def __init__(self, generation: int) -> None:
        self.generation = generation

    def table(self, short: str) -> str:
        """The real name of a table of this generation, schema-qualified by Tables.sql."""
        return f"{{schema}}.rm_{self.name}_{short}_g{self.generation}"

    def create_statements(self) -> list[str]:
        statements = [f"CREATE TABLE IF NOT EXISTS {self.table(short)} ({columns})"
                      for short, columns in self.tables.items()]
        statements += [
            f"CREATE INDEX IF NOT EXISTS rm_{self.name}_{short}_g{self.generation}_{n} "
            f"ON {self.table(short)} ({columns})"
            for n, (short, columns) in enumerate(self.indexes)]
        return statements

    def drop_statements(self) -> list[str]:
        return [f"DROP TABLE IF EXISTS {self.table(short)}" for short in self.tables]

    def apply(self, cursor: Cursor, event: Any, position: int) -> None:
        """Change the tables for one event; runs in the transaction that moves the tracking."""
        handler = getattr(self, "on_" + type(event).__name__, None)
        if handler is not None:
            handler(cursor, event, position)

    def rows(self, cursor: Cursor, short: str) -> list[dict[str, Any]]:
        """Every row of a table, in a stable order (for comparing a model with a rebuild)."""
        return cursor.execute(f"SELECT * FROM {self.table(short)} ORDER BY 1, 2").all()


def iso(moment: datetime | None) -> str | None:
    """Times are stored as fixed-width UTC text (2026-05-04T09:30:00.000000Z), so that they
    sort and compare as text on both stores."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_iso(text: str | None) -> datetime | None:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC) if text else None

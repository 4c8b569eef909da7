"""The write probe behind /readyz: a ready process can reach its store *and write to it*
(a read-only, full or replaced database answers reads but loses every command)."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.tables import Tables

DDL = (
    """CREATE TABLE IF NOT EXISTS {schema}.hirelog_heartbeat (
        name TEXT PRIMARY KEY,
        at TEXT NOT NULL)""",
)


def beat(tables: Tables, name: str = "readyz") -> None:
    """Write one row and commit: raises what the store raises when it cannot be written."""
    with tables.transaction() as cursor:
        cursor.execute("INSERT INTO {schema}.hirelog_heartbeat (name, at) VALUES (%s, %s) "
                       "ON CONFLICT (name) DO UPDATE SET at = excluded.at",
                       (name, datetime.now(UTC).isoformat()))

"""Which generation of each read model is live, and how far each generation has read the log.

A generation's tracking position moves in the same transaction as its rows, and only from the
position the mover read (compare-and-set), so an event is applied exactly once even with two
projectors running, or one killed half-way."""

from __future__ import annotations

from datetime import UTC, datetime

from storage.tables import Cursor

DDL = (
    """CREATE TABLE IF NOT EXISTS {schema}.hirelog_projections (
        name TEXT NOT NULL,
        generation INTEGER NOT NULL,
        position BIGINT NOT NULL,
        active INTEGER NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (name, generation))""",
)


PUBLISHER = "kafka-publisher"  # the Kafka publisher's tracking row (generation 1)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def register(cursor: Cursor, name: str, generation: int, active: bool) -> None:
    cursor.execute("INSERT INTO {schema}.hirelog_projections (name, generation, position, "
                   "active, updated_at) VALUES (%s, %s, 0, %s, %s) ON CONFLICT DO NOTHING",
                   (name, generation, int(active), _now()))


def active(cursor: Cursor, name: str, keep: bool = False) -> tuple[int, int] | None:
    """(generation, position) of the live generation, or None if the model has none yet.

    keep: on PostgreSQL, hold a key-share lock on the row until the transaction ends, so the
    generation's tables are not dropped under a reader (projectors can still advance it)."""
    lock = " FOR KEY SHARE" if keep and cursor.tables.is_postgres else ""
    row = cursor.execute("SELECT generation, position FROM {schema}.hirelog_projections "
                         "WHERE name = %s AND active = 1" + lock, (name,)).one()
    return (row["generation"], row["position"]) if row else None


def lock(cursor: Cursor, name: str) -> None:
    """Stop projectors moving any generation of a model until the transaction ends; readers
    (key-share) are not held up. On SQLite the writing transaction already holds the
    database's write lock."""
    if cursor.tables.is_postgres:
        cursor.execute("SELECT generation FROM {schema}.hirelog_projections WHERE name = %s "
                       "FOR NO KEY UPDATE", (name,))


def position_of(cursor: Cursor, name: str, generation: int) -> int | None:
    row = cursor.execute("SELECT position FROM {schema}.hirelog_projections "
                         "WHERE name = %s AND generation = %s", (name, generation)).one()
    return row["position"] if row else None


def generations(cursor: Cursor, name: str) -> list[int]:
    rows = cursor.execute("SELECT generation FROM {schema}.hirelog_projections WHERE name = %s "
                          "ORDER BY generation", (name,)).all()
    return [row["generation"] for row in rows]


def advance(cursor: Cursor, name: str, generation: int, read_from: int, to: int) -> bool:
    """Move the tracking from `read_from` to `to`; False if someone else moved it first."""
    return cursor.execute(
        "UPDATE {schema}.hirelog_projections SET position = %s, updated_at = %s "
        "WHERE name = %s AND generation = %s AND position = %s",
        (to, _now(), name, generation, read_from)).rowcount == 1


def activate(cursor: Cursor, name: str, generation: int) -> None:
    cursor.execute("UPDATE {schema}.hirelog_projections SET active = "
                   "CASE WHEN generation = %s THEN 1 ELSE 0 END WHERE name = %s",
                   (generation, name))


def forget(cursor: Cursor, name: str, generation: int) -> None:
    cursor.execute("DELETE FROM {schema}.hirelog_projections WHERE name = %s AND "
                   "generation = %s", (name, generation))

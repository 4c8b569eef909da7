"""Which errors mean "the store cannot be used right now" (unreachable, terminated, locked too
long, read-only, full, replaced), as opposed to a fault of the data or of the code.

The first kind is answered with 503 and Retry-After, retried by the projector and the
publisher, and never blamed on an event; the second is a bug to report (or, for a read
model, a reason to stop that model at that event). The driver's own error decides where
there is one (eventsourcing wraps it, hirelog's own tables do not): SQLite by its result
code (SQLITE_ERROR is also a syntax error or a missing table, so it is not the store),
PostgreSQL by its class (connection, operator intervention, resources, lock and read-only
transaction errors are the store).
"""

from __future__ import annotations

import sqlite3

import psycopg
import psycopg_pool
from eventsourcing import persistence as es

# SQLite primary result codes that say the database cannot be used now.
_SQLITE_STORE_CODES = {
    5,  # BUSY: locked by another connection past the timeout
    6,  # LOCKED
    7,  # NOMEM
    8,  # READONLY: the file (or its folder) cannot be written
    9,  # INTERRUPT
    10,  # IOERR
    11,  # CORRUPT
    13,  # FULL: the disk is full
    14,  # CANTOPEN
    15,  # PROTOCOL
    26,  # NOTADB: the file was replaced by something else
}


# PostgreSQL SQLSTATEs that say the database cannot be used now (not a fault of the data or
# of the statement): connection exceptions, insufficient resources (disk full, too many
# connections), operator intervention (terminated, shutting down, statement timeout),
# system errors (I/O), a lock not had in time, transactions to retry, a read-only database,
# an idle transaction ended by the server.
_POSTGRES_STORE_CLASSES = ("08", "53", "57", "58")
_POSTGRES_STORE_STATES = {"55P03", "40001", "40P01", "25006", "25P03"}


class DatabaseFileReplaced(es.OperationalError):
    """The SQLite file at the configured path is not the file this process opened."""


def _driver_error(error: BaseException) -> BaseException | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, (sqlite3.Error, psycopg.Error)):
            return current
        current = current.__cause__ or current.__context__
    return None


def unavailable(error: BaseException) -> bool:
    """Whether `error` says the store cannot be used right now (503, retry later)."""
    driver = _driver_error(error)
    if isinstance(driver, sqlite3.Error):
        code = getattr(driver, "sqlite_errorcode", None)
        if code is None:  # raised by the sqlite3 module itself (e.g. a closed connection)
            return isinstance(driver, (sqlite3.OperationalError, sqlite3.InterfaceError))
        return code & 0xFF in _SQLITE_STORE_CODES
    if isinstance(driver, psycopg.Error):
        state = driver.sqlstate
        if state is None:  # raised by the client: the connection, or the pool
            return isinstance(driver, (psycopg.OperationalError, psycopg.InterfaceError))
        return state.startswith(_POSTGRES_STORE_CLASSES) or state in _POSTGRES_STORE_STATES
    return isinstance(error, (es.OperationalError, es.InterfaceError))


_SQLITE_WHAT = {
    5: "the database is locked by another writer", 6: "the database is locked",
    7: "the database ran out of memory", 8: "the database is read-only",
    9: "the database operation was interrupted", 10: "the database file cannot be read or "
    "written (I/O error)", 11: "the database file is damaged", 13: "the disk is full",
    14: "the database file cannot be opened", 15: "the database is locked",
    26: "the file at the database path is not a database"}


def describe(error: BaseException) -> str:
    """What is wrong with the store, in a few words (no data, no SQL)."""
    if isinstance(error, DatabaseFileReplaced):
        return str(error)
    driver = _driver_error(error)
    if isinstance(driver, sqlite3.Error):
        code = getattr(driver, "sqlite_errorcode", None)
        return _SQLITE_WHAT.get((code or 0) & 0xFF, "the database cannot be used")
    if isinstance(driver, psycopg.Error):
        return _postgres_what(driver)
    if isinstance(error, es.ConnectionUnavailableError):
        return "no database connection is free in this process"
    return "the database cannot be used"


def _postgres_what(error: psycopg.Error) -> str:
    errors = psycopg.errors
    known: list[tuple[type[BaseException], str]] = [
        (errors.ReadOnlySqlTransaction, "the database is read-only"),
        (errors.DiskFull, "the database's disk is full"),
        (errors.InsufficientResources, "the database is out of resources"),
        (errors.TooManyConnections, "the database has no free connection"),
        (errors.AdminShutdown, "the database connection was terminated"),
        (errors.CrashShutdown, "the database connection was terminated"),
        (errors.CannotConnectNow, "the database is starting or shutting down"),
        (errors.LockNotAvailable, "the database stayed locked too long"),
        (errors.QueryCanceled, "a database statement took too long"),
        (errors.DeadlockDetected, "the database detected a deadlock"),
        (errors.IdleInTransactionSessionTimeout, "a database transaction was idle too long"),
    ]
    for kind, what in known:
        if isinstance(error, kind):
            return what
    if isinstance(error, psycopg_pool.PoolTimeout):
        return ("no database connection could be had in time (the database cannot be "
                "reached, or every connection of this process is busy)")
    if error.sqlstate is None and isinstance(error, psycopg.OperationalError):
        return "the database cannot be reached"
    return "the database cannot be used"

"""Which database errors mean "the database is not there right now" — a restart, a failover, a lock held too
long — as opposed to a bug. Those answer 503 with ``Retry-After`` (the API's ``busy`` body, and the pages'
503 page): the client should come back in a moment, and nothing was half-written, since the transaction
that met the error rolled back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import Error, InterfaceError

# What PostgreSQL (psycopg) and SQLite say when the server is away, restarting, shutting down, in recovery,
# or when a lock or deadlock outlasted its wait. Lower case; matched anywhere in the message.
UNAVAILABLE_MESSAGES = (
    # PostgreSQL: not reachable, restarting, failing over
    "connection refused", "could not connect", "connection failed", "connection timed out",
    "could not translate host name", "no route to host", "network is unreachable",
    "terminating connection due to administrator command", "the database system is shutting down",
    "the database system is starting up", "the database system is in recovery mode",
    "the database system is not yet accepting connections", "in a read-only transaction",
    "server closed the connection unexpectedly", "connection already closed", "the connection is closed",
    "connection is lost", "ssl syscall error", "consuming input failed", "sending query failed",
    "too many connections", "remaining connection slots are reserved",
    # PostgreSQL: contention that outlasted its wait
    "deadlock detected", "canceling statement due to lock timeout",
    "canceling statement due to statement timeout", "could not obtain lock",
    "could not serialize access",
    # SQLite
    "database is locked", "database table is locked", "unable to open database file", "disk i/o error",
)


def is_unavailable(error: BaseException) -> bool:
    """True when ``error`` says the database is away or too busy for now, not that a query is wrong."""
    if not isinstance(error, Error):  # django.db's base of DatabaseError and InterfaceError
        return False
    if isinstance(error, InterfaceError):  # the connection itself is gone
        return True
    text = " ".join(str(part) for part in (error, error.__cause__) if part).lower()
    return any(message in text for message in UNAVAILABLE_MESSAGES)


def retry_after() -> str:
    """Seconds a client should wait before trying again (the ``Retry-After`` header)."""
    return str(settings.DATABASE_RETRY_AFTER_SECONDS)

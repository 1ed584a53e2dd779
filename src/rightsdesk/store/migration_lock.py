"""One start-up migration at a time, across processes and machines.

Every rightsdesk process (the API, each worker, `rightsdesk db upgrade`) brings the store to the
newest schema when it starts, so a deployment that starts them together would run the same
migration N times at once; on PostgreSQL the losers die creating `alembic_version` (a unique
violation in the catalogue). So the migration runs under a lock every process takes: a
PostgreSQL advisory lock held by the migration's own transaction (released when it commits or
rolls back, even if the process dies), or on SQLite an exclusive `flock` on a file beside the
database. The others wait, then find the store current and migrate nothing.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, text

log = logging.getLogger("rightsdesk.store")

#: The advisory-lock key of the start-up migration ("rdmigrat" as a 64-bit number); the
#: concurrency slots (service/limits.py) use the two-key form, so they never collide with it.
MIGRATION_LOCK_KEY = int.from_bytes(b"rdmigrat", "big") - 2**63


def lock_postgres(conn: Connection) -> None:
    """Take the migration lock in ``conn``'s transaction, waiting for whoever holds it."""
    key = {"key": MIGRATION_LOCK_KEY}
    if conn.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), key).scalar_one():
        return
    log.info("another process is migrating the store; waiting for it")
    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), key)


@contextmanager
def sqlite_file_lock(database: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<database>.migrate.lock`` (on this machine's file system)."""
    path = database.with_name(database.name + ".migrate.lock")
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.info("another process is migrating the store; waiting for it")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)

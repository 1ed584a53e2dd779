"""Open rightsdesk's store, bring its schema to the latest migration, and hand out sessions."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from rightsdesk.store import casefiles as _casefiles  # noqa: F401 (its tables)
from rightsdesk.store import erasures as _erasures  # noqa: F401 (its tables)
from rightsdesk.store import migration_lock
from rightsdesk.store import restrictions as _restrictions  # noqa: F401 (its tables)

MIGRATIONS = Path(__file__).parent / "migrations"


#: The execution option ``Store.reading`` sets on its connection.
READ_ONLY = "rightsdesk_read_only"


class Store:
    """One database (a SQLite file by default, PostgreSQL in production) and its sessions."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        parsed = make_url(url)
        self.url = url
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        options: dict[str, Any] = {}
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            options["connect_args"] = {"timeout": 30, "check_same_thread": False}
        else:
            options.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        # errors name no parameter values: they would put identities into logs and job errors
        self.engine: Engine = create_engine(url, hide_parameters=True, **options)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin_immediate)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._local = threading.local()
        self._peekers: list[Any] = []

    def migrate(self) -> None:
        """Upgrade the schema to the newest migration (idempotent, and one process at a time:
        see migration_lock)."""
        database = make_url(self.url).database
        if self.is_sqlite and database and database != ":memory:":
            with migration_lock.sqlite_file_lock(Path(database)):
                self._upgrade()
        else:
            self._upgrade()

    def _upgrade(self) -> None:
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                migration_lock.lock_postgres(conn)
            config = alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One unit of work: committed when the block ends, rolled back when it raises."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session that only reads: on SQLite its transaction is deferred (no write lock), so
        a read never waits for a writer (WAL); elsewhere the same as ``session``."""
        with self._sessions() as session, session.begin():
            session.connection(execution_options={READ_ONLY: True})
            yield session

    def peek(self, statement: str) -> Any:
        """The first column of the first row of a read with no parameters, on this thread's
        own autocommit connection of the bare driver (no pool checkout, no ORM session, no
        transaction: one round trip; on SQLite no lock): the fast path of a hot read, e.g.
        the consent ledger's version on every consent check. A broken connection is
        replaced once."""
        for attempt in (1, 2):
            conn = self._peeker()
            try:
                cursor = conn.cursor()
                try:
                    cursor.execute(statement)
                    row = cursor.fetchone()
                finally:
                    cursor.close()
                return None if row is None else row[0]
            except self.engine.dialect.loaded_dbapi.OperationalError:
                self._local.conn = None
                conn.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _peeker(self) -> Any:
        found: Any = getattr(self._local, "conn", None)
        if found is not None:
            return found
        fairy = self.engine.raw_connection()
        conn: Any = fairy.driver_connection
        fairy.detach()  # this thread's for good, outside the pool
        if not self.is_sqlite:
            conn.autocommit = True
        self._local.conn = conn
        self._peekers.append(conn)
        return conn

    def close(self) -> None:
        for conn in self._peekers:
            with contextlib.suppress(self.engine.dialect.loaded_dbapi.Error):
                conn.close()  # one already broken needs no closing
        self._peekers.clear()
        self.engine.dispose()


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # Let SQLAlchemy issue BEGIN itself (see _sqlite_begin_immediate).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    for pragma in (
        "foreign_keys=ON",
        "journal_mode=WAL",
        "synchronous=NORMAL",
        "busy_timeout=30000",
    ):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    # Take the write lock up front: read-then-write transactions never deadlock on upgrade.
    # A read-only session (``Store.reading``) defers it: it never writes.
    read = conn.get_execution_options().get(READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if read else "BEGIN IMMEDIATE")

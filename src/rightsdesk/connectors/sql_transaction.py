"""SQL transactions: changes applied on one open connection, kept only by ``commit()``."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from rightsdesk.connectors.base import Change
from rightsdesk.connectors.sql_write import apply_one
from rightsdesk.domain.errors import ConnectorError

if TYPE_CHECKING:
    from rightsdesk.connectors.sql import SqlConnector


class Session:
    """One connection and its transaction; on SQLite, shared by every transaction on one file."""

    def __init__(self, conn: sa.Connection, sqlite_file: str | None) -> None:
        self.conn, self.sqlite_file, self.transaction = conn, sqlite_file, conn.begin()
        self.ended: str | None = None  # "committed" or "rolled back"

    def end(self, commit: bool) -> None:
        if self.ended is not None:
            return
        self.ended = "rolled back"
        if self.sqlite_file:
            SQLITE_SESSIONS.by_file.pop(self.sqlite_file, None)
        try:
            if commit:
                self.transaction.commit()
                self.ended = "committed"
            else:
                self.transaction.rollback()
        finally:
            self.conn.close()


class _SqliteSessions(threading.local):
    """This thread's open session per SQLite file, shared by every transaction begun on it.

    SQLite allows one writer per file, so two systems of a data map on one file share a connection.
    """

    def __init__(self) -> None:
        self.by_file: dict[str, Session] = {}


SQLITE_SESSIONS = _SqliteSessions()


class SqlTransaction:
    """Changes applied on an open connection, kept only by ``commit()``; any failure rolls back.

    Transactions sharing a SQLite file end together: the first commit or rollback decides for all.
    """

    def __init__(self, connector: SqlConnector, session: Session) -> None:
        self._connector, self._session, self._done = connector, session, False

    def apply(self, changes: Sequence[Change]) -> list[int]:
        """Apply ``changes`` in order; any error rolls everything back and raises ConnectorError."""
        conn = self._live("apply changes").conn
        try:
            with self._connector._errors("rolled back all changes on"):
                return [apply_one(self._connector, conn, change) for change in changes]
        except BaseException:
            self.rollback()
            raise

    def commit(self) -> None:
        session = self._live("commit", committed_ok=True)
        self._done = True
        with self._connector._errors("commit failed, all changes rolled back on"):
            session.end(commit=True)

    def rollback(self) -> None:
        """Undo every change; harmless when already rolled back."""
        if not self._done:
            self._live("roll back", committed_ok=False, rolled_back_ok=True)
            self._done = True
            with self._connector._errors("rollback failed on"):
                self._session.end(commit=False)

    def _live(
        self, doing: str, *, committed_ok: bool = False, rolled_back_ok: bool = False
    ) -> Session:
        ended = self._session.ended
        ok = {None: True, "committed": committed_ok, "rolled back": rolled_back_ok}[ended]
        if self._done or not ok:
            state = "ended" if self._done else f"{ended} together with another system on this file"
            raise ConnectorError(
                self._connector.name, f"cannot {doing}: the transaction has {state}"
            )
        return self._session

"""SQL transactions: changes applied on one open connection, kept only by ``commit()``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import sqlalchemy as sa

from rightsdesk.connectors.base import Change
from rightsdesk.connectors.sql_write import apply_one
from rightsdesk.domain.errors import ConnectorError

if TYPE_CHECKING:
    from rightsdesk.connectors.sql import SqlConnector


class SqlTransaction:
    """Changes applied on one open connection, kept only by ``commit()``; any failure rolls back.

    A SQLite file allows one writer, so two of these open on one file would wait on each other:
    the engine's apply lanes give systems that share a file one transaction (``writer()``).
    """

    def __init__(self, connector: SqlConnector, conn: sa.Connection) -> None:
        self._connector, self._conn = connector, conn
        self._transaction = conn.begin()
        self._ended: str | None = None  # "committed" or "rolled back"

    def apply(self, changes: Sequence[Change]) -> list[int]:
        """Apply ``changes`` in order; any error rolls everything back and raises ConnectorError."""
        self._live("apply changes")
        try:
            with self._connector._errors("rolled back all changes on"):
                return [apply_one(self._connector, self._conn, change) for change in changes]
        except BaseException:
            self.rollback()
            raise

    def commit(self) -> None:
        self._live("commit")
        self._ended = "rolled back"
        try:
            with self._connector._errors("commit failed, all changes rolled back on"):
                self._transaction.commit()
            self._ended = "committed"
        finally:
            self._conn.close()

    def rollback(self) -> None:
        """Undo every change; harmless once the transaction has ended."""
        if self._ended is not None:
            return
        self._ended = "rolled back"
        try:
            with self._connector._errors("rollback failed on"):
                self._transaction.rollback()
        finally:
            self._conn.close()

    def _live(self, doing: str) -> None:
        if self._ended is not None:
            raise ConnectorError(self._connector.name, f"cannot {doing}: the transaction has ended")

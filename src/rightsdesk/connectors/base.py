"""The connector contract: plain data in, plain data out; no sessions, ORM objects or settings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from rightsdesk.domain.schema import ColumnInfo, ForeignKeyInfo, SchemaInfo, TableInfo

__all__ = [
    "Change",
    "ColumnInfo",
    "Connector",
    "DeleteOlder",
    "DeleteWhere",
    "Discoverable",
    "ForeignKeyInfo",
    "Hop",
    "Key",
    "Row",
    "SchemaInfo",
    "TableInfo",
    "Transaction",
    "UpdateRows",
    "UpdateWhere",
]

Row = tuple[Any, ...]
#: The column a change finds rows by, or several (a table without a primary key is erased by
#: its key or reference columns; each key value is then a tuple in the same order).
Key = str | tuple[str, ...]
#: A reference followed from a child column to its parent: ``((table, column), (table, column))``.
Hop = tuple[tuple[str, str], tuple[str, str]]


@dataclass(frozen=True)
class UpdateWhere:
    """Set the same ``values`` on every row whose ``key`` is in ``keys`` (one set-based UPDATE)."""

    collection: str
    key: Key
    keys: Sequence[Any]
    values: dict[str, Any]


@dataclass(frozen=True)
class UpdateRows:
    """Set per-row values: each row of ``rows`` is ``(key, v1, v2, ...)`` for ``columns``."""

    collection: str
    key: Key
    columns: tuple[str, ...]
    rows: Sequence[Row]


@dataclass(frozen=True)
class DeleteWhere:
    """Delete every row whose ``key`` is in ``keys`` (one set-based DELETE)."""

    collection: str
    key: Key
    keys: Sequence[Any]


@dataclass(frozen=True)
class DeleteOlder:
    """Delete every row whose date or time ``column`` is before ``before`` (an ISO date).

    Deletion on the company's own initiative once data is no longer needed (PIPL Art. 47).
    """

    collection: str
    column: str
    before: str


Change = UpdateWhere | UpdateRows | DeleteWhere | DeleteOlder


class Transaction(Protocol):
    """Changes applied but not yet committed, so several systems can commit together."""

    def apply(self, changes: Sequence[Change]) -> list[int]:
        """Apply ``changes`` in order; return affected rows per change. Raise ConnectorError."""

    def commit(self) -> None: ...

    def rollback(self) -> None: ...


@runtime_checkable
class Connector(Protocol):
    """One data store. Implementations live in ``connectors/<kind>.py`` and own their driver."""

    def check(self) -> None:
        """Raise ConnectorError when the store cannot be reached."""

    def read(
        self, collection: str, key: str, values: Sequence[Any], columns: Sequence[str]
    ) -> Iterator[list[Row]]:
        """Yield batches of rows (tuples in ``columns`` order) whose ``key`` is in ``values``.

        Values that cannot match the key column's type are ignored, never an error.
        """

    def scan(
        self,
        collection: str,
        columns: Sequence[str],
        containing: Mapping[str, Sequence[str]] | None = None,
    ) -> Iterator[list[Row]]:
        """Yield every row of ``collection`` in batches: for rows found by what their content
        names (an encoded session payload), which no key can look up.

        With ``containing`` (column -> values), only rows where one of those columns holds one
        of its values as a substring, ignoring ASCII case. More rows may come (the caller
        checks each), never fewer: a connector that cannot filter yields every row.
        """

    def begin(self) -> Transaction:
        """Open a transaction; the caller commits or rolls back."""

    def writer(self) -> str | None:
        """The store's single writer when it allows only one (a SQLite file's path), else None.

        Systems whose connectors name the same writer apply their changes in one transaction,
        begun on the first of them (the engine's apply lanes): two would wait on each other.
        """

    def apply(self, changes: Sequence[Change]) -> list[int]:
        """Apply ``changes`` in order in one transaction; return affected rows per change.

        On any failure nothing is applied and ConnectorError is raised.
        """

    def describe(self, tables: Sequence[str] | None = None) -> SchemaInfo:
        """The live schema: tables, columns, keys and indexes (only ``tables`` when given).

        A table in ``tables`` that does not exist is left out, never an error.
        """

    def close(self) -> None:
        """Release connections."""


@runtime_checkable
class Discoverable(Connector, Protocol):
    """A connector that discovery can read (drafting a map, drift, the residue scan).

    Discovery reads a store only through these methods and ``describe``, so any store that
    answers them can be drafted into a data map. Values are returned as the driver gives them.
    """

    def sample(
        self, collection: str, column: str, limit: int, *, distinct: bool = False
    ) -> list[Any]:
        """Up to ``limit`` non-null values of ``column`` (distinct ones with ``distinct``).

        Which values, and in which order, is the store's choice; discovery only needs a fair few.
        """

    def count_present(self, collection: str, column: str, values: Sequence[Any]) -> int:
        """How many of ``values`` (distinct) occur in ``column``."""

    def repeats(self, collection: str, column: str) -> bool:
        """Whether some non-null value of ``column`` occurs in more than one row."""

    def most_per_owner(self, collection: str, path: Sequence[Hop]) -> int:
        """The most rows of ``collection`` that one owner has (0 without ``path`` or rows).

        ``path`` leads from ``collection`` towards the person: each hop's parent table is the
        next hop's child table, and the last hop's child column names the owner.
        """

    def scan(
        self,
        collection: str,
        columns: Sequence[str],
        containing: Mapping[str, Sequence[str]] | None = None,
        *,
        text: bool = False,
    ) -> Iterator[list[Row]]:
        """As ``Connector.scan``; with ``text``, JSON documents come back as the store's text."""

"""Read a live store for discovery through its connector: its schema, column samples, overlaps.

Discovery opens no database itself: every read goes through ``connectors.base.Discoverable``,
so any store whose connector answers it can be drafted, diffed and scanned.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from rightsdesk.connectors.base import Discoverable
from rightsdesk.connectors.registry import connector_class
from rightsdesk.discovery.detectors.classify import ColumnFinding, classify_column
from rightsdesk.domain.errors import ConnectorError
from rightsdesk.domain.schema import ColumnInfo, SchemaInfo

#: Column types whose values are sampled (``None``: a type reflection cannot name, e.g. SQLite's).
TEXT_TYPES = frozenset({"str", None})

Include = Callable[[str, str], bool]
Sampled = tuple[str, str, Iterator[str | None]]


def open_store(
    system: str, url: str, *, kind: str = "sql", schema: str | None = None, **options: Any
) -> Discoverable:
    """The connector discovery reads ``url`` through (``options`` such as ``chunk_size`` go to
    its constructor, ``schema`` only when set); ConnectorError when it cannot be read."""
    connector: Any = connector_class(kind)(
        system, url, **({"schema": schema} if schema else {}), **options
    )
    if not isinstance(connector, Discoverable):
        connector.close()
        raise ConnectorError(system, f"a {kind!r} store cannot be read by discovery")
    return connector


def discoverable(kind: str) -> bool:
    """Whether systems of ``kind`` have a connector that discovery can read."""
    try:
        return issubclass(connector_class(kind), Discoverable)
    except ConnectorError:  # no connector for the kind at all
        return False


def is_text(column: ColumnInfo) -> bool:
    """Whether a column's values are text worth classifying (binary and numbers are skipped)."""
    return column.python_type in TEXT_TYPES


def sample_columns(
    url: str, *, schema: str | None = None, rows: int = 1000, include: Include | None = None
) -> Iterator[Sampled]:
    """Stream up to ``rows`` non-null values of every text-like column, one column at a time."""
    store = open_store("the database", url, schema=schema)
    try:
        yield from stream_columns(store, store.describe(), rows=rows, include=include)
    finally:
        store.close()


def stream_columns(
    store: Discoverable, info: SchemaInfo, *, rows: int, include: Include | None = None
) -> Iterator[Sampled]:
    """Like ``sample_columns`` on an open store whose schema is already described."""
    for table in info.tables.values():
        for column in table.columns.values():
            if not is_text(column) or (
                include is not None and not include(table.name, column.name)
            ):
                continue
            values = store.sample(table.name, column.name, rows)
            yield table.name, column.name, (None if v is None else str(v) for v in values)


def classify_all(
    store: Discoverable, info: SchemaInfo, *, rows: int, include: Include | None = None
) -> dict[tuple[str, str], ColumnFinding]:
    """The classifier's finding for every sampled text column, by ``(table, column)``."""
    sampled = stream_columns(store, info, rows=rows, include=include)
    return {
        (table, column): classify_column(column, values, sample=rows)
        for table, column, values in sampled
    }


def value_overlap(
    store: Discoverable, child: tuple[str, str], parent: tuple[str, str], *, rows: int
) -> tuple[int, int]:
    """How many of up to ``rows`` distinct child values exist in the parent column, of how many.

    Zero and the empty string are left out: many applications write "none" so instead of NULL
    (Kanboard's ``tasks.owner_id = 0`` for an unassigned task).
    """
    values = [v for v in store.sample(*child, rows, distinct=True) if v not in _NONE_VALUES]
    return store.count_present(*parent, values), len(values)


_NONE_VALUES = frozenset({0, "", "0"})

"""Read a live database for discovery: its schema, bounded streams of column values, overlaps."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa

from rightsdesk.connectors import urls
from rightsdesk.connectors.sql_keys import chunks
from rightsdesk.connectors.sql_schema import reflecting, table_info
from rightsdesk.discovery.classify import ColumnFinding, classify_column
from rightsdesk.domain.schema import ColumnInfo, SchemaInfo

#: Column types whose values are sampled (``None``: a type reflection cannot name, e.g. SQLite's).
TEXT_TYPES = frozenset({"str", None})
#: Rows fetched per round trip while streaming.
BATCH = 200

Include = Callable[[str, str], bool]
Sampled = tuple[str, str, Iterator[str | None]]


def engine_for(url: str, schema: str | None = None) -> sa.Engine:
    """An engine whose unqualified names resolve in ``schema`` (PostgreSQL search_path)."""
    return urls.open_engine("the database", url, schema=schema)


def describe(conn: sa.Connection, schema: str | None = None) -> SchemaInfo:
    """Reflect the tables (not views) of ``schema``: columns, keys, foreign keys, indexes."""
    with reflecting():
        insp = sa.inspect(conn)
        parts: dict[str, dict[Any, Any]] = {
            "columns": insp.get_multi_columns(schema=schema),
            "pk": insp.get_multi_pk_constraint(schema=schema),
            "fks": insp.get_multi_foreign_keys(schema=schema),
            "indexes": insp.get_multi_indexes(schema=schema),
            "uniques": insp.get_multi_unique_constraints(schema=schema),
        }
    names = sorted(name for _, name in parts["columns"])
    return SchemaInfo(
        {
            n: table_info(n, conn.dialect, {k: v[(schema, n)] for k, v in parts.items()})
            for n in names
        }
    )


def is_text(column: ColumnInfo) -> bool:
    """Whether a column's values are text worth classifying (binary and numbers are skipped)."""
    return column.python_type in TEXT_TYPES


def sample_columns(
    url: str, *, schema: str | None = None, rows: int = 1000, include: Include | None = None
) -> Iterator[Sampled]:
    """Stream up to ``rows`` non-null values of every text-like column, one column at a time."""
    engine = engine_for(url, schema)
    try:
        with engine.connect() as conn:
            info = describe(conn, schema)
            yield from stream_columns(conn, info, schema=schema, rows=rows, include=include)
    finally:
        engine.dispose()


def stream_columns(
    conn: sa.Connection,
    info: SchemaInfo,
    *,
    schema: str | None = None,
    rows: int,
    include: Include | None = None,
) -> Iterator[Sampled]:
    """Like ``sample_columns`` on an open connection whose schema is already described."""
    streaming = conn.execution_options(stream_results=True, yield_per=BATCH)
    for table in info.tables.values():
        for column in table.columns.values():
            if not is_text(column) or (
                include is not None and not include(table.name, column.name)
            ):
                continue
            col: sa.ColumnClause[Any] = sa.column(column.name)
            query = (
                sa.select(col)
                .select_from(sa.table(table.name, schema=schema))
                .where(col.is_not(None))
            )
            result = streaming.execute(query.limit(rows))
            try:
                yield table.name, column.name, _as_text(result.scalars())
            finally:
                result.close()


def _as_text(values: Iterator[Any]) -> Iterator[str | None]:
    for value in values:
        yield None if value is None else str(value)


def classify_all(
    conn: sa.Connection,
    info: SchemaInfo,
    *,
    schema: str | None = None,
    rows: int,
    include: Include | None = None,
) -> dict[tuple[str, str], ColumnFinding]:
    """The classifier's finding for every sampled text column, by ``(table, column)``."""
    sampled = stream_columns(conn, info, schema=schema, rows=rows, include=include)
    return {
        (table, column): classify_column(column, values, sample=rows)
        for table, column, values in sampled
    }


def value_overlap(
    conn: sa.Connection,
    child: tuple[str, str],
    parent: tuple[str, str],
    *,
    schema: str | None = None,
    rows: int,
) -> tuple[int, int]:
    """How many of up to ``rows`` distinct child values exist in the parent column, of how many.

    Zero and the empty string are left out: many applications write "none" so instead of NULL
    (Kanboard's ``tasks.owner_id = 0`` for an unassigned task).
    """
    values = [
        v for v in distinct_values(conn, child, schema=schema, rows=rows) if v not in _NONE_VALUES
    ]
    return count_in(conn, parent, values, schema=schema), len(values)


_NONE_VALUES = frozenset({0, "", "0"})


def distinct_values(
    conn: sa.Connection, column: tuple[str, str], *, schema: str | None = None, rows: int
) -> list[Any]:
    """Up to ``rows`` distinct non-null values of ``column`` (table, column)."""
    col: sa.ColumnClause[Any] = sa.column(column[1])
    query = (
        sa.select(col)
        .distinct()
        .select_from(sa.table(column[0], schema=schema))
        .where(col.is_not(None))
        .limit(rows)
    )
    return list(conn.execute(query).scalars())


def count_in(
    conn: sa.Connection, column: tuple[str, str], values: list[Any], *, schema: str | None = None
) -> int:
    """How many of ``values`` (distinct) occur in ``column``: one probe per 500 values."""
    col: sa.ColumnClause[Any] = sa.column(column[1])
    found = 0
    for part in chunks(values, 500):
        probe = sa.select(sa.func.count(sa.distinct(col))).select_from(
            sa.table(column[0], schema=schema)
        )
        found += conn.execute(probe.where(col.in_(part))).scalar_one()
    return found

"""Applying changes on an open SQL connection: set-based UPDATE and DELETE per change."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.sql.expression import Executable

from rightsdesk.connectors.base import Change, DeleteOlder, DeleteWhere, UpdateRows, UpdateWhere
from rightsdesk.connectors.sql_keys import (
    COERCERS,
    SKIP,
    as_is,
    bind_type,
    chunks,
    key_of,
    python_type,
    unique_keys,
)
from rightsdesk.domain.errors import ConnectorError

if TYPE_CHECKING:
    from rightsdesk.connectors.sql import SqlConnector

Column = sa.Column[Any]


def apply_one(connector: SqlConnector, conn: sa.Connection, change: Change) -> int:
    if isinstance(change, DeleteOlder):
        return _delete_older(connector, conn, change)
    key = change.key
    if isinstance(key, tuple):
        return _apply_composite(connector, conn, change)
    if isinstance(change, UpdateRows):
        return _update_rows(connector, conn, change, key)
    sets = change.values if isinstance(change, UpdateWhere) else {}
    kind = "update_where" if isinstance(change, UpdateWhere) else "delete"
    plan = connector._plan(conn, kind, change.collection, key, tuple(sets))
    params = {f"rd_v{i}": v for i, v in enumerate(sets.values())}
    parts = chunks(unique_keys(plan.coerce, change.keys), connector.chunk_size)
    return sum(conn.execute(plan.statement, {"rd_keys": c, **params}).rowcount for c in parts)


def _apply_composite(
    connector: SqlConnector, conn: sa.Connection, change: UpdateWhere | UpdateRows | DeleteWhere
) -> int:
    """A change keyed by several columns: rows of a table without a primary key."""
    table = connector._table(conn, change.collection)
    names = tuple(change.key)
    sets = change.columns if isinstance(change, UpdateRows) else ()
    sets = tuple(change.values) if isinstance(change, UpdateWhere) else sets
    missing = [c for c in (*names, *sets) if c not in table.c]
    if missing:
        raise ConnectorError(
            connector.name, f"table {change.collection!r}: has no column(s) {missing}"
        )
    keys = [table.c[k] for k in names]
    coerce = [COERCERS.get(python_type(k.type) or object, as_is) for k in keys]
    values: dict[Column, Any] = {table.c[c]: sa.bindparam(f"rd_v{i}") for i, c in enumerate(sets)}
    rows = change.rows if isinstance(change, UpdateRows) else [(k,) for k in change.keys]
    # a None in a key means IS NULL there: rows are grouped by where their NULLs are
    groups: dict[tuple[bool, ...], dict[tuple[Any, ...], tuple[Any, ...]]] = {}
    for row in rows:
        parts = [None if v is None else key_of(f, v) for f, v in zip(coerce, row[0], strict=True)]
        if not any(p is SKIP for p in parts):
            nulls = tuple(p is None for p in parts)
            present = tuple(p for p in parts if p is not None)
            groups.setdefault(nulls, {})[present] = tuple(row[1:])
    count = 0
    for nulls, found in groups.items():
        where = [k.is_(None) for k, null in zip(keys, nulls, strict=True) if null]
        used = [k for k, null in zip(keys, nulls, strict=True) if not null]
        count += _composite_group(connector, conn, table, change, used, where, values, found)
    return count


def _composite_group(
    connector: SqlConnector,
    conn: sa.Connection,
    table: sa.Table,
    change: UpdateWhere | UpdateRows | DeleteWhere,
    keys: list[Column],
    where: list[Any],
    values: dict[Column, Any],
    found: dict[tuple[Any, ...], tuple[Any, ...]],
) -> int:
    """Rows whose ``keys`` hold one of ``found`` and that meet ``where`` (the IS NULLs)."""
    if isinstance(change, UpdateRows):
        one = [k == sa.bindparam(f"rd_k{i}", type_=bind_type(k)) for i, k in enumerate(keys)]
        params = [
            {f"rd_k{i}": p for i, p in enumerate(key)} | {f"rd_v{i}": v for i, v in enumerate(new)}
            for key, new in found.items()
        ]
        update = sa.update(table).where(sa.and_(*one, *where)).values(values)
        return conn.execute(update, params).rowcount
    if keys:
        where.append(sa.tuple_(*keys).in_(sa.bindparam("rd_keys", expanding=True)))
    statement: Executable = sa.delete(table).where(*where)
    extra: dict[str, Any] = {}
    if isinstance(change, UpdateWhere):
        statement = sa.update(table).where(*where).values(values)
        extra = {f"rd_v{i}": v for i, v in enumerate(change.values.values())}
    if not keys:
        return conn.execute(statement, extra).rowcount
    return sum(
        conn.execute(statement, {"rd_keys": part, **extra}).rowcount
        for part in chunks(list(found), connector.chunk_size)
    )


def _delete_older(connector: SqlConnector, conn: sa.Connection, change: DeleteOlder) -> int:
    table = connector._table(conn, change.collection)
    if change.column not in table.c:
        raise ConnectorError(
            connector.name, f"table {change.collection!r} has no column {change.column!r}"
        )
    column = table.c[change.column]
    cutoff = date.fromisoformat(change.before)
    bound: Any = (
        cutoff
        if python_type(column.type) is date
        else datetime(cutoff.year, cutoff.month, cutoff.day)
    )
    return conn.execute(sa.delete(table).where(column < bound)).rowcount


def _update_rows(connector: SqlConnector, conn: sa.Connection, change: UpdateRows, key: str) -> int:
    width = len(change.columns) + 1
    if any(len(row) != width for row in change.rows):
        raise ConnectorError(connector.name, f"{change.collection!r}: rows must be (key, *columns)")
    plan = connector._plan(conn, "update_rows", change.collection, key, change.columns)
    names = ["rd_key"] + [f"rd_v{i}" for i in range(len(change.columns))]
    keyed = ((key_of(plan.coerce, row[0]), *row[1:]) for row in change.rows)
    params = [dict(zip(names, row, strict=True)) for row in keyed if row[0] is not SKIP]
    return conn.execute(plan.statement, params).rowcount if params else 0

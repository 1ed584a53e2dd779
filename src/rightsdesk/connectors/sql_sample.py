"""What discovery reads from a SQL store (``base.Discoverable``): samples, overlaps, counts.

Statements name tables and columns without reflecting them (``sa.table``/``sa.column``), so
sampling every column of a large schema costs one query per column and no catalogue reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from rightsdesk.connectors.base import Hop
from rightsdesk.connectors.sql_keys import chunks

#: Values probed per ``IN`` query when counting how many are present.
PROBE = 500


def sample(
    conn: sa.Connection, table: str, column: str, limit: int, *, distinct: bool
) -> list[Any]:
    """Up to ``limit`` non-null values of ``table.column`` (distinct ones with ``distinct``)."""
    col: sa.ColumnClause[Any] = sa.column(column)
    query = sa.select(col).select_from(sa.table(table)).where(col.is_not(None))
    if distinct:
        query = query.distinct()
    return list(conn.execute(query.limit(limit)).scalars())


def count_present(conn: sa.Connection, table: str, column: str, values: Sequence[Any]) -> int:
    """How many of ``values`` (distinct) occur in ``table.column``: one probe per 500 values."""
    col: sa.ColumnClause[Any] = sa.column(column)
    found = 0
    for part in chunks(list(values), PROBE):
        probe = sa.select(sa.func.count(sa.distinct(col))).select_from(sa.table(table))
        found += conn.execute(probe.where(col.in_(part))).scalar_one()
    return found


def repeats(conn: sa.Connection, table: str, column: str) -> bool:
    """Whether a non-null value of ``table.column`` occurs in more than one row."""
    col: sa.ColumnClause[Any] = sa.column(column)
    repeated = (
        sa.select(col)
        .select_from(sa.table(table, col))
        .where(col.is_not(None))
        .group_by(col)
        .having(sa.func.count() > 1)
        .limit(1)
    )
    return conn.execute(repeated).first() is not None


def most_per_owner(conn: sa.Connection, table: str, path: Sequence[Hop]) -> int:
    """One grouped query joining up ``path`` to the owner column (``base.Discoverable``)."""
    if not path:
        return 0
    current: sa.FromClause = sa.table(table, *(sa.column(c) for c in _columns(table, path))).alias(
        "t0"
    )
    joined: sa.FromClause = current
    for n, (child, parent) in enumerate(path[:-1], 1):
        target = sa.table(parent[0], *(sa.column(c) for c in _columns(parent[0], path))).alias(
            f"t{n}"
        )
        joined = joined.join(target, current.c[child[1]] == target.c[parent[1]])
        current = target
    person = current.c[path[-1][0][1]]
    per_person = (
        sa.select(person.label("person"), sa.func.count().label("n"))
        .select_from(joined)
        .where(person.is_not(None))
        .group_by(person)
        .subquery()
    )
    found = conn.execute(sa.select(sa.func.max(per_person.c.n))).scalar()
    return int(found or 0)


def _columns(table: str, path: Sequence[Hop]) -> set[str]:
    """The columns of ``table`` the path's joins use."""
    used = {child[1] for child, _ in path if child[0] == table}
    return used | {parent[1] for _, parent in path if parent[0] == table}


def text_select(table: sa.Table, columns: Sequence[str]) -> sa.Select[Any]:
    """``columns`` of ``table``, JSON documents cast to the database's text of them."""
    selected = [table.c[c] for c in columns]
    return sa.select(*(sa.cast(c, sa.Text) if isinstance(c.type, sa.JSON) else c for c in selected))

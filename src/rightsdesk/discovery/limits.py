"""Draft each collection's ``max_rows_per_person`` from the data: the most rows one person has
now, with headroom, so the blast-radius guard stops a walk that reaches far more than that."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from rightsdesk.discovery.owners import Ownership
from rightsdesk.discovery.proposal import Link

#: A limit is at least this, and this many times the most rows any one person has now.
FLOOR = 100
HEADROOM = 4

#: Most rows of a table one person has now, given the table and its chain of owner links.
Counter = Callable[[str, list[Link]], int]


def headroom(observed: int) -> int:
    return max(FLOOR, HEADROOM * observed)


def draft_limits(ownership: Ownership, count: Counter) -> dict[str, tuple[int, int]]:
    """table -> (limit, most rows one person has now) for every owned table and relation."""
    limits = {ownership.root: (1, 1)}  # one person, one row: a second one is someone else
    for table in ownership.owners:
        observed = count(table, ownership.chain(table))
        limits[table] = (headroom(observed), observed)
    for table, link in ownership.parts.items():
        observed = limits.get(link.child[0], (0, 0))[1]  # one row each of the pointing rows
        limits[table] = (headroom(observed), observed)
    for table, sides in ownership.relations.items():
        observed = sum(count(table, [side]) for side in sides)  # a person may be on every side
        limits[table] = (headroom(observed), observed)
    return limits


def counter(conn: sa.Connection, schema: str | None) -> Counter:
    """Count with one grouped query per table, joining up the chain to the person's key."""

    def count(table: str, chain: list[Link]) -> int:
        if not chain:
            return 0
        current: sa.FromClause = sa.table(
            table, *(sa.column(c) for c in _columns(table, chain)), schema=schema
        ).alias("t0")
        joined: sa.FromClause = current
        for n, link in enumerate(chain[:-1], 1):
            parent = sa.table(
                link.parent[0],
                *(sa.column(c) for c in _columns(link.parent[0], chain)),
                schema=schema,
            ).alias(f"t{n}")
            joined = joined.join(parent, current.c[link.child[1]] == parent.c[link.parent[1]])
            current = parent
        person = current.c[chain[-1].child[1]]
        per_person = (
            sa.select(person.label("person"), sa.func.count().label("n"))
            .select_from(joined)
            .where(person.is_not(None))
            .group_by(person)
            .subquery()
        )
        found = conn.execute(sa.select(sa.func.max(per_person.c.n))).scalar()
        return int(found or 0)

    return count


def _columns(table: str, chain: list[Link]) -> set[str]:
    """The columns of ``table`` the chain's joins use."""
    used = {link.child[1] for link in chain if link.child[0] == table}
    return used | {link.parent[1] for link in chain if link.parent[0] == table}


def one_each(conn: sa.Connection, schema: str | None) -> Callable[[Link], bool]:
    """Whether no value of a link's child column repeats (each parent row has one child)."""

    def check(link: Link) -> bool:
        column: sa.ColumnClause[Any] = sa.column(link.child[1])
        repeated = (
            sa.select(column)
            .select_from(sa.table(link.child[0], column, schema=schema))
            .where(column.is_not(None))
            .group_by(column)
            .having(sa.func.count() > 1)
            .limit(1)
        )
        return conn.execute(repeated).first() is None

    return check

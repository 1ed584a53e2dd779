"""Draft each collection's ``max_rows_per_person`` from the data: the most rows one person has
now, with headroom, so the blast-radius guard stops a walk that reaches far more than that."""

from __future__ import annotations

from collections.abc import Callable

from rightsdesk.connectors.base import Discoverable
from rightsdesk.discovery.drafting.owners import Ownership
from rightsdesk.discovery.drafting.proposal import Link

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


def counter(store: Discoverable) -> Counter:
    """Count with one grouped query per table, joining up the chain to the person's key."""

    def count(table: str, chain: list[Link]) -> int:
        return store.most_per_owner(table, [(link.child, link.parent) for link in chain])

    return count


def one_each(store: Discoverable) -> Callable[[Link], bool]:
    """Whether no value of a link's child column repeats (each parent row has one child)."""

    def check(link: Link) -> bool:
        return not store.repeats(*link.child)

    return check

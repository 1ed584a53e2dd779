"""Draft who owns each table's rows: a direct reference to the person table is the owner; two
or more make the table a relation between people; else the nearest parent that is itself
owned, unless the row carries an identity value of its own (an invitation's email): then it is
about that identity, not its parent's owner, and is found by the value (``unowned.py``).
Where that is a guess (inferred references, ties) the draft says so for review."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from rightsdesk.discovery.drafting.proposal import Column, Link, dotted


@dataclass(frozen=True)
class Ownership:
    """The person table, each owned table's owner link, each relation's side links."""

    root: str
    owners: dict[str, Link] = field(default_factory=dict)
    relations: dict[str, tuple[Link, ...]] = field(default_factory=dict)
    #: table -> the link of the one owned row pointing at each of its rows (a shipping address)
    parts: dict[str, Link] = field(default_factory=dict)
    depth: dict[str, int] = field(default_factory=dict)  # owner links from the person table
    reviews: dict[str, list[str]] = field(default_factory=dict)  # table -> notes for the reader

    @property
    def owned(self) -> set[str]:
        """Tables whose rows belong to a person: the person table, owned tables, relations."""
        return {self.root, *self.owners, *self.relations, *self.parts}

    def walked(self) -> list[Link]:
        """The links a walk follows: owner links and relation sides."""
        sides = [lk for links in self.relations.values() for lk in links]
        return [*self.owners.values(), *sides, *self.parts.values()]

    def chain(self, table: str) -> list[Link]:
        """Owner links from ``table`` up to the one that points at the person table."""
        links: list[Link] = []
        while table in self.owners:
            links.append(self.owners[table])
            table = self.owners[table].parent[0]
        return links


def draft_ownership(
    root: str,
    tables: set[str],
    links: list[Link],
    *,
    personal: set[str] | None = None,
    one_each: Callable[[Link], bool] | None = None,
    identified: dict[str, str] | None = None,
) -> Ownership:
    """Owners and relations for ``tables`` (the person table is ``root``), nearest first.

    A table in ``identified`` (table -> the identity kinds it holds, e.g. an email column) is
    owned only by a direct reference to the person table, never through a parent: the person
    its identity value names is whom the row is about (an invitation to a project names the
    invitee, not the project's owner).

    With ``one_each`` (whether each parent row has at most one child row through a link), a
    ``personal`` table nobody owns whose only incoming reference comes from an owned table,
    one row each, is part of the row pointing at it (``parts``).
    """
    found = Ownership(root, depth={root: 0})
    outgoing: dict[str, list[Link]] = {}
    for link in links:
        if link.child[0] in tables and link.parent[0] in tables and link.child[0] != link.parent[0]:
            outgoing.setdefault(link.child[0], []).append(link)
    for table, mine in sorted(outgoing.items()):
        direct = _distinct([lk for lk in mine if lk.parent[0] == root])
        if table == root or not direct:
            continue
        copied = [lk for lk in direct if lk.child[1] == lk.parent[1]]
        if copied:  # the person's own key repeated (a history copy): whoever else it names
            direct = copied[:1]  # (the editor) is related
        if len(direct) == 1:
            _own(found, table, direct[0], 1)
        else:
            found.relations[table] = tuple(direct)
            found.depth[table] = 1
            sides = ", ".join(lk.child[1] for lk in direct)
            found.reviews.setdefault(table, []).append(
                f"{sides} each reference {root}: a relation between people, exported to each; "
                "erasure unlinks (or deletes) only the erased person's side"
            )
    level = 1
    while True:
        grown = _next_level(found, outgoing, level, identified or {})
        if not grown and one_each is not None:
            grown = _parts(found, links, personal or set(), one_each)
        if not grown:
            return found
        level += 1


def _parts(
    found: Ownership, links: list[Link], personal: set[str], one_each: Callable[[Link], bool]
) -> bool:
    """Mark personal tables pointed at, one row each, by a single owned table's reference."""
    grown = False
    for table in sorted(personal - set(found.depth)):
        incoming = _distinct([lk for lk in links if lk.parent[0] == table != lk.child[0]])
        if len(incoming) != 1 or incoming[0].child[0] not in found.depth:
            continue
        link = incoming[0]
        if not one_each(link):
            continue
        found.parts[table] = link
        found.depth[table] = found.depth[link.child[0]] + 1
        found.reviews.setdefault(table, []).append(
            f"no owner of its own; each row is pointed at by one {link.child[0]} row "
            f"({link.child[1]}): part of that row"
        )
        grown = True
    return grown


def _next_level(
    found: Ownership, outgoing: dict[str, list[Link]], level: int, identified: dict[str, str]
) -> bool:
    """Own every unowned table that points at a table owned ``level`` links from the person."""
    grown = False
    for table, mine in sorted(outgoing.items()):
        if table in found.depth:
            continue
        parents = sorted(
            (lk for lk in mine if found.depth.get(lk.parent[0]) == level),
            key=lambda lk: (lk.proposal.inferred, lk.parent, lk.child),
        )
        if not parents:
            continue
        if table in identified:  # never owned through a parent, whichever level it is at
            note = (
                f"holds its own {identified[table]}: a row is about the person it names, "
                f"not the owner of its {parents[0].parent[0]} ({parents[0].child[1]} is related)"
            )
            notes = found.reviews.setdefault(table, [])
            notes.extend([note] if note not in notes else [])
            continue
        _own(found, table, parents[0], level + 1)
        others = parents[1:]
        if others:
            also = ", ".join(f"{lk.child[1]} -> {dotted(lk.parent)}" for lk in others)
            found.reviews.setdefault(table, []).append(
                f"also points at owned rows ({also}); the owner chosen is "
                f"{parents[0].child[1]}: check whose rows these are"
            )
        grown = True
    return grown


def _own(found: Ownership, table: str, link: Link, depth: int) -> None:
    found.owners[table] = link
    found.depth[table] = depth
    if link.proposal.inferred:
        found.reviews.setdefault(table, []).append(
            f"owner {link.child[1]} -> {dotted(link.parent)} is inferred from values, "
            "not a declared foreign key: check it"
        )


def _distinct(links: list[Link]) -> list[Link]:
    """One link per child column (a column may be inferred to point at several tables)."""
    seen: set[Column] = set()
    kept = []
    for link in sorted(links, key=lambda lk: lk.child):
        if link.child not in seen:
            seen.add(link.child)
            kept.append(link)
    return kept

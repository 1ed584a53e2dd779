"""Places of the data map a run must leave alone: the parts of a request refused on a ground.

A place is ``system.collection`` (every row of the person there) or ``system.collection.field``
(that field of their rows: the row stays, its other fields are erased as the map says). A held
place stays linked to the person: a held row keeps what it references in the same store (a
foreign key may forbid its parent's deletion), so the referenced field's rows are held too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from rightsdesk.connectors.base import Row
from rightsdesk.datamap.model import DataMap
from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.subjects import Identity
from rightsdesk.engine.plan import Plan
from rightsdesk.engine.traversal import Owners

#: per ``system.collection``: the fields held, or None for the whole collection
Holds = Mapping[str, frozenset[str] | None]


def places(datamap: DataMap) -> list[str]:
    """Every place of the map that holds personal data, collections first."""
    return [f"{s.name}.{c.name}" for s, c in datamap.collections() if c.personal]


def check(datamap: DataMap, named: Iterable[str]) -> tuple[str, ...]:
    """The places named, normalised and in the map; PolicyError listing valid places if not."""
    found: list[str] = []
    for text in named:
        place = text.strip()
        where, _, name = place.rpartition(".") if place.count(".") == 2 else (place, "", "")
        resolved = datamap.resolve(where)
        if resolved is None or not resolved[1].personal:
            raise PolicyError(
                f"{place!r} is not a place of the data map; name system.collection or "
                f"system.collection.field, one of: {', '.join(places(datamap))}"
            )
        if name and resolved[1].field(name) is None:
            fields = ", ".join(f"{where}.{f.name}" for f in resolved[1].fields)
            raise PolicyError(f"{place!r} is not a field of {where}; its fields: {fields}")
        if place not in found:
            found.append(place)
    if not found:
        raise PolicyError("a partial refusal names at least one place (system.collection)")
    return tuple(found)


def holds(datamap: DataMap, held: Iterable[str]) -> dict[str, frozenset[str] | None]:
    """The held places by collection, with the fields they reference in the same store."""
    out: dict[str, frozenset[str] | None] = {}
    pending = list(held)
    while pending:
        place = pending.pop()
        where, name = place.rsplit(".", 1) if place.count(".") == 2 else (place, None)
        kept = out.get(where, frozenset())
        if kept is None:
            continue
        out[where] = None if name is None else kept | {name}
        resolved = datamap.resolve(where)
        if resolved is None:
            continue
        system, collection = resolved
        for spec in collection.fields:
            if name is not None and spec.name != name:
                continue
            for ref in spec.references:
                target = ref.target(system.name)
                if target.startswith(f"{system.name}.") and _open(out, target):
                    pending.append(target)
    return out


def holding(held: Holds | None) -> str:
    """The holds as words for a run's id: a held run never resumes an unheld one's changes."""
    if not held:
        return ""
    return f" holding {json.dumps(sorted((k, sorted(v or ())) for k, v in held.items()))}"


def _open(out: Mapping[str, frozenset[str] | None], place: str) -> bool:
    where, name = place.rsplit(".", 1)
    kept = out.get(where, frozenset())
    return kept is not None and name not in kept


def held_links(
    datamap: DataMap,
    plan: Plan,
    found: Mapping[str, Mapping[Any, tuple[Row, Owners]]],
    held: Holds | None,
    subjects: int,
) -> list[set[Identity]]:
    """Per subject, the identities the rows of held places carry (what finds them again)."""
    links: list[set[Identity]] = [set() for _ in range(subjects)]
    for step in plan.steps:
        if not held or step.name not in held or (resolved := datamap.resolve(step.name)) is None:
            continue
        at = [
            (f.identity, step.columns.index(f.name))
            for f in resolved[1].fields
            if f.identity is not None and f.name in step.columns
        ]
        for row, owners in found.get(step.name, {}).values():
            carried = {Identity(k, str(row[i])) for k, i in at if row[i] not in (None, "")}
            for subject in owners:
                links[subject] |= carried
    return links

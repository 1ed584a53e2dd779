"""Marking a person's rows restricted in every store, and unmarking them, as the map says.

One read-only walk finds the person's rows and the identities they hold. Then, per collection
in scope: ``flag`` collections get their flag field set on those rows (false again when
lifted); ``side_table`` collections give a keyed hash of each row's key (stored by the
ledger); ``host_event`` collections are named in one ``processing.restrict`` (or
``processing.unrestrict``) event to the host.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rightsdesk.datamap.model import DataMap
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.erasure import ErasureCollector
from rightsdesk.service.runtime import connections, timing
from rightsdesk.service.runtime.context import Services


@dataclass
class Found:
    """What one walk found of a person: their rows' keys per collection, and identities."""

    #: ``system.collection`` -> primary keys of the person's rows there.
    rows: dict[str, list[Any]] = field(default_factory=dict)
    #: Every identity value the person's rows hold (the processing check may name any).
    identities: set[Identity] = field(default_factory=set)


def find(services: Services, subject_id: str, identities: Sequence[Identity]) -> Found:
    """Walk the data map from ``identities`` (reads only)."""
    datamap = services.require_datamap()
    subject = Subject(subject_id, tuple(identities))
    found = Found(identities=set(identities))
    collector = ErasureCollector()
    with connections.engine(services, timer=timing.timer(services, "restriction")) as engine:
        steps = {s.name: s for s in engine.plan_for([subject]).steps}
        engine.walk_all([subject], collector)
    for name, rows in collector.found.items():
        if not rows:
            continue
        found.rows[name] = list(rows)
        step, spec = steps.get(name), datamap.resolve(name)
        if step is None or spec is None:
            continue
        for f in spec[1].fields:
            if f.identity is not None and f.name in step.columns:
                at = step.columns.index(f.name)
                found.identities |= {
                    Identity(f.identity, str(row[at])) for row, _ in rows.values() if row[at]
                }
    return found


def in_scope(datamap: DataMap, collections: Sequence[str]) -> list[str]:
    """The ``system.collection`` names a restriction covers (all personal ones when none)."""
    if collections:
        return list(collections)
    return [f"{s.name}.{c.name}" for s, c in datamap.collections() if c.personal]


def by_mark(datamap: DataMap, found: Found, scope: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Per collection in scope holding rows of the person: how it is marked and how many."""
    out: dict[str, dict[str, Any]] = {}
    for name in scope:
        resolved = datamap.resolve(name)
        if resolved is None or not found.rows.get(name):
            continue
        spec = resolved[1].restrict
        out[name] = {"mark": spec.mark, "rows": len(found.rows[name])}
        if spec.field is not None:
            out[name] |= {"field": spec.field, "keys": found.rows[name]}
    return out


def flag(services: Services, marks: dict[str, dict[str, Any]], value: bool) -> None:
    """Set (or clear) the flag field of the marked rows of every ``flag`` collection.

    The rows are those the restriction marked (their keys kept in ``marks`` while it lasts),
    not found again: a correction the restriction waits for may change the identities the
    person was found by. Each store in its own transaction; setting a flag twice is harmless,
    so a failed lift is simply lifted again.
    """
    datamap = services.require_datamap()
    flagged = {name: m for name, m in marks.items() if m["mark"] == "flag" and m.get("keys")}
    if not flagged:
        return
    with connections.engine(services, timer=timing.timer(services, "restriction")) as engine:
        for name, m in flagged.items():
            resolved = datamap.resolve(name)
            key = resolved[1].primary_key if resolved else None
            if resolved is None or key is None:
                continue
            engine.update(resolved[0].name, resolved[1].name, key, m["keys"], {m["field"]: value})


def collections_marked(marks: dict[str, dict[str, Any]], how: str) -> list[str]:
    return sorted(name for name, m in marks.items() if m["mark"] == how)

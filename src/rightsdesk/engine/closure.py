"""The identity closure: identifying values found in a person's rows become identities of a
further pass, so copies keyed by a username, an old e-mail address or an IP address are found.

Bounded (``closure.max_values`` per person, ``closure.max_rounds`` passes) and recorded per
person (values added and refused per kind; never the values). A value is used only when it is
the person's alone: every row holding it in a collection of the map that is not a copy must be
one of that person's rows already found; a value in anyone else's row (an IP address two
people share, an old address now someone else's) is refused and counted as shared.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypedDict

from rightsdesk.connectors.base import Connector
from rightsdesk.datamap.model import Closure, DataMap
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.copies import CopyCheck, PersonValues, normal, value_kinds
from rightsdesk.engine.plan import Plan
from rightsdesk.engine.rowkeys import row_identity

Candidate = tuple[str, str, str]  # (kind, normal form, original value)


class ClosureReport(TypedDict):
    """What the closure did for one person, as checkpointed and reported: no values."""

    rounds: int
    #: kind -> values added as identities, and values refused as someone else's too
    added: dict[str, int]
    shared: dict[str, int]
    #: stopped at ``closure.max_values`` or ``closure.max_rounds``
    capped: bool


@dataclass
class ClosureRecord:
    """What the closure did for one person."""

    rounds: int = 0
    added: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    shared: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    capped: bool = False

    def as_json(self) -> ClosureReport:
        return ClosureReport(
            rounds=self.rounds,
            added=dict(sorted(self.added.items())),
            shared=dict(sorted(self.shared.items())),
            capped=self.capped,
        )


def expand(
    datamap: DataMap,
    closure: Closure,
    connectors: Mapping[str, Connector],
    plan: Plan,
    subjects: Sequence[Subject],
    check: CopyCheck,
    records: list[ClosureRecord],
) -> list[Subject] | None:
    """``subjects`` with their new values as identities, or None when nobody gained one."""
    kinds = set(closure.kinds) & datamap.identity_kinds()
    found = [_candidates(subject, check.values, i, kinds) for i, subject in enumerate(subjects)]
    if not any(found):
        return None
    shared = _shared(datamap, connectors, plan, found, check)
    grown, changed = [], False
    for index, (subject, candidates) in enumerate(zip(subjects, found, strict=True)):
        record = records[index]
        values: dict[tuple[str, str], list[str]] = defaultdict(list)  # one value, its spellings
        for kind, norm, original in candidates:
            values[kind, norm].append(original)
        for kind, norm in values:
            if (index, kind, norm) in shared:
                record.shared[kind] += 1
        usable = [v for v in values if (index, *v) not in shared]
        room = max(closure.max_values - sum(record.added.values()), 0)
        if len(usable) > room:
            usable, record.capped = usable[:room], True
        kept = [Identity(kind, spelled) for kind, norm in usable for spelled in values[kind, norm]]
        for kind, _ in usable:
            record.added[kind] += 1
        # a refused value is not offered again: it stays out of the person's values
        for kind, norm, _ in candidates:
            if (index, kind, norm) in shared:
                check.values.drop(index, kind, norm)
        changed = changed or bool(kept)
        grown.append(Subject(subject.id, (*subject.identities, *kept)))
    return grown if changed else None


def _candidates(
    subject: Subject, values: PersonValues, index: int, kinds: set[str]
) -> list[Candidate]:
    known = {(i.kind, i.value) for i in subject.identities}
    return sorted(
        (kind, normal(kind, original), original)
        for kind in kinds
        for original in values.of_kind(index, kind)
        if (kind, original) not in known
    )


def _shared(
    datamap: DataMap,
    connectors: Mapping[str, Connector],
    plan: Plan,
    found: list[list[Candidate]],
    check: CopyCheck,
) -> set[tuple[int, str, str]]:
    """(person, kind, value) whose value some row not of that person holds."""
    wanted: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    spellings: dict[str, set[str]] = defaultdict(set)
    for index, candidates in enumerate(found):
        for kind, norm, original in candidates:
            wanted[kind][norm].add(index)
            spellings[kind].add(original)
    steps = {step.name: step for step in plan.steps}
    shared: set[tuple[int, str, str]] = set()
    for system, collection in datamap.collections():
        if collection.copies or not collection.personal:
            continue
        name = f"{system.name}.{collection.name}"
        step = steps.get(name)
        columns = list(step.columns) if step else [f.name for f in collection.fields]
        pk = columns.index(step.primary_key) if step and step.primary_key else None
        passed = check.passed.get(name, {})
        for column, kind in value_kinds(collection).items():
            if kind not in wanted:
                continue
            at = columns.index(column)
            values = sorted(spellings[kind])
            for batch in connectors[system.name].read(collection.name, column, values, columns):
                for row in batch:
                    key = row[pk] if pk is not None else row_identity(row)
                    norm = normal(kind, row[at])
                    for person in wanted[kind].get(norm, ()):
                        if person not in passed.get(key, frozenset()):
                            shared.add((person, kind, norm))
    return shared

"""A Plan: which collections to read, by which keys fed from which channels, in what order.

A *channel* carries key values: ``identity:<kind>`` for identities,
``<system>.<collection>.<field>`` for values read from a field. A plan is pure data; it can
be printed, tested offline and reused.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cached_property

from rightsdesk.datamap.model import CollectionSpec, DataMap, SystemSpec
from rightsdesk.datamap.ownership import walked
from rightsdesk.domain.actions import ReferenceDirection
from rightsdesk.domain.errors import PlanError


def identity_channel(kind: str) -> str:
    return f"identity:{kind}"


@dataclass(frozen=True)
class KeyInput:
    """Query this step's ``field`` with the values arriving on ``sources``."""

    field: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    system: str
    collection: str
    primary_key: str | None
    columns: tuple[str, ...]
    keys: tuple[KeyInput, ...]
    publishes: tuple[tuple[str, str], ...]  # (field, channel) pairs fed by this step's rows
    #: (field, ``system.collection.field`` it references) of the owner, or of each relation side
    owned_by: tuple[tuple[str, str], ...] = ()
    relation: bool = False
    max_rows: int | None = None  # the data map's max_rows_per_person
    #: Set on rows that only name the person in this identity field: their owner is someone
    #: else (an invitation to their email in another person's project). Exported to them;
    #: erasure masks this field only; never walked on from.
    mention: str | None = None

    @property
    def name(self) -> str:
        return f"{self.system}.{self.collection}"

    @property
    def needs_dedupe(self) -> bool:
        """A row can come back twice only when it is found through more than one key field."""
        return len(self.keys) > 1


@dataclass(frozen=True)
class Plan:
    identity_kinds: frozenset[str]
    steps: tuple[Step, ...]
    unreachable: tuple[str, ...]
    erase_order: dict[str, tuple[str, ...]]  # system -> collections, children before parents
    #: Walked by owner references only (the map declares ownership), not every reference.
    by_ownership: bool = False
    not_personal: tuple[str, ...] = ()

    @cached_property
    def guarded(self) -> bool:
        """Whether the blast-radius guard has anything to check (ownership or a limit)."""
        return self.by_ownership or any(s.max_rows is not None for s in self.steps)

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)

    def describe(self) -> str:
        lines = [f"plan for identities: {', '.join(sorted(self.identity_kinds))}"]
        for number, step in enumerate(self.steps, 1):
            keys = "; ".join(f"{k.field} <- {', '.join(k.sources)}" for k in step.keys)
            lines.append(f"{number:>3}. read {step.name} by {keys}")
        for system, order in self.erase_order.items():
            lines.append(f"erase order in {system}: {' -> '.join(order)}")
        if self.unreachable:
            lines.append(f"not reachable from these identities: {', '.join(self.unreachable)}")
        if self.not_personal:
            lines.append(f"not personal, never read: {', '.join(self.not_personal)}")
        return "\n".join(lines)


def compile_plan(datamap: DataMap, identity_kinds: frozenset[str]) -> Plan:
    """Walk from every identity field: along owner references only, from owner to owned, when
    the map declares ownership; else along every reference both ways, as ``direction`` allows.
    """
    inputs = _key_inputs(datamap)
    order = _reachable(datamap, inputs, {identity_channel(k) for k in identity_kinds})
    if not order:
        known = sorted(
            {f.identity for _, c in datamap.collections() for f in c.fields if f.identity}
        )
        raise PlanError(
            f"no collection can be found by {', '.join(sorted(identity_kinds)) or 'no identity'}; "
            f"the data map knows identities: {', '.join(known)}"
        )
    live = (
        {f"{name}.{f}" for name in order for f in _fields(datamap, name)}
        | {identity_channel(k) for k in identity_kinds}
        | _published_identities(datamap, order)
    )
    steps = tuple(_step(datamap, name, inputs[name], live, order) for name in order)
    consumed = {src for s in steps for k in s.keys for src in k.sources}
    steps = tuple(_with_publishes(datamap, s, consumed) for s in steps)
    not_personal = tuple(f"{s.name}.{c.name}" for s, c in datamap.collections() if not c.personal)
    unreachable = tuple(
        f"{s.name}.{c.name}"
        for s, c in datamap.collections()
        if f"{s.name}.{c.name}" not in order and c.personal
    )
    return Plan(
        frozenset(identity_kinds),
        steps,
        unreachable,
        _erase_order(datamap),
        datamap.by_ownership,
        not_personal,
    )


def _fields(datamap: DataMap, name: str) -> list[str]:
    found = datamap.resolve(name)
    assert found is not None
    return [f.name for f in found[1].fields]


def _key_inputs(datamap: DataMap) -> dict[str, dict[str, set[str]]]:
    """collection -> field -> channels that can feed a query on that field."""
    inputs: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    by_ownership = datamap.by_ownership
    for system, collection in datamap.collections():
        here = f"{system.name}.{collection.name}"
        for field in collection.fields:
            if field.identity and collection.personal:
                inputs[here][field.name].add(identity_channel(field.identity))
        if by_ownership:
            for name, channel in walked(datamap, system.name, collection):
                inputs[here][name].add(channel)
            continue
        if not collection.personal:
            continue
        for field in collection.fields:
            for ref in field.references:
                target = ref.target(system.name)
                parent, _, parent_field = target.rpartition(".")
                if not _personal(datamap, parent):
                    continue  # a catalogue is never walked into and back out of
                if ref.direction in (ReferenceDirection.BOTH, ReferenceDirection.FROM):
                    inputs[here][field.name].add(target)
                if ref.direction in (ReferenceDirection.BOTH, ReferenceDirection.TO):
                    inputs[parent][parent_field].add(f"{here}.{field.name}")
    return inputs


def _personal(datamap: DataMap, name: str) -> bool:
    found = datamap.resolve(name)
    return found is None or found[1].personal


def _publishes_identities(datamap: DataMap, collection: CollectionSpec) -> bool:
    """By ownership only the person's own rows name further identities; an owned row's
    identity-like value (a gift recipient's email) is not the person's."""
    return (collection.identifies or not datamap.by_ownership) and not collection.copies


def _reachable(
    datamap: DataMap, inputs: dict[str, dict[str, set[str]]], seeds: set[str]
) -> list[str]:
    """Collections reachable from ``seeds``, in breadth-first discovery order."""
    live, order = set(seeds), []
    frontier = True
    while frontier:
        frontier = False
        for system, collection in datamap.collections():
            name = f"{system.name}.{collection.name}"
            if name in order:
                continue
            if any(src in live for sources in inputs[name].values() for src in sources):
                order.append(name)
                live |= {f"{name}.{f.name}" for f in collection.fields}
                if _publishes_identities(datamap, collection):
                    live |= {identity_channel(f.identity) for f in collection.fields if f.identity}
                frontier = True
    return order


def _published_identities(datamap: DataMap, order: list[str]) -> set[str]:
    kinds = set()
    for name in order:
        found = datamap.resolve(name)
        assert found is not None
        if _publishes_identities(datamap, found[1]):
            kinds |= {identity_channel(f.identity) for f in found[1].fields if f.identity}
    return kinds


def _step(
    datamap: DataMap, name: str, inputs: dict[str, set[str]], live: set[str], order: list[str]
) -> Step:
    found = datamap.resolve(name)
    assert found is not None
    system, collection = found
    keys = tuple(
        KeyInput(field, tuple(sorted(src for src in sources if src in live)))
        for field, sources in sorted(inputs.items())
        if any(src in live for src in sources)
    )
    columns = tuple(f.name for f in collection.fields)
    owned_by = walked(datamap, system.name, collection)
    return Step(
        system.name,
        collection.name,
        collection.primary_key,
        columns,
        keys,
        (),
        owned_by if datamap.by_ownership else (),
        bool(collection.relation) and datamap.by_ownership,
        collection.max_rows_per_person,
    )


def _with_publishes(datamap: DataMap, step: Step, consumed: set[str]) -> Step:
    found = datamap.resolve(step.name)
    assert found is not None
    publishes = []
    names_people = _publishes_identities(datamap, found[1])
    for field in found[1].fields:
        channel = f"{step.name}.{field.name}"
        if channel in consumed:
            publishes.append((field.name, channel))
        if names_people and field.identity and identity_channel(field.identity) in consumed:
            publishes.append((field.name, identity_channel(field.identity)))
    return replace(step, publishes=tuple(publishes))


def _erase_order(datamap: DataMap) -> dict[str, tuple[str, ...]]:
    return {system.name: _children_first(system) for system in datamap.systems}


def _children_first(system: SystemSpec) -> tuple[str, ...]:
    """Topological order over same-system references (a cycle keeps declaration order)."""
    parents: dict[str, set[str]] = {c.name: _parents(system, c) for c in system.collections}
    ordered: list[str] = []
    remaining = [c.name for c in system.collections]
    while remaining:
        # a collection can go once no remaining collection references it
        ready = [n for n in remaining if not any(n in parents[o] for o in remaining if o != n)]
        pick = ready[0] if ready else remaining[0]
        ordered.append(pick)
        remaining.remove(pick)
    return tuple(ordered)


def _parents(system: SystemSpec, collection: CollectionSpec) -> set[str]:
    found = set()
    for field in collection.fields:
        for ref in field.references:
            parts = ref.field.split(".")
            if len(parts) == 2:
                found.add(parts[0])
            elif parts[0] == system.name:
                found.add(parts[1])
    found.discard(collection.name)
    return found

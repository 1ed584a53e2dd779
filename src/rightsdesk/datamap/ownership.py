"""Who a row belongs to: owner references, relations between two people, collections that are
not personal; and the load-time checks that keep those declarations coherent."""

from __future__ import annotations

from collections.abc import Callable

from rightsdesk.datamap.model import CollectionSpec, DataMap, Reference, SystemSpec
from rightsdesk.domain.actions import ReferenceDirection
from rightsdesk.domain.errors import Issue

Path = tuple[str | int, ...]
Report = Callable[[Path, str, str], None]


def owner_reference(collection: CollectionSpec) -> Reference | None:
    """The one reference through which ``collection``'s rows are owned, if it declares one."""
    field = collection.field(collection.owner) if collection.owner else None
    return field.references[0] if field is not None and len(field.references) == 1 else None


def side_references(collection: CollectionSpec) -> tuple[tuple[str, Reference], ...]:
    """(field, reference) of each side of a relation collection."""
    sides = []
    for name in collection.relation:
        field = collection.field(name)
        if field is not None and len(field.references) == 1:
            sides.append((name, field.references[0]))
    return tuple(sides)


def walked(
    datamap: DataMap, system: str, collection: CollectionSpec
) -> tuple[tuple[str, str], ...]:
    """(field of ``collection``, channel feeding it) of each way a walk by ownership reaches
    it: from the owner's key, from each relation side's person, or (``part_of``) from the
    field of the row that points at it."""
    if not collection.personal:
        return ()
    owner = owner_reference(collection)
    if owner is not None and collection.owner is not None:
        return ((collection.owner, owner.target(system)),)
    if collection.part_of is not None:
        pointer = part_of_reference(datamap, system, collection)
        if pointer is None:
            return ()
        full = (
            collection.part_of
            if collection.part_of.count(".") == 2
            else f"{system}.{collection.part_of}"
        )
        return ((pointer.target(system).rpartition(".")[2], full),)
    return tuple((side, ref.target(system)) for side, ref in side_references(collection))


def part_of_reference(
    datamap: DataMap, system: str, collection: CollectionSpec
) -> Reference | None:
    """The one reference of the ``part_of`` field, when it points at ``collection``."""
    if collection.part_of is None:
        return None
    dotted = (
        collection.part_of
        if collection.part_of.count(".") == 2
        else f"{system}.{collection.part_of}"
    )
    where, _, name = dotted.rpartition(".")
    found = datamap.resolve(where)
    field = found[1].field(name) if found is not None else None
    if field is None or len(field.references) != 1:
        return None
    reference = field.references[0]
    home = found[0].name if found is not None else system
    target = reference.target(home).rpartition(".")[0]
    return reference if target == f"{system}.{collection.name}" else None


def check_ownership(datamap: DataMap) -> list[Issue]:
    """Every incoherent owner, relation or ``personal: false`` declaration, with its line."""
    issues: list[Issue] = []

    def report(path: Path, readable: str, message: str) -> None:
        issues.append(Issue(datamap.locate(path, readable), message))

    for i, system in enumerate(datamap.systems):
        for j, collection in enumerate(system.collections):
            path: Path = ("systems", i, "collections", j)
            where = f"{system.name}.{collection.name}"
            if not collection.personal:
                _check_not_personal(datamap, system, collection, path, report)
                continue
            if collection.owner is not None and collection.relation:
                report(
                    (*path, "relation"),
                    f"{where}: relation",
                    "a collection has an owner or is a relation, not both",
                )
            if collection.owner is not None:
                _check_owner(datamap, system, collection, path, report)
            if collection.relation:
                _check_relation(datamap, system, collection, path, report)
            if collection.part_of is not None:
                _check_part_of(datamap, system, collection, path, report)
    return issues


def _check_part_of(
    datamap: DataMap, system: SystemSpec, collection: CollectionSpec, path: Path, report: Report
) -> None:
    where = f"{system.name}.{collection.name}: part_of"
    if collection.owner is not None or collection.relation:
        report((*path, "part_of"), where, "part_of, owner and relation exclude each other")
    if part_of_reference(datamap, system.name, collection) is None:
        report(
            (*path, "part_of"),
            where,
            f"{collection.part_of} must be a field with one reference to {collection.name}",
        )


def _check_owner(
    datamap: DataMap, system: SystemSpec, collection: CollectionSpec, path: Path, report: Report
) -> None:
    where = f"{system.name}.{collection.name}: owner"
    assert collection.owner is not None
    field = collection.field(collection.owner)
    if field is None:
        report((*path, "owner"), where, f"owner names unknown field {collection.owner!r}")
        return
    _check_walked(
        datamap, system, where, collection.owner, field.references, (*path, "owner"), report
    )


def _check_relation(
    datamap: DataMap, system: SystemSpec, collection: CollectionSpec, path: Path, report: Report
) -> None:
    where = f"{system.name}.{collection.name}: relation"
    sides = collection.relation
    if len(set(sides)) < 2:
        report((*path, "relation"), where, "a relation names at least two different side fields")
    for k, name in enumerate(sides):
        field = collection.field(name)
        at = (*path, "relation", k)
        if field is None:
            report(at, where, f"relation names unknown field {name!r}")
            continue
        _check_walked(datamap, system, where, name, field.references, at, report)


def _check_walked(
    datamap: DataMap,
    system: SystemSpec,
    where: str,
    name: str,
    references: tuple[Reference, ...],
    at: Path,
    report: Report,
) -> None:
    """An owner or side field needs exactly one reference, walkable from a personal parent."""
    if len(references) != 1:
        report(
            at, where, f"{name} must reference exactly one collection (it has {len(references)})"
        )
        return
    reference = references[0]
    if reference.direction is ReferenceDirection.TO:
        report(at, where, f"{name} is walked from what it references; direction: to forbids that")
    parent = datamap.resolve(reference.target(system.name).rpartition(".")[0])
    if parent is not None and not parent[1].personal:
        report(
            at,
            where,
            f"{name} references {reference.field}, which is personal: false; "
            "rows are never owned through a catalogue",
        )


def _check_not_personal(
    datamap: DataMap, system: SystemSpec, collection: CollectionSpec, path: Path, report: Report
) -> None:
    where = f"{system.name}.{collection.name}: personal"
    clashes = [
        ("owner", collection.owner is not None),
        ("relation", bool(collection.relation)),
        ("part_of", collection.part_of is not None),
        ("max_rows_per_person", collection.max_rows_per_person is not None),
        ("erase", collection.erases),
        ("binding", collection.binding is not None),
        ("keep_for", collection.keep_for is not None),
        ("identity", any(f.identity for f in collection.fields)),
        ("retention", bool(datamap.retention_for(system.name, collection.name))),
    ]
    for key, present in clashes:
        if present:
            report(
                (*path, "personal"),
                where,
                f"personal: false means the rows are nobody's; it cannot have {key}",
            )

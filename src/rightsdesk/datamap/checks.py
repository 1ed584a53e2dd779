"""Cross-element checks on a parsed data map: names, references, keys, retention, FK order."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rightsdesk.connectors.registry import kinds
from rightsdesk.datamap.model import (
    CollectionSpec,
    DataMap,
    FieldSpec,
    RetentionRule,
    SystemSpec,
)
from rightsdesk.datamap.ownership import check_ownership
from rightsdesk.datamap.rights_checks import check_rights
from rightsdesk.datamap.taxonomy import check_category
from rightsdesk.domain.errors import Issue
from rightsdesk.masking.fitting import type_problem

Path = tuple[str | int, ...]


def check(datamap: DataMap, raw: Any = None) -> list[Issue]:
    """Every semantic problem in ``datamap``, each located in its source file."""
    issues: list[Issue] = []

    def report(path: Path, readable: str, message: str) -> None:
        issues.append(Issue(datamap.locate(path, readable), message))

    if not datamap.systems:
        report(("systems",), "systems", "declares no system")
    _duplicates([s.name for s in datamap.systems], ("systems",), "system", report)
    for i, system in enumerate(datamap.systems):
        _duplicates(
            [c.name for c in system.collections],
            ("systems", i, "collections"),
            f"collection in {system.name}",
            report,
        )
        if not system.collections:
            report(("systems", i), system.name, "declares no collection")
        if system.kind not in kinds():  # else only the first run would say so
            known = ", ".join(sorted(kinds()))
            report(
                ("systems", i, "kind"),
                f"{system.name}.kind",
                f"unknown kind {system.kind!r}; known: {known}",
            )
        for j, collection in enumerate(system.collections):
            _check_collection(datamap, system, collection, ("systems", i, "collections", j), report)
    for r, rule in enumerate(datamap.retention):
        _check_retention(datamap, rule, ("retention", r), report)
    issues += check_rights(datamap)
    issues += check_ownership(datamap)
    if not any(f.identity for _, c in datamap.collections() for f in c.fields):
        report(("systems",), "systems", "no field is marked as an identity; nothing can be found")
    return issues


def _duplicates(names: list[str], path: Path, what: str, report: Any) -> None:
    for name, count in Counter(names).items():
        if count > 1:
            report(path, name, f"{what} {name!r} is declared {count} times")


def _check_collection(
    datamap: DataMap, system: SystemSpec, collection: CollectionSpec, path: Path, report: Any
) -> None:
    where = f"{system.name}.{collection.name}"
    _duplicates([f.name for f in collection.fields], (*path, "fields"), f"field in {where}", report)
    if not collection.fields:
        report(path, where, "declares no field")
    keys = [f.name for f in collection.fields if f.primary_key]
    if len(keys) > 1:
        report(path, where, f"composite primary keys are not supported yet ({', '.join(keys)})")
    _check_keyless_and_copies(collection, bool(keys), path, where, report)
    if collection.erase is not None and not collection.erase.deletes_row:
        report(
            (*path, "erase"),
            where,
            "collection-level erase must be delete_row; put masking on fields",
        )
    for k, field in enumerate(collection.fields):
        fpath, fname = (*path, "fields", k), f"{where}.{field.name}"
        for c, category in enumerate(field.categories):
            problem = check_category(category)
            if problem:
                report((*fpath, "categories", c), fname, problem)
        if field.read_only and field.erase is not None:
            report((*fpath, "erase"), fname, "a read_only field cannot have an erase action")
        if field.primary_key and field.erase is not None and not field.erase.deletes_row:
            report((*fpath, "erase"), fname, "a primary key cannot be masked; use delete_row")
        _check_content(collection, field, fpath, fname, report)
        for r, ref in enumerate(field.references):
            _check_reference(
                datamap,
                system,
                collection,
                field.name,
                ref.field,
                (*fpath, "references", r),
                report,
            )


def _check_content(
    collection: CollectionSpec, field: FieldSpec, fpath: Path, fname: str, report: Any
) -> None:
    """What a field's content and type allow: payloads are not rewritten, types are kept."""
    if field.payload and (collection.owner or collection.relation):
        report(
            fpath,
            fname,
            "rows found by what their payload names belong to no owner: payload is for "
            "collections without owner or relation",
        )
    if field.contains and collection.relation:
        report(fpath, fname, "contains is for collections without relation")
    if field.payload and field.erase is not None and not field.erase.deletes_row:
        report(
            (*fpath, "erase"),
            fname,
            "a payload is signed by its application and cannot be rewritten; "
            "use erase: delete_row on the collection",
        )
    if field.erase is not None and field.type is not None:
        problem = type_problem(field.erase, field.type)
        if problem:
            report((*fpath, "erase"), fname, problem)


def _check_keyless_and_copies(
    collection: CollectionSpec, keyed: bool, path: Path, where: str, report: Any
) -> None:
    finders = [
        f
        for f in collection.fields
        if f.identity is not None or f.references or f.payload or f.contains
    ]
    if collection.erases and not keyed and not finders:
        # without a primary key, rows are erased by the columns they are found by
        report(
            path,
            where,
            "has erasure actions but no field with primary_key: true, identity or references "
            "to find its rows by",
        )
    if collection.copies and not any(f.identity for f in collection.fields):
        report(path, where, "copies: true needs an identity field its rows are found by")
    if collection.copies and (collection.owner or collection.relation):
        report(path, where, "copies: true rows have no owner; drop owner/relation or copies")
    if collection.where and not collection.copies:
        report(path, where, "where: applies to copies: true collections only")
    for column in collection.where:
        if collection.field(column) is None:
            report(path, where, f"where: {column!r} is not a field of the collection")


def _check_reference(
    datamap: DataMap,
    system: SystemSpec,
    collection: CollectionSpec,
    field: str,
    target: str,
    path: Path,
    report: Any,
) -> None:
    parts = target.split(".")
    system_name, coll_name, field_name = parts if len(parts) == 3 else (system.name, *parts)
    found = datamap.resolve(f"{system_name}.{coll_name}")
    here = f"{system.name}.{collection.name}.{field}"
    if found is None:
        report(path, here, f"references unknown collection {system_name}.{coll_name}")
        return
    referenced = found[1]
    if referenced.field(field_name) is None:
        report(path, here, f"references unknown field {field_name!r} of {system_name}.{coll_name}")
        return
    child_field = collection.field(field)
    same_system = system_name == system.name
    if same_system and referenced.deletes_rows and not collection.deletes_rows:
        masked = child_field is not None and child_field.erase is not None
        if not masked:
            report(
                path,
                here,
                f"references {target} whose rows are erased with delete_row; "
                "delete these rows too (erase: delete_row) or erase this field (set_null)",
            )


def _check_retention(datamap: DataMap, rule: RetentionRule, path: Path, report: Any) -> None:
    found = datamap.resolve(rule.collection)
    if found is None:
        report((*path, "collection"), rule.name, f"unknown collection {rule.collection!r}")
        return
    collection = found[1]
    names = {f.name for f in collection.fields}
    wanted = [
        ("from", rule.start),
        *(("where", w) for w in rule.where),
        *(("fields", f) for f in rule.fields or ()),
    ]
    for key, name in wanted:
        if name not in names:
            report((*path, key), rule.name, f"{rule.collection} has no mapped field {name!r}")

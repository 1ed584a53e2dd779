"""Drift between a data map and its live databases: unmapped personal data, gone columns/links."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

from rightsdesk.connectors.base import Discoverable
from rightsdesk.datamap.model import CollectionSpec, DataMap, FieldSpec, SystemSpec
from rightsdesk.discovery.detectors.classify import ColumnFinding
from rightsdesk.discovery.drafting.people import CATEGORY_MIN
from rightsdesk.discovery.drafting.references import OVERLAP_MIN
from rightsdesk.discovery.sample import classify_all, discoverable, open_store, value_overlap
from rightsdesk.domain.schema import SchemaInfo, TableInfo

DriftKind = Literal[
    "unmapped_table", "unmapped_column", "missing_table", "missing_column", "reference_gone"
]
Severity = Literal["error", "warning"]
Column = tuple[str, str]

#: Least score (name similarity, plus 0.3 when the values hold the same category) for a rename.
RENAME_MIN = 0.6


@dataclass(frozen=True)
class Drift:
    """One difference between the map and the live schema, at ``table`` or ``table.column``."""

    kind: DriftKind
    system: str
    where: str
    message: str
    severity: Severity


def diff(datamap: DataMap, *, sample: int = 500) -> list[Drift]:
    """Every drift between each system of ``datamap`` that discovery can read and its live store."""
    drifts: list[Drift] = []
    schemas: dict[str, SchemaInfo] = {}
    for system in datamap.systems:
        if discoverable(system.kind):
            schemas[system.name], found = _system_drift(system, sample)
            drifts += found
    for system in datamap.systems:
        if system.name in schemas:
            drifts += _targets_gone(system, schemas)
    return drifts


def _system_drift(system: SystemSpec, sample: int) -> tuple[SchemaInfo, list[Drift]]:
    """One system's live schema and its drift, except references into other systems."""
    mapped = {(c.name, f.name) for c in system.collections for f in c.fields}
    store = open_store(system.name, system.url, kind=system.kind, schema=system.schema_)
    try:
        info = store.describe()
        findings = classify_all(store, info, rows=sample, include=lambda t, c: (t, c) not in mapped)
        drifts = _missing(system, info, findings) + _unmapped(system, info, findings)
        return info, drifts + _unbacked(store, system, info, sample)
    finally:
        store.close()


def _missing(
    system: SystemSpec, info: SchemaInfo, findings: dict[Column, ColumnFinding]
) -> list[Drift]:
    """Mapped tables and columns the database no longer has, with the likely rename."""
    drifts = []
    mapped_tables = {c.name for c in system.collections}
    for collection in system.collections:
        table = info.tables.get(collection.name)
        if table is None:
            others = [t for n, t in info.tables.items() if n not in mapped_tables]
            message = f"table {collection.name!r} no longer exists"
            message += _table_rename(collection, others)
            drifts.append(Drift("missing_table", system.name, collection.name, message, "error"))
            continue
        mapped = {f.name for f in collection.fields}
        spare = [c for c in table.columns if c not in mapped]
        for field in collection.fields:
            if field.name in table.columns:
                continue
            where = f"{collection.name}.{field.name}"
            message = f"column {field.name!r} no longer exists in {collection.name!r}"
            message += _column_rename(field, table.name, spare, findings)
            drifts.append(Drift("missing_column", system.name, where, message, "error"))
    return drifts


def _column_rename(
    field: FieldSpec, table: str, spare: list[str], findings: dict[Column, ColumnFinding]
) -> str:
    best, best_score, best_why = "", 0.0, ""
    for column in spare:
        score = difflib.SequenceMatcher(None, field.name.lower(), column.lower()).ratio()
        why = f"name similarity {score:.2f}"
        kind = (finding := findings.get((table, column))) and finding.best
        if kind and any(
            kind.category.startswith(c) or c.startswith(kind.category) for c in field.categories
        ):
            score += 0.3
            why += f"; its values hold {kind.category} like the mapped field"
        if score > best_score:
            best, best_score, best_why = column, score, why
    if best_score < RENAME_MIN:
        return ""
    return f"; renamed to {best!r}? ({best_why})"


def _table_rename(collection: CollectionSpec, tables: list[TableInfo]) -> str:
    best, best_score = "", 0.0
    fields = {f.name for f in collection.fields}
    for table in tables:
        name = difflib.SequenceMatcher(None, collection.name, table.name).ratio()
        shared = len(fields & set(table.columns)) / len(fields) if fields else 0.0
        score = 0.5 * name + 0.5 * shared
        if score > best_score:
            best, best_score = table.name, score
    if best_score < RENAME_MIN:
        return ""
    return f"; renamed to {best!r}? (similar name, {best_score:.2f} of name and columns match)"


def _unmapped(
    system: SystemSpec, info: SchemaInfo, findings: dict[Column, ColumnFinding]
) -> list[Drift]:
    """Columns holding personal data that the map does not list, grouped per unmapped table."""
    drifts = []
    mapped_tables = {c.name for c in system.collections}
    new_tables: dict[str, list[str]] = {}
    for (table, column), finding in findings.items():
        best = finding.best
        if best is None or (best.confidence < CATEGORY_MIN and not finding.secret):
            continue
        what = f"{column} ({best.category}: {best.evidence})"
        if table not in mapped_tables:
            new_tables.setdefault(table, []).append(what)
            continue
        message = f"column {column!r} holds personal data but is not in the map: {what}"
        where = f"{table}.{column}"
        drifts.append(Drift("unmapped_column", system.name, where, message, "warning"))
    for table in (t for t in info.tables if t in new_tables):
        message = f"table {table!r} holds personal data but is not in the map: "
        message += "; ".join(new_tables[table])
        drifts.append(Drift("unmapped_table", system.name, table, message, "warning"))
    return drifts


def _unbacked(store: Discoverable, system: SystemSpec, info: SchemaInfo, rows: int) -> list[Drift]:
    """Same-system references with no foreign key whose values no longer match their target."""
    drifts = []
    for collection in system.collections:
        table = info.tables.get(collection.name)
        for field in collection.fields:
            if table is None or field.name not in table.columns:
                continue
            for ref in field.references:
                target = _target(system, ref.field)
                if target[0] != system.name or not _exists(info, target[1:]):
                    continue
                if any(fk.columns == (field.name,) for fk in table.foreign_keys):
                    continue
                child = (collection.name, field.name)
                hits, sampled = value_overlap(store, child, target[1:], rows=rows)
                if sampled and hits / sampled < OVERLAP_MIN:
                    where = f"{collection.name}.{field.name}"
                    message = (
                        f"reference to {ref.field} has no foreign key and only "
                        f"{hits}/{sampled} sampled values exist there"
                    )
                    drifts.append(Drift("reference_gone", system.name, where, message, "error"))
    return drifts


def _targets_gone(system: SystemSpec, schemas: dict[str, SchemaInfo]) -> list[Drift]:
    """References whose target table or column no longer exists."""
    drifts = []
    for collection in system.collections:
        if collection.name not in schemas[system.name].tables:
            continue  # reported as a missing table already
        for field in collection.fields:
            for ref in field.references:
                target = _target(system, ref.field)
                schema = schemas.get(target[0])
                if schema is None or _exists(schema, target[1:]):
                    continue
                where = f"{collection.name}.{field.name}"
                message = f"references {ref.field}, which no longer exists"
                drifts.append(Drift("reference_gone", system.name, where, message, "error"))
    return drifts


def _target(system: SystemSpec, dotted: str) -> tuple[str, str, str]:
    parts = dotted.split(".")
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else (system.name, parts[0], parts[1])


def _exists(info: SchemaInfo, column: tuple[str, str]) -> bool:
    table = info.tables.get(column[0])
    return table is not None and column[1] in table.columns

"""Corrections: find every copy of a field the data map knows of, and set the new value there."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from rightsdesk.connectors.base import Change, Row, UpdateWhere
from rightsdesk.datamap.model import DataMap
from rightsdesk.domain.errors import PlanError
from rightsdesk.engine.plan import Plan
from rightsdesk.engine.traversal import Owners


class Corrected(TypedDict):
    """What a correction changed in one collection: rows updated, and which fields."""

    updated: int
    fields: list[str]


#: collection -> what the correction changed there (only collections it had fields for).
CorrectionReport = dict[str, Corrected]


@dataclass(frozen=True, order=True)
class Copy:
    """One place a field is stored: ``system.collection.field``."""

    system: str
    collection: str
    field: str

    def __str__(self) -> str:
        return f"{self.system}.{self.collection}.{self.field}"


def copies(datamap: DataMap, selector: str) -> list[Copy]:
    """Every mapped field that ``selector`` names: a field name, an identity kind, a category.

    ``system.collection.field`` names exactly one field. A bare name matches every field of
    that name or identity kind; a dotted category (``user.contact.phone_number``) every field
    carrying it.
    """
    found: list[Copy] = []
    for system, collection in datamap.collections():
        for field in collection.fields:
            exact = selector == f"{system.name}.{collection.name}.{field.name}"
            named = "." not in selector and selector in (field.name, field.identity)
            if exact or named or selector in field.categories:
                found.append(Copy(system.name, collection.name, field.name))
    return sorted(found)


def build(
    datamap: DataMap,
    plan: Plan,
    collected: Mapping[str, Mapping[Any, tuple[Row, Owners]]],
    values: Mapping[Copy, Any],
) -> tuple[dict[str, list[Change]], CorrectionReport]:
    """One set-based UPDATE per collection holding the person's rows; and what it changes."""
    wanted: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)
    for copy, value in values.items():
        wanted[(copy.system, copy.collection)][copy.field] = value
    changes: dict[str, list[Change]] = defaultdict(list)
    report: CorrectionReport = {}
    for step in plan.steps:
        fields = wanted.get((step.system, step.collection))
        rows = collected.get(step.name, {})
        if not fields:
            continue
        report[step.name] = Corrected(updated=len(rows), fields=sorted(fields))
        if not rows:
            continue
        if step.primary_key is None:
            raise PlanError(f"{step.name} has no primary key; its rows cannot be corrected")
        found = datamap.resolve(step.name)
        assert found is not None
        changes[step.system].append(
            UpdateWhere(step.collection, step.primary_key, list(rows), dict(fields))
        )
    return dict(changes), report

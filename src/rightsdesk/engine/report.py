"""What a run did, as JSON and as statements: per collection outcomes and the changes in words."""

from __future__ import annotations

from typing import Any

from rightsdesk.connectors.base import Change, DeleteOlder, DeleteWhere, UpdateRows
from rightsdesk.engine import erasure
from rightsdesk.engine.plan import Plan


def report_json(report: dict[str, erasure.Outcome], plan: Plan) -> dict[str, Any]:
    """Every collection of the plan, in plan order: "we looked here and found nothing" counts."""
    return {
        step.name: _outcome_json(report.get(step.name) or erasure.Outcome()) for step in plan.steps
    }


def _outcome_json(o: erasure.Outcome) -> dict[str, Any]:
    found = _outcome_fields(o)
    if o.held:  # left as they are: a part of the request refused on a ground
        fields = None if o.held_fields is None else sorted(o.held_fields)
        found |= {"held": o.held, "held_fields": fields}
    return found | {"unmasked": dict(sorted(o.unmasked.items()))} if o.unmasked else found


def _outcome_fields(o: erasure.Outcome) -> dict[str, Any]:
    if not o.retained:
        fields = sorted(o.masked_fields) if o.masked_fields else []
        return {
            "found": o.found,
            "deleted": o.deleted,
            "masked": o.masked,
            "masked_fields": fields,
            "retained": [],
        }
    return {
        "found": o.found,
        "deleted": o.deleted,
        "masked": o.masked,
        "masked_fields": sorted(o.masked_fields),
        "retained": [
            vars(r) | {"kept_fields": list(r.kept_fields) if r.kept_fields else None}
            for r in o.retained.values()
        ],
    }


def describe(changes: dict[str, list[Change]]) -> list[str]:
    lines = []
    for system, items in changes.items():
        for change in items:
            if isinstance(change, DeleteOlder):
                lines.append(
                    f"{system}: DELETE FROM {change.collection} "
                    f"WHERE {change.column} < {change.before}"
                )
            elif isinstance(change, DeleteWhere):
                lines.append(
                    f"{system}: DELETE FROM {change.collection} "
                    f"WHERE {_key_text(change.key)} IN ({len(change.keys)} keys)"
                )
            elif isinstance(change, UpdateRows):
                lines.append(
                    f"{system}: UPDATE {change.collection} SET {', '.join(change.columns)} "
                    f"per row ({len(change.rows)} rows)"
                )
            else:
                lines.append(
                    f"{system}: UPDATE {change.collection} SET {', '.join(change.values)} "
                    f"WHERE {_key_text(change.key)} IN ({len(change.keys)} keys)"
                )
    return lines


def _key_text(key: str | tuple[str, ...]) -> str:
    return key if isinstance(key, str) else f"({', '.join(key)})"

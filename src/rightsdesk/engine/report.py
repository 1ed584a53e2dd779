"""What a run did, as JSON and as statements: per collection outcomes and the changes in words."""

from __future__ import annotations

from typing import NotRequired, TypedDict

from rightsdesk.connectors.base import Change, DeleteOlder, DeleteWhere, UpdateRows
from rightsdesk.domain.outcome import KeptRows
from rightsdesk.engine import erasure
from rightsdesk.engine.plan import Plan


class CollectionReport(TypedDict):
    """What an erasure did to one person's rows in one collection: checkpointed, stored in the
    run's summary and signed into the receipt as this JSON."""

    found: int
    deleted: int
    masked: int
    masked_fields: list[str]
    retained: list[KeptRows]
    #: Rows left as they are because a refused part holds the place (and which fields).
    held: NotRequired[int]
    held_fields: NotRequired[list[str] | None]
    #: Fields the schema forbids masking, and why.
    unmasked: NotRequired[dict[str, str]]


#: One person's erasure: collection -> what was done there, every collection of the plan.
ErasureReport = dict[str, CollectionReport]


def report_json(report: dict[str, erasure.Outcome], plan: Plan) -> ErasureReport:
    """Every collection of the plan, in plan order: "we looked here and found nothing" counts."""
    return {
        step.name: _outcome_json(report.get(step.name) or erasure.Outcome()) for step in plan.steps
    }


def _outcome_json(o: erasure.Outcome) -> CollectionReport:
    found = CollectionReport(
        found=o.found,
        deleted=o.deleted,
        masked=o.masked,
        masked_fields=sorted(o.masked_fields),
        retained=[_retained(r) for r in o.retained.values()],
    )
    if o.held:  # left as they are: a part of the request refused on a ground
        found["held"] = o.held
        found["held_fields"] = None if o.held_fields is None else sorted(o.held_fields)
    if o.unmasked:
        found["unmasked"] = dict(sorted(o.unmasked.items()))
    return found


def _retained(r: erasure.Retained) -> KeptRows:
    return KeptRows(
        rule=r.rule,
        basis=r.basis,
        until=r.until,
        rows=r.rows,
        kept_fields=list(r.kept_fields) if r.kept_fields else None,
        sealed=r.sealed,
    )


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

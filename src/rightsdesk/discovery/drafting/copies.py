"""Copies of personal values: a column whose values are mostly those of a column already found to
hold usernames, emails, phone numbers or external ids holds the same kind of data, whatever its
name says (a log's ``object_repr`` holding usernames, say).

Bounded: up to ``COPY_SAMPLE`` distinct values of each candidate column are read once, and each
source column is probed with them (``Discoverable.count_present``, one ``IN`` query per 500 values).
"""

from __future__ import annotations

from rightsdesk.connectors.base import Discoverable
from rightsdesk.discovery.detectors.classify import ColumnFinding
from rightsdesk.discovery.drafting.proposal import Column, Link, Proposal
from rightsdesk.domain.schema import SchemaInfo

#: Categories whose values identify one person, so that an equal value elsewhere is a copy.
COPY_CATEGORIES = (
    "user.account.username",
    "user.contact.email",
    "user.contact.phone_number",
    "user.unique_id",
)
#: Least share of a candidate's distinct sampled values found in the source, and least count.
COPY_MIN = 0.5
COPY_LEAST = 2
#: Distinct values of a candidate column sampled, at most.
COPY_SAMPLE = 500


def copy_proposals(
    store: Discoverable,
    info: SchemaInfo,
    findings: dict[Column, ColumnFinding],
    categories: dict[Column, Proposal],
    links: list[Link],
    *,
    rows: int,
) -> dict[Column, Proposal]:
    """Unclassified text columns whose values copy a personal source column's, as its category."""
    from rightsdesk.discovery.drafting.proposal import Proposal

    def text(column: Column) -> bool:
        return info.tables[column[0]].columns[column[1]].python_type == "str"

    sources = {
        c: p
        for c, p in categories.items()
        if p.value in COPY_CATEGORIES and text(c) and not findings[c].free_text
    }
    keys = {lk.child for lk in links} | {lk.parent for lk in links}
    found = {}
    for column, finding in findings.items():
        table = info.tables[column[0]]
        if (
            column in categories
            or column in keys
            or column[1] in table.primary_key
            or finding.free_text
            or finding.secret
            or not finding.checked
            or not text(column)
        ):
            continue
        values = store.sample(*column, min(rows, COPY_SAMPLE), distinct=True)
        values = [v for v in values if isinstance(v, str) and v.strip()]
        best: tuple[float, int, Column] | None = None
        for source in sources:
            if not values or source == column:
                continue
            hits = store.count_present(*source, values)
            share = hits / len(values)
            if hits >= COPY_LEAST and share >= COPY_MIN and (best is None or share > best[0]):
                best = (share, hits, source)
        if best is None:
            continue
        share, hits, source = best
        origin = sources[source]
        why = (
            f"values match {origin.target} ({hits} of {len(values)} distinct sampled values), "
            f"which holds {origin.value}: a copy of it"
        )
        confidence = round(min(share, origin.confidence), 3)
        found[column] = Proposal(
            "category", f"{column[0]}.{column[1]}", origin.value, confidence, why, True
        )
    return found

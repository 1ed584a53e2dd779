"""Who the people are: identity fields, the people table's key, and categories of personal data."""

from __future__ import annotations

from collections import Counter

from rightsdesk.discovery.detectors.classify import ColumnFinding, KindScore
from rightsdesk.discovery.drafting.proposal import Column, Link, Proposal
from rightsdesk.discovery.drafting.proposal import dotted as _dotted
from rightsdesk.domain.schema import SchemaInfo

#: Least classifier confidence for proposing a category, and for an email/phone identity.
CATEGORY_MIN = 0.35
IDENTITY_MIN = 0.5
IDENTITY_KINDS = ("email", "phone")
#: Kinds proposed as identities only when the column's values are unique (declared or sampled).
UNIQUE_IDENTITY_KINDS = ("username",)


def identity_proposals(
    findings: dict[Column, ColumnFinding], info: SchemaInfo | None = None
) -> dict[Column, Proposal]:
    """Email and phone columns (structured, confident) as identity fields, and username columns
    whose values are unique (declared unique in ``info``, or all distinct in the sample)."""
    found = {}
    for column, finding in findings.items():
        best = finding.best
        if finding.free_text or best is None or best.confidence < IDENTITY_MIN:
            continue
        evidence = best.evidence
        if best.detector in UNIQUE_IDENTITY_KINDS:
            unique = _uniqueness(info, column, finding)
            if unique is None:
                continue
            evidence = f"{evidence}; {unique}"
        elif best.detector not in IDENTITY_KINDS:
            continue
        found[column] = Proposal(
            "identity", _dotted(column), best.detector, best.confidence, evidence, True
        )
    return found


def _uniqueness(info: SchemaInfo | None, column: Column, finding: ColumnFinding) -> str | None:
    """Why the column's values tell people apart, or None when they may not."""
    table = info.tables.get(column[0]) if info is not None else None
    if table is not None and column[1] in table.columns and table.columns[column[1]].unique:
        return "declared unique"
    if finding.checked >= 2 and finding.distinct == finding.checked:
        return f"all {finding.checked} sampled values distinct"
    return None


def category_proposals(findings: dict[Column, ColumnFinding]) -> dict[Column, Proposal]:
    """The best kind of every column the classifier is confident about (secrets always)."""
    found = {}
    for column, finding in findings.items():
        kind = _category_kind(finding)
        if kind is None:
            continue
        category = "user.content" if finding.free_text else kind.category
        evidence = kind.evidence
        if finding.free_text:
            evidence = f"free text; {evidence}"
        found[column] = Proposal(
            "category", _dotted(column), category, kind.confidence, evidence, True
        )
    return found


def _category_kind(finding: ColumnFinding) -> KindScore | None:
    if finding.secret:
        return next(k for k in finding.kinds if k.category.startswith("user.authorization"))
    best = finding.best
    return best if best is not None and best.confidence >= CATEGORY_MIN else None


def user_table(
    info: SchemaInfo, identities: dict[Column, Proposal], links: list[Link]
) -> Proposal | None:
    """The primary key of the table most referenced by others among those holding an identity."""
    incoming = Counter(link.parent[0] for link in links if link.child[0] != link.parent[0])
    holders = {t for t, _ in identities} or set(info.tables)
    keyed = [t for t in sorted(holders) if len(info.tables[t].primary_key) == 1]
    if not keyed:
        return None
    kinds = Counter(t for t, _ in identities)
    table = max(keyed, key=lambda t: (incoming[t], kinds[t]))
    key = (table, info.tables[table].primary_key[0])
    held = ", ".join(sorted({p.value for (t, _), p in identities.items() if t == table}))
    if held:
        why = f"primary key of {table}, which holds {held} and is referenced by"
        confidence = 0.9 if incoming[table] else 0.6
    else:
        why = f"no email or phone found; {table} is referenced by"
        confidence = 0.3
    why += f" {incoming[table]} other table(s)"
    return Proposal("identity", _dotted(key), "user_id", confidence, why, True)

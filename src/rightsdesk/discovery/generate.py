"""Draft a data map from a live database: keys, references, identities, categories."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa

from rightsdesk.discovery.classify import ColumnFinding, KindScore
from rightsdesk.discovery.render import Plan, deleted_tables, keyed, render
from rightsdesk.discovery.sample import classify_all, describe, engine_for, value_overlap
from rightsdesk.domain.schema import ColumnInfo, SchemaInfo, TableInfo

Kind = Literal["category", "identity", "reference", "primary_key"]
Column = tuple[str, str]

#: Least classifier confidence for proposing a category, and for an email/phone identity.
CATEGORY_MIN = 0.35
IDENTITY_MIN = 0.5
#: Least share of sampled child values found in the parent for an inferred reference.
OVERLAP_MIN = 0.9
IDENTITY_KINDS = ("email", "phone")
#: Table names a ``<stem>_id`` column may point at, besides the stem and its plurals.
PERSON_TABLES = ("users", "accounts", "customers", "members", "people", "persons")
_PERSON_STEMS = frozenset({"user", "account", "customer", "member", "person", "owner"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


@dataclass(frozen=True)
class Proposal:
    """One thing the draft asserts about ``target`` (``table.column``), with how sure and why."""

    kind: Kind
    target: str
    value: str
    confidence: float
    evidence: str
    inferred: bool

    def comment(self) -> str:
        """The YAML comment a reviewer reads next to the field."""
        how = "inferred " if self.inferred else ""
        why = f"confidence {self.confidence:.2f}: {self.evidence}"
        value = f" {self.value}" if self.value else ""
        return f"# proposed: {how}{self.kind}{value} ({why})"


@dataclass(frozen=True)
class Draft:
    """A data map that loads as is, plus every proposal in it for review."""

    yaml_text: str
    proposals: tuple[Proposal, ...]


@dataclass(frozen=True)
class Link:
    """A single-column reference from ``child`` to ``parent``, declared or inferred."""

    child: Column
    parent: Column
    proposal: Proposal


def generate(url: str, *, system: str, schema: str | None = None, sample: int = 1000) -> Draft:
    """Reflect and sample the database at ``url`` into a reviewed-draft data map for ``system``."""
    if not _NAME.fullmatch(system):
        raise ValueError(f"system name {system!r} must be letters, digits and underscores")
    engine = engine_for(url, schema)
    try:
        with engine.connect() as conn:
            info = describe(conn, schema)
            findings = classify_all(conn, info, schema=schema, rows=sample)
            links = declared_links(info) + inferred_links(conn, info, schema=schema, rows=sample)
    finally:
        engine.dispose()
    return draft(system, map_url(url, schema), info, findings, links)


def map_url(url: str, schema: str | None) -> str:
    """The URL written into the map: no password, PostgreSQL search_path set to ``schema``."""
    parsed = engine_for(url, schema).url.set(password=None)
    return parsed.render_as_string(hide_password=False)


def declared_links(info: SchemaInfo) -> list[Link]:
    """Every single-column foreign key the database declares."""
    links = []
    for table in info.tables.values():
        for fk in table.foreign_keys:
            if len(fk.columns) != 1 or fk.referred_table not in info.tables:
                continue
            child, parent = (table.name, fk.columns[0]), (fk.referred_table, fk.referred_columns[0])
            why = f"declared foreign key {_dotted(child)} -> {_dotted(parent)}"
            proposal = Proposal("reference", _dotted(child), _dotted(parent), 1.0, why, False)
            links.append(Link(child, parent, proposal))
    return links


def inferred_links(
    conn: sa.Connection, info: SchemaInfo, *, schema: str | None, rows: int
) -> list[Link]:
    """References from ``<table>_id`` columns without a foreign key, confirmed by value overlap."""
    links = []
    for table in info.tables.values():
        keyed = {c for fk in table.foreign_keys for c in fk.columns} | set(table.primary_key)
        for column in table.columns.values():
            if column.name in keyed or not column.name.lower().endswith("_id"):
                continue
            best = _best_target(conn, info, table, column, schema=schema, rows=rows)
            if best is not None:
                links.append(best)
    return links


def _best_target(
    conn: sa.Connection,
    info: SchemaInfo,
    table: TableInfo,
    column: ColumnInfo,
    *,
    schema: str | None,
    rows: int,
) -> Link | None:
    found: list[Link] = []
    for name, name_score in candidate_tables(column.name[:-3].lower()).items():
        parent = info.tables.get(name)
        if parent is None or parent.name == table.name or len(parent.primary_key) != 1:
            continue
        key = parent.columns[parent.primary_key[0]]
        if key.python_type != column.python_type:
            continue
        child, target = (table.name, column.name), (parent.name, key.name)
        hits, sampled = value_overlap(conn, child, target, schema=schema, rows=rows)
        if not sampled or hits / sampled < OVERLAP_MIN:
            continue
        confidence = round(0.5 * name_score + 0.5 * hits / sampled, 3)
        why = (
            f"column name {column.name!r} matches {_dotted(target)}; "
            f"{hits}/{sampled} sampled values exist there; no foreign key declared"
        )
        proposal = Proposal("reference", _dotted(child), _dotted(target), confidence, why, True)
        found.append(Link(child, target, proposal))
    return max(found, key=lambda link: link.proposal.confidence, default=None)


def candidate_tables(stem: str) -> dict[str, float]:
    """Tables a ``<stem>_id`` column may reference, each with how well the name fits (0..1)."""
    names = {stem: 1.0, f"{stem}s": 1.0, f"{stem}es": 0.9}
    if stem.endswith("y"):
        names[f"{stem[:-1]}ies"] = 1.0
    if stem in _PERSON_STEMS:
        names |= {t: 0.8 for t in PERSON_TABLES if t not in names}
    return names


def identity_proposals(findings: dict[Column, ColumnFinding]) -> dict[Column, Proposal]:
    """Email and phone columns (structured, confident) as identity fields."""
    found = {}
    for column, finding in findings.items():
        best = finding.best
        if finding.free_text or best is None or best.detector not in IDENTITY_KINDS:
            continue
        if best.confidence >= IDENTITY_MIN:
            found[column] = Proposal(
                "identity", _dotted(column), best.detector, best.confidence, best.evidence, True
            )
    return found


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


def draft(
    system: str,
    url: str,
    info: SchemaInfo,
    findings: dict[Column, ColumnFinding],
    links: list[Link],
) -> Draft:
    """Turn findings and references into a data map that passes the loader's checks."""
    findings = {c: f for c, f in findings.items() if _mappable(c)}
    links = [lk for lk in links if _mappable(lk.child) and _mappable(lk.parent)]
    identities = identity_proposals(findings)
    root = user_table(info, identities, links)
    if root is None:
        raise ValueError("no table has a single-column primary key; nothing can identify a person")
    root_key = (root.target.split(".")[0], root.target.split(".")[1])
    identities[root_key] = root
    categories = category_proposals(findings)
    categories.setdefault(
        root_key,
        Proposal(
            "category",
            root.target,
            "user.unique_id",
            root.confidence,
            "the key proposed as user_id",
            True,
        ),
    )
    personal = {t for t, _ in identities} | {t for t, _ in categories}
    mapped = _with_children(personal, links)
    kept = [lk for lk in links if lk.child[0] in mapped and lk.parent[0] in mapped]
    proposals: dict[Column, list[Proposal]] = {}
    for table in sorted(mapped):
        for key in info.tables[table].primary_key[:1] if keyed(info, table) else ():
            why = "declared primary key"
            proposals[(table, key)] = [
                Proposal("primary_key", f"{table}.{key}", "", 1.0, why, False)
            ]
    for column, proposal in [*identities.items(), *categories.items()]:
        proposals.setdefault(column, []).append(proposal)
    for link in kept:
        proposals.setdefault(link.child, []).append(link.proposal)
        proposals.setdefault(link.parent, [])
    dropped = [lk for lk in links if lk.child[0] in mapped and lk.parent[0] not in mapped]
    plan = Plan(info, proposals, kept, dropped, deleted_tables(info, root_key[0], personal, kept))
    every = [p for ps in proposals.values() for p in ps]
    every += [lk.proposal for lk in links if lk not in kept]
    return Draft(render(system, url, plan), tuple(every))


def _mappable(column: Column) -> bool:
    """Whether a data map can name this table and column (identifiers of up to 63 characters)."""
    return all(_NAME.fullmatch(part) for part in column)


def _with_children(tables: set[str], links: list[Link]) -> set[str]:
    """``tables`` plus every table whose rows point (transitively) into them."""
    mapped, grown = set(tables), True
    while grown:
        more = {lk.child[0] for lk in links if lk.parent[0] in mapped} - mapped
        mapped |= more
        grown = bool(more)
    return mapped


def _dotted(column: Column) -> str:
    return f"{column[0]}.{column[1]}"

"""References between columns: declared foreign keys, and ``<stem>_id`` columns or history
copies without one, confirmed by how many sampled values exist in the target."""

from __future__ import annotations

from rightsdesk.connectors.base import Discoverable
from rightsdesk.discovery.drafting.proposal import Link, Proposal
from rightsdesk.discovery.drafting.proposal import dotted as _dotted
from rightsdesk.discovery.sample import value_overlap
from rightsdesk.domain.schema import ColumnInfo, SchemaInfo, TableInfo

#: Least share of sampled child values found in the parent for an inferred reference.
OVERLAP_MIN = 0.9
#: Table names a ``<stem>_id`` column may point at, besides the stem and its plurals.
PERSON_TABLES = ("users", "accounts", "customers", "members", "people", "persons")
_PERSON_STEMS = frozenset(
    {"user", "account", "customer", "member", "person", "owner"}
    | {"author", "creator", "assignee", "sender", "recipient", "reporter"}
)


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


def inferred_links(store: Discoverable, info: SchemaInfo, *, rows: int) -> list[Link]:
    """References from ``<table>_id`` columns without a foreign key, confirmed by value overlap."""
    links = []
    for table in info.tables.values():
        keyed = {c for fk in table.foreign_keys for c in fk.columns} | set(table.primary_key)
        for column in table.columns.values():
            if column.name in keyed or not column.name.lower().endswith("_id"):
                continue
            best = _best_target(store, info, table, column, rows=rows)
            if best is not None:
                links.append(best)
    return links + copied_keys(store, info, rows=rows)


#: Least columns a table shares with another, besides its key, to be taken for its copy.
COPY_SHARED = 3


def copied_keys(store: Discoverable, info: SchemaInfo, *, rows: int) -> list[Link]:
    """A history or archive table (simple-history's ``historicaluser``) repeats another table's
    columns and its key as a plain column: that column references the original's key."""
    links = []
    for table in info.tables.values():
        keyed = {c for fk in table.foreign_keys for c in fk.columns} | set(table.primary_key)
        for parent in info.tables.values():
            if parent.name == table.name or len(parent.primary_key) != 1:
                continue
            key = parent.primary_key[0]
            shared = (set(table.columns) & set(parent.columns)) - {key}
            if key not in table.columns or key in keyed or len(shared) < COPY_SHARED:
                continue
            child, target = (table.name, key), (parent.name, key)
            hits, sampled = value_overlap(store, child, target, rows=rows)
            if not sampled or hits / sampled < OVERLAP_MIN:
                continue
            why = (
                f"{table.name} repeats {len(shared)} columns of {parent.name} and its key "
                f"{key!r} ({hits}/{sampled} sampled values exist there): a history copy"
            )
            proposal = Proposal("reference", _dotted(child), _dotted(target), 0.8, why, True)
            links.append(Link(child, target, proposal))
    return links


def _best_target(
    store: Discoverable,
    info: SchemaInfo,
    table: TableInfo,
    column: ColumnInfo,
    *,
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
        hits, sampled = value_overlap(store, child, target, rows=rows)
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

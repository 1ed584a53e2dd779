"""Draft a data map from a live database: keys, references, identities, categories."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa

from rightsdesk.connectors import urls
from rightsdesk.discovery.blobmap import BlobDraft, draft_blobs, text_columns
from rightsdesk.discovery.classify import ColumnFinding
from rightsdesk.discovery.copies import copy_proposals
from rightsdesk.discovery.limits import Counter, counter, draft_limits, one_each
from rightsdesk.discovery.linked import person_linked, token_proposals, unlinked_secrets
from rightsdesk.discovery.owners import Ownership, draft_ownership
from rightsdesk.discovery.people import (
    CATEGORY_MIN,
    category_proposals,
    identity_proposals,
    user_table,
)
from rightsdesk.discovery.proposal import Column, Link, Proposal
from rightsdesk.discovery.proposal import dotted as _dotted
from rightsdesk.discovery.render import Plan, deleted_tables, keyed, render
from rightsdesk.discovery.sample import classify_all, describe, engine_for, value_overlap
from rightsdesk.discovery.unowned import closure_kinds, copy_columns, copy_holders
from rightsdesk.domain.errors import InputError
from rightsdesk.domain.schema import ColumnInfo, SchemaInfo, TableInfo

#: Least share of sampled child values found in the parent for an inferred reference.
OVERLAP_MIN = 0.9
#: Table names a ``<stem>_id`` column may point at, besides the stem and its plurals.
PERSON_TABLES = ("users", "accounts", "customers", "members", "people", "persons")
_PERSON_STEMS = frozenset(
    {"user", "account", "customer", "member", "person", "owner"}
    | {"author", "creator", "assignee", "sender", "recipient", "reporter"}
)
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

__all__ = ["CATEGORY_MIN", "OVERLAP_MIN", "Column", "Draft", "Link", "Proposal", "generate"]


@dataclass(frozen=True)
class Draft:
    """A data map that loads as is, plus every proposal in it for review."""

    yaml_text: str
    proposals: tuple[Proposal, ...]


def generate(url: str, *, system: str, schema: str | None = None, sample: int = 1000) -> Draft:
    """Reflect and sample the database at ``url`` into a reviewed-draft data map for ``system``."""
    if not _NAME.fullmatch(system):
        raise InputError(f"system name {system!r} must be letters, digits and underscores")
    engine = engine_for(url, schema)
    shown = engine.url.render_as_string(hide_password=True)
    try:
        with urls.driver_errors(system, f"cannot read {shown}"), engine.connect() as conn:
            info = describe(conn, schema)
            findings = classify_all(conn, info, schema=schema, rows=sample)
            links = declared_links(info) + inferred_links(conn, info, schema=schema, rows=sample)
            mappable = {c: f for c, f in findings.items() if _mappable(c)}
            copies = copy_proposals(
                conn,
                info,
                mappable,
                category_proposals(mappable),
                links,
                schema=schema,
                rows=sample,
            )
            blobs = draft_blobs(conn, info, mappable, schema=schema, rows=min(sample, 200))
            return draft(
                system,
                map_url(url, schema),
                info,
                findings,
                links,
                copies=copies,
                count=counter(conn, schema),
                blobs=blobs,
                one_each=one_each(conn, schema),
            )
    finally:
        engine.dispose()


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
    return links + copied_keys(conn, info, schema=schema, rows=rows)


#: Least columns a table shares with another, besides its key, to be taken for its copy.
COPY_SHARED = 3


def copied_keys(
    conn: sa.Connection, info: SchemaInfo, *, schema: str | None, rows: int
) -> list[Link]:
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
            hits, sampled = value_overlap(conn, child, target, schema=schema, rows=rows)
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


def draft(
    system: str,
    url: str,
    info: SchemaInfo,
    findings: dict[Column, ColumnFinding],
    links: list[Link],
    *,
    copies: dict[Column, Proposal] | None = None,
    count: Counter | None = None,
    blobs: BlobDraft | None = None,
    one_each: Callable[[Link], bool] | None = None,
) -> Draft:
    """Turn findings and references into a data map that passes the loader's checks.

    Rows are owned as ``owners.py`` drafts it; tables personal rows point at that hold nothing
    personal are ``personal: false``; ``count`` (rows per person in the live data) drafts the
    guard's limits. ``copies`` are category proposals for columns that copy personal values
    (``copies.py``); ``blobs`` are session payloads and generic-object logs (``blobmap.py``).
    Secrets in tables linked to no person are left out, with a review note; distinct random
    tokens in tables linked to one are proposed as credentials (``linked.py``).
    """
    findings = {c: f for c, f in findings.items() if _mappable(c)}
    links = [lk for lk in links if _mappable(lk.child) and _mappable(lk.parent)]
    identities = identity_proposals(findings, info)
    root = user_table(info, identities, links)
    if root is None:
        raise InputError("no table has a single-column primary key; nothing can identify a person")
    root_key = (root.target.split(".")[0], root.target.split(".")[1])
    identities[root_key] = root
    categories = category_proposals(findings)
    for column, copy in (copies or {}).items():
        if _mappable(column):
            categories.setdefault(column, copy)
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
    linked = person_linked(root_key[0], categories | identities, links)
    unlinked = unlinked_secrets(categories, linked)
    categories = {c: p for c, p in categories.items() if c not in unlinked}
    taken = set(categories) | set(identities) | set(unlinked)
    categories |= token_proposals(info, findings, links, linked, taken)
    personal = {t for t, _ in identities} | {t for t, _ in categories}
    ownership = draft_ownership(
        root_key[0], set(info.tables), links, personal=personal, one_each=one_each
    )
    identities |= copy_columns(ownership, personal, categories, identities)
    blob = _blob_plan(blobs, root, ownership)
    identities |= blob.identities
    personal |= {t for t, _ in blob.columns}
    copy_tables_ = copy_holders(identities, ownership)
    rows = personal | ownership.owned
    catalogues = {
        lk.parent[0]
        for lk in links
        if lk.child[0] in rows and lk.parent[0] not in rows and keyed(info, lk.parent[0])
    }
    mapped = rows | catalogues
    kept = [lk for lk in links if lk.child[0] in rows and lk.parent[0] in mapped]
    proposals: dict[Column, list[Proposal]] = {}
    for table in sorted(mapped):
        for key in info.tables[table].primary_key[:1] if keyed(info, table) else ():
            why = "declared primary key"
            proposals[(table, key)] = [
                Proposal("primary_key", f"{table}.{key}", "", 1.0, why, False)
            ]
    for column, proposal in [*identities.items(), *categories.items()]:
        proposals.setdefault(column, []).append(proposal)
    # text a copy row holds besides what it is found by (a login attempt's form data) may
    # repeat the person's values: only theirs are replaced, so redacting it is always safe
    copy_text = {
        (t, c)
        for t in copy_tables_ - set(blob.logs)
        for c in text_columns(info.tables[t])
        if (t, c) not in proposals and _mappable((t, c))
    }
    for column in blob.columns | copy_text:
        proposals.setdefault(column, [])
    unfound = rows - ownership.owned - {t for t, _ in blob.payloads}
    mentioning = _mentioning(info, unfound, identities, categories, root_key[0])
    mentioning |= _mentioning(
        info, set(ownership.owners), {}, categories, root_key[0], free_text=True, people=identities
    )
    for link in kept:
        proposals.setdefault(link.child, []).append(link.proposal)
        proposals.setdefault(link.parent, [])
    dropped = [lk for lk in links if lk.child[0] in rows and lk.parent[0] not in mapped]
    notes = tuple(
        f"not mapped: {p.target} looks like a secret ({p.evidence}), but no row of "
        f"{column[0]} is linked to a person: an application's credential? review"
        for column, p in sorted(unlinked.items())
    )
    walked = ownership.walked()
    related = [lk for lk in kept if lk not in walked]
    deleted = deleted_tables(info, root_key[0], personal & ownership.owned, walked, related)
    deleted = (deleted - set(blob.logs)) | {t for t, _ in blob.payloads if keyed(info, t)}
    plan = Plan(
        info,
        proposals,
        kept,
        dropped,
        deleted,
        notes,
        ownership,
        frozenset(catalogues),
        draft_limits(ownership, count) if count is not None else {},
        {
            t: notes
            for t, notes in _reviews(ownership, identities, rows).items()
            if t not in {c[0] for c in [*blob.payloads, *mentioning]}
        },
        copy_tables_ - set(blob.logs),
        closure_kinds(identities, copy_tables_ - set(blob.logs)),
        blob.logs,
        blob.payloads,
        blob.redact | copy_text | set(mentioning),
        mentioning,
    )
    every = [p for ps in proposals.values() for p in ps]
    every += [lk.proposal for lk in links if lk not in kept]
    return Draft(render(system, url, plan), tuple(every))


@dataclass(frozen=True)
class _BlobPlan:
    identities: dict[Column, Proposal]
    logs: dict[str, tuple[int, str]]
    payloads: dict[Column, dict[str, str]]
    redact: frozenset[Column]

    @property
    def columns(self) -> set[Column]:
        """Columns the draft must map for the blobs (content types, payloads, redacted text)."""
        found = {(t, "content_type_id") for t in self.logs} | set(self.payloads)
        return found | set(self.redact) | set(self.identities)


def _blob_plan(blobs: BlobDraft | None, root: Proposal, ownership: Ownership) -> _BlobPlan:
    """Generic-object logs about the people table as copies (object id an identity, text
    redacted); payload columns of tables nobody owns."""
    if blobs is None:
        return _BlobPlan({}, {}, {}, frozenset())
    people = root.target.split(".")[0]
    # a table a person owns (a comment's author) stays theirs, unless it is a change log about
    # the object it names (Django's admin log: the owner is only who made the change)
    logs = {
        t: g
        for t, g in blobs.logs(people).items()
        if _mappable((t, g.object_column)) and (t not in ownership.owners or g.describes_object)
    }
    identities = {
        (t, g.object_column): Proposal(
            "identity",
            f"{t}.{g.object_column}",
            root.value,
            0.6,
            f"names rows of any model by (content type, id); content type {g.content_type} is "
            f"{people}",
            True,
        )
        for t, g in logs.items()
    }
    redact = frozenset((t, c) for t, g in logs.items() for c in g.redact if _mappable((t, c)))
    payloads = {
        c: keys
        for c, keys in blobs.payloads.items()
        if _mappable(c) and c[0] not in ownership.owned and c[0] not in logs
    }
    return _BlobPlan(
        identities,
        {t: (g.content_type, g.object_column) for t, g in logs.items()},
        payloads,
        redact,
    )


def _mentioning(
    info: SchemaInfo,
    tables: set[str],
    identities: dict[Column, Proposal],
    categories: dict[Column, Proposal],
    root: str,
    *,
    free_text: bool = False,
    people: dict[Column, Proposal] | None = None,
) -> dict[Column, tuple[str, ...]]:
    """Text columns read for the people's values they name (``contains:``), only those values
    redacted: of personal tables nothing finds (a PHP session naming its user), or, with
    ``free_text``, the free text of owned tables (an activity naming its assignee: a mention).
    """
    named = people if people is not None else identities
    kinds = tuple(
        sorted(
            {p.value for (t, _), p in named.items() if t == root} & {"username", "email", "phone"}
        )
    )
    if not kinds:
        return {}
    found_by_identity = {t for t, _ in identities}
    return {
        (t, c): kinds
        for (t, c), p in categories.items()
        if t in tables - found_by_identity
        and (not free_text or p.value.startswith("user.content"))
        and c in text_columns(info.tables[t])
        and c not in info.tables[t].primary_key
    }


def _reviews(
    ownership: Ownership, identities: dict[Column, Proposal], rows: set[str]
) -> dict[str, list[str]]:
    """Notes above each table: ownership guesses, and personal rows no walk will ever read."""
    reviews = {t: list(notes) for t, notes in ownership.reviews.items()}
    found_by_identity = {t for t, _ in identities}
    for table in sorted(rows - ownership.owned - found_by_identity):
        reviews.setdefault(table, []).append(
            "personal data, but no reference makes a person its owner and no identity field "
            "finds it: never read or erased; give it an owner or an identity"
        )
    return reviews


def _mappable(column: Column) -> bool:
    """Whether a data map can name this table and column (identifiers of up to 63 characters)."""
    return all(_NAME.fullmatch(part) for part in column)

"""Turn findings and references into a data map that passes the loader's checks: who the
people are, who owns which rows, what is mapped and how each table is erased."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rightsdesk.discovery.detectors.classify import ColumnFinding
from rightsdesk.discovery.drafting.blobmap import BlobDraft, text_columns
from rightsdesk.discovery.drafting.limits import Counter, draft_limits
from rightsdesk.discovery.drafting.linked import person_linked, token_proposals, unlinked_secrets
from rightsdesk.discovery.drafting.owners import Ownership, draft_ownership
from rightsdesk.discovery.drafting.people import category_proposals, identity_proposals, user_table
from rightsdesk.discovery.drafting.proposal import Column, Link, Proposal
from rightsdesk.discovery.drafting.render import Plan, deleted_tables, keyed, render
from rightsdesk.discovery.drafting.unowned import (
    closure_kinds,
    copy_columns,
    copy_holders,
    identified_tables,
    keyed_by_identity,
)
from rightsdesk.domain.errors import InputError
from rightsdesk.domain.schema import SchemaInfo

#: A name a data map can hold: a table, column or system (identifiers of up to 63 characters).
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


@dataclass(frozen=True)
class Draft:
    """A data map that loads as is, plus every proposal in it for review."""

    yaml_text: str
    proposals: tuple[Proposal, ...]


@dataclass
class _People:
    """Who the people are and what the columns say about them, before ownership is drafted."""

    root: Proposal  # the people table's key, proposed as the identity user_id
    table: str
    identities: dict[Column, Proposal]
    categories: dict[Column, Proposal]
    unlinked: dict[Column, Proposal]  # secrets in tables linked to no person: left out

    @property
    def personal(self) -> set[str]:
        return {t for t, _ in self.identities} | {t for t, _ in self.categories}


@dataclass(frozen=True)
class _Mapped:
    """The tables the draft maps, and the references it keeps among them."""

    rows: set[str]  # personal or owned tables
    catalogues: frozenset[str]  # referenced by those rows, nobody's own: ``personal: false``
    kept: list[Link]
    dropped: list[Link]  # references from mapped rows to tables the map leaves out


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
    findings = {c: f for c, f in findings.items() if mappable(c)}
    links = [lk for lk in links if mappable(lk.child) and mappable(lk.parent)]
    people = _people(info, findings, links, copies or {})
    personal = people.personal
    ownership = _ownership(info, people, links, one_each)
    people.identities |= copy_columns(ownership, personal, people.categories, people.identities)
    blob = _blob_plan(blobs, people.root, ownership)
    people.identities |= blob.identities
    personal |= {t for t, _ in blob.columns}
    mapped = _mapped(info, links, personal | ownership.owned)
    copy_tables = copy_holders(people.identities, ownership) - set(blob.logs)
    proposals, copy_text = _proposals(info, people, mapped, blob.columns, copy_tables)
    mentioning = _mentions(info, people, mapped, ownership, blob)
    owned = personal & ownership.owned
    deleted = _deleted(info, people, owned, mapped, ownership, blob, copy_tables)
    reviews = _reviews(ownership, people.identities, mapped.rows)
    reviews = {t: n for t, n in reviews.items() if t not in {c[0] for c in blob.payloads}}
    plan = Plan(
        info,
        proposals,
        mapped.kept,
        mapped.dropped,
        deleted,
        _notes(people.unlinked),
        ownership,
        mapped.catalogues,
        draft_limits(ownership, count) if count is not None else {},
        {t: n for t, n in reviews.items() if t not in {c[0] for c in mentioning}},
        copy_tables,
        closure_kinds(people.identities, copy_tables),
        blob.logs,
        blob.payloads,
        blob.redact | copy_text | set(mentioning),
        mentioning,
    )
    every = [p for ps in proposals.values() for p in ps]
    every += [lk.proposal for lk in links if lk not in mapped.kept]
    return Draft(render(system, url, plan), tuple(every))


def _people(
    info: SchemaInfo,
    findings: dict[Column, ColumnFinding],
    links: list[Link],
    copies: dict[Column, Proposal],
) -> _People:
    """The people table, identity and category proposals; secrets of unlinked tables apart."""
    identities = identity_proposals(findings, info)
    root = user_table(info, identities, links)
    if root is None:
        raise InputError("no table has a single-column primary key; nothing can identify a person")
    root_key = (root.target.split(".")[0], root.target.split(".")[1])
    identities[root_key] = root
    categories = category_proposals(findings)
    for column, copy in copies.items():
        if mappable(column):
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
    return _People(root, root_key[0], identities, categories, unlinked)


def _mapped(info: SchemaInfo, links: list[Link], rows: set[str]) -> _Mapped:
    """``rows`` plus the keyed tables they point at, and which references stay in the map."""
    catalogues = frozenset(
        lk.parent[0]
        for lk in links
        if lk.child[0] in rows and lk.parent[0] not in rows and keyed(info, lk.parent[0])
    )
    mapped = rows | catalogues
    kept = [lk for lk in links if lk.child[0] in rows and lk.parent[0] in mapped]
    dropped = [lk for lk in links if lk.child[0] in rows and lk.parent[0] not in mapped]
    return _Mapped(rows, catalogues, kept, dropped)


def _proposals(
    info: SchemaInfo,
    people: _People,
    mapped: _Mapped,
    blob_columns: set[Column],
    copy_tables: frozenset[str],
) -> tuple[dict[Column, list[Proposal]], set[Column]]:
    """Every mapped column with what the draft proposes for it, and the copy rows' text."""
    proposals: dict[Column, list[Proposal]] = {}
    for table in sorted(mapped.rows | mapped.catalogues):
        for key in info.tables[table].primary_key[:1] if keyed(info, table) else ():
            why = "declared primary key"
            proposals[(table, key)] = [
                Proposal("primary_key", f"{table}.{key}", "", 1.0, why, False)
            ]
    for column, proposal in [*people.identities.items(), *people.categories.items()]:
        proposals.setdefault(column, []).append(proposal)
    # text a copy row holds besides what it is found by (a login attempt's form data) may
    # repeat the person's values: only theirs are replaced, so redacting it is always safe
    copy_text = {
        (t, c)
        for t in copy_tables
        for c in text_columns(info.tables[t])
        if (t, c) not in proposals and mappable((t, c))
    }
    for column in blob_columns | copy_text:
        proposals.setdefault(column, [])
    for link in mapped.kept:
        proposals.setdefault(link.child, []).append(link.proposal)
        proposals.setdefault(link.parent, [])
    return proposals, copy_text


def _mentions(
    info: SchemaInfo, people: _People, mapped: _Mapped, ownership: Ownership, blob: _BlobPlan
) -> dict[Column, tuple[str, ...]]:
    """Text columns read for the people's values they name (see ``_mentioning``)."""
    unfound = mapped.rows - ownership.owned - {t for t, _ in blob.payloads}
    found = _mentioning(info, unfound, people.identities, people.categories, people.table)
    found |= _mentioning(
        info,
        set(ownership.owners),
        {},
        people.categories,
        people.table,
        free_text=True,
        people=people.identities,
    )
    return found


def _ownership(
    info: SchemaInfo, people: _People, links: list[Link], one_each: Callable[[Link], bool] | None
) -> Ownership:
    """``owners.draft_ownership``: a table with an identity value of its own is not owned
    through a parent (``unowned.identified_tables``)."""
    return draft_ownership(
        people.table,
        set(info.tables),
        links,
        personal=people.personal,
        one_each=one_each,
        identified=identified_tables(people.identities, people.table),
    )


def _deleted(
    info: SchemaInfo,
    people: _People,
    owned: set[str],
    mapped: _Mapped,
    ownership: Ownership,
    blob: _BlobPlan,
    copies: frozenset[str],
) -> frozenset[str]:
    """Tables whose rows are deleted whole (``render.deleted_tables``), logs apart, payloads
    in, and copies keyed by a person's value (``unowned.keyed_by_identity``)."""
    walked = ownership.walked()
    related = [lk for lk in mapped.kept if lk not in walked]
    deleted = deleted_tables(info, people.table, owned, walked, related)
    deleted = (deleted - set(blob.logs)) | {t for t, _ in blob.payloads if keyed(info, t)}
    return deleted | keyed_by_identity(info, copies, people.identities, mapped.kept)


def _notes(unlinked: dict[Column, Proposal]) -> tuple[str, ...]:
    return tuple(
        f"not mapped: {p.target} looks like a secret ({p.evidence}), but no row of "
        f"{column[0]} is linked to a person: an application's credential? review"
        for column, p in sorted(unlinked.items())
    )


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
        if mappable((t, g.object_column)) and (t not in ownership.owners or g.describes_object)
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
    redact = frozenset((t, c) for t, g in logs.items() for c in g.redact if mappable((t, c)))
    payloads = {
        c: keys
        for c, keys in blobs.payloads.items()
        if mappable(c) and c[0] not in ownership.owned and c[0] not in logs
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


def mappable(column: Column) -> bool:
    """Whether a data map can name this table and column (identifiers of up to 63 characters)."""
    return all(NAME.fullmatch(part) for part in column)

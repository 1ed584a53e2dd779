"""Draft a data map from a live database: keys, references, identities, categories."""

from __future__ import annotations

from rightsdesk.connectors import urls
from rightsdesk.discovery.drafting.blobmap import draft_blobs
from rightsdesk.discovery.drafting.copies import copy_proposals
from rightsdesk.discovery.drafting.draft import NAME, Draft, draft, mappable
from rightsdesk.discovery.drafting.limits import counter, one_each
from rightsdesk.discovery.drafting.people import CATEGORY_MIN, category_proposals
from rightsdesk.discovery.drafting.proposal import Column, Link, Proposal
from rightsdesk.discovery.drafting.references import (
    OVERLAP_MIN,
    candidate_tables,
    declared_links,
    inferred_links,
)
from rightsdesk.discovery.sample import classify_all, open_store
from rightsdesk.domain.errors import InputError

__all__ = [
    "CATEGORY_MIN",
    "OVERLAP_MIN",
    "Column",
    "Draft",
    "Link",
    "Proposal",
    "candidate_tables",
    "draft",
    "generate",
    "map_url",
]


def generate(url: str, *, system: str, schema: str | None = None, sample: int = 1000) -> Draft:
    """Reflect and sample the database at ``url`` into a reviewed-draft data map for ``system``."""
    if not NAME.fullmatch(system):
        raise InputError(f"system name {system!r} must be letters, digits and underscores")
    store = open_store(system, url, schema=schema)
    try:
        info = store.describe()
        findings = classify_all(store, info, rows=sample)
        links = declared_links(info) + inferred_links(store, info, rows=sample)
        usable = {c: f for c, f in findings.items() if mappable(c)}
        categories = category_proposals(usable)
        copies = copy_proposals(store, info, usable, categories, links, rows=sample)
        return draft(
            system,
            map_url(url, schema),
            info,
            findings,
            links,
            copies=copies,
            count=counter(store),
            blobs=draft_blobs(store, info, usable, rows=min(sample, 200)),
            one_each=one_each(store),
        )
    finally:
        store.close()


def map_url(url: str, schema: str | None) -> str:
    """The URL written into the map: no password, PostgreSQL search_path set to ``schema``."""
    parsed = urls.parse("the database", url, schema).set(password=None)
    return parsed.render_as_string(hide_password=False)

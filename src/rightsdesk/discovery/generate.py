"""Draft a data map from a live database: keys, references, identities, categories."""

from __future__ import annotations

from rightsdesk.connectors import urls
from rightsdesk.discovery.blobmap import draft_blobs
from rightsdesk.discovery.copies import copy_proposals
from rightsdesk.discovery.drafting import NAME, Draft, draft, mappable
from rightsdesk.discovery.limits import counter, one_each
from rightsdesk.discovery.people import CATEGORY_MIN, category_proposals
from rightsdesk.discovery.proposal import Column, Link, Proposal
from rightsdesk.discovery.references import (
    OVERLAP_MIN,
    candidate_tables,
    declared_links,
    inferred_links,
)
from rightsdesk.discovery.sample import classify_all, describe, engine_for
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
    engine = engine_for(url, schema)
    shown = engine.url.render_as_string(hide_password=True)
    try:
        with urls.driver_errors(system, f"cannot read {shown}"), engine.connect() as conn:
            info = describe(conn, schema)
            findings = classify_all(conn, info, schema=schema, rows=sample)
            links = declared_links(info) + inferred_links(conn, info, schema=schema, rows=sample)
            usable = {c: f for c, f in findings.items() if mappable(c)}
            copies = copy_proposals(
                conn,
                info,
                usable,
                category_proposals(usable),
                links,
                schema=schema,
                rows=sample,
            )
            blobs = draft_blobs(conn, info, usable, schema=schema, rows=min(sample, 200))
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

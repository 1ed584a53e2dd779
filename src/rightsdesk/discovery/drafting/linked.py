"""Secrets belong to a person only when their row does: which tables are linked to a person, and
which secret columns (named or random tokens) are proposed as a person's credentials."""

from __future__ import annotations

from rightsdesk.discovery.detectors.classify import ColumnFinding
from rightsdesk.discovery.detectors.tokens import MIN_LENGTH
from rightsdesk.discovery.drafting.proposal import Column, Link, Proposal
from rightsdesk.domain.schema import SchemaInfo

CREDENTIALS = "user.authorization.credentials"
#: Least sampled values, and least share of them that look random, for a random-token column.
TOKEN_VALUES = 5
TOKEN_SHARE = 0.8


def with_children(tables: set[str], links: list[Link]) -> set[str]:
    """``tables`` plus every table whose rows point (transitively) into them."""
    mapped, grown = set(tables), True
    while grown:
        more = {lk.child[0] for lk in links if lk.parent[0] in mapped} - mapped
        mapped |= more
        grown = bool(more)
    return mapped


def person_linked(root: str, proposals: dict[Column, Proposal], links: list[Link]) -> set[str]:
    """The person table, tables with personal (non-secret) fields, and tables pointing into them."""
    personal = {t for (t, _), p in proposals.items() if not p.value.startswith(CREDENTIALS)}
    return with_children({root} | personal, links)


def unlinked_secrets(
    categories: dict[Column, Proposal], linked: set[str]
) -> dict[Column, Proposal]:
    """Secret columns of tables not linked to any person: an application's, not a person's."""
    return {
        column: proposal
        for column, proposal in categories.items()
        if proposal.value.startswith(CREDENTIALS) and column[0] not in linked
    }


def token_proposals(
    info: SchemaInfo,
    findings: dict[Column, ColumnFinding],
    links: list[Link],
    linked: set[str],
    taken: set[Column],
) -> dict[Column, Proposal]:
    """Unclassified columns of distinct random tokens, in person-linked tables, as credentials.

    Keys are left out: primary keys and the columns of references (declared or inferred).
    """
    from rightsdesk.discovery.drafting.proposal import Proposal

    keys = {lk.child for lk in links} | {lk.parent for lk in links}
    found = {}
    for column, finding in findings.items():
        table = info.tables[column[0]]
        if (
            column in taken
            or column in keys
            or column[0] not in linked
            or column[1] in table.primary_key
            or table.columns[column[1]].python_type != "str"
            or finding.checked < TOKEN_VALUES
            or finding.distinct < finding.checked
            or finding.tokens < TOKEN_SHARE * finding.checked
        ):
            continue
        share = finding.tokens / finding.checked
        why = (
            f"{finding.tokens}/{finding.checked} values are distinct random tokens "
            f"(>= {MIN_LENGTH} characters, high entropy; values not kept) in a table linked to "
            "a person: an authentication or confirmation secret"
        )
        found[column] = Proposal(
            "category",
            f"{column[0]}.{column[1]}",
            CREDENTIALS,
            round(0.5 + 0.4 * share, 3),
            why,
            True,
        )
    return found

"""Personal tables no person owns (login-attempt logs keyed by username or IP address, history
copies): drafted as ``copies: true``, found by the values they copy and kept for a person only
when those values are theirs, with an identity closure so values found in the person's rows
(an old username, an address) reach them."""

from __future__ import annotations

from rightsdesk.datamap.identities import kind_of_category
from rightsdesk.discovery.drafting.owners import Ownership
from rightsdesk.discovery.drafting.proposal import Column, Link, Proposal, dotted
from rightsdesk.domain.schema import SchemaInfo

#: Kinds that alone never tell people apart (a shared office address).
WEAK = frozenset({"ip_address"})
#: Kinds that name one person: a row holding one of its own is about that person.
STRONG = frozenset({"username", "email", "phone"})


def copy_columns(
    ownership: Ownership,
    tables: set[str],
    categories: dict[Column, Proposal],
    identities: dict[Column, Proposal],
) -> dict[Column, Proposal]:
    """Identity proposals for the copied columns of every unowned personal table that holds at
    least one strong one (a username, an email, a phone number); those tables are copies."""
    found: dict[Column, Proposal] = {}
    for table in sorted(tables - ownership.owned):
        here = {
            column: kind
            for column, proposal in categories.items()
            if column[0] == table and column not in identities
            if (kind := kind_of_category(proposal.value)) is not None
        }
        held = {c: p.value for c, p in identities.items() if c[0] == table}
        if not set(here.values()) - WEAK and not set(held.values()) - WEAK:
            continue
        for column, kind in here.items():
            why = (
                f"{table} holds personal data but no person owns it: its rows are found by the "
                f"{kind} values they copy ({dotted(column)}, {categories[column].evidence})"
            )
            found[column] = Proposal("identity", dotted(column), kind, 0.5, why, True)
    return found


def copy_holders(identities: dict[Column, Proposal], ownership: Ownership) -> frozenset[str]:
    """Tables with identity fields that nobody owns, other than the people table."""
    return frozenset(t for t, _ in identities if t not in ownership.owned)


def closure_kinds(identities: dict[Column, Proposal], tables: frozenset[str]) -> tuple[str, ...]:
    """Identity kinds the copy tables are found by: the closure looks for more of these."""
    return tuple(sorted({p.value for (t, _), p in identities.items() if t in tables}))


def identified_tables(identities: dict[Column, Proposal], root: str) -> dict[str, str]:
    """Tables other than the people table holding a strong identity value of their own (an
    email, a username, a phone number): table -> the kinds, for ``draft_ownership``."""
    kinds: dict[str, set[str]] = {}
    for (table, _), proposal in identities.items():
        if table != root and proposal.value in STRONG:
            kinds.setdefault(table, set()).add(proposal.value)
    return {t: " and ".join(sorted(k)) for t, k in kinds.items()}


def keyed_by_identity(
    info: SchemaInfo, copies: frozenset[str], identities: dict[Column, Proposal], links: list[Link]
) -> frozenset[str]:
    """Copy tables with a person's value in their primary key (an invitation keyed by email
    and token): the value cannot be masked without forging another row's key, and every row
    found by it is about that person, so such rows are deleted whole. Not when another table
    references them (deleting would break its rows)."""
    referenced = {lk.parent[0] for lk in links}
    return frozenset(
        t
        for (t, c) in identities
        if t in copies and t not in referenced and c in info.tables[t].primary_key
    )

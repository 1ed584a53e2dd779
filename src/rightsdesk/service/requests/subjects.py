"""Keyed references to a person that outlive one request (statements, consent receipts).

One identity gives one keyed hash per purpose, over its canonical form, so records filed under
any identity the person proves are found, and the identifier itself is never stored.
"""

from __future__ import annotations

from collections.abc import Iterable

from rightsdesk.datamap.identities import identity_kind
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.runtime.context import Services


def canonical(identity: Identity) -> str:
    """The form an identity is filed under (``IdentityKind.canonical``)."""
    return identity_kind(identity.kind).canonical(identity.value)


def ref(services: Services, purpose: str, identity: Identity) -> str:
    return services.secrets.mac(purpose, identity.kind, canonical(identity))


def refs(services: Services, purpose: str, identities: Iterable[Identity]) -> list[str]:
    """One keyed hash per identity, so records filed under any of them are found."""
    return [ref(services, purpose, i) for i in identities]


def primary(services: Services, purpose: str, identities: Iterable[Identity]) -> str:
    """The keyed hash a new record is filed under: the most stable identity given."""
    found = sorted(identities, key=_rank)
    if not found:
        raise ValueError("a person's record needs at least one identity")
    return ref(services, purpose, found[0])


def _rank(identity: Identity) -> tuple[int, str, str]:
    return (identity_kind(identity.kind).rank, identity.kind, identity.value)

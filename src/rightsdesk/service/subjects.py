"""Keyed references to a person that outlive one request (statements, consent, vault)."""

from __future__ import annotations

from collections.abc import Sequence

from rightsdesk.domain.subjects import Identity
from rightsdesk.service.context import Services

#: The identity a person's records are filed under, most stable first.
PRIMARY_ORDER = ("user_id", "email", "phone")


def refs(services: Services, purpose: str, identities: Sequence[Identity]) -> list[str]:
    """One keyed hash per identity, so records filed under any of them are found."""
    return [services.secrets.mac(purpose, i.kind, i.value.strip()) for i in identities]


def primary(services: Services, purpose: str, identities: Sequence[Identity]) -> str:
    """The keyed hash a new record is filed under: the most stable identity given."""
    rank = {kind: n for n, kind in enumerate(PRIMARY_ORDER)}
    chosen = min(identities, key=lambda i: (rank.get(i.kind, len(rank)), i.kind, i.value))
    return services.secrets.mac(purpose, chosen.kind, chosen.value.strip())

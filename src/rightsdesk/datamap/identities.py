"""Identity kinds by name: the ``rightsdesk.identity_kinds`` registry (the rules themselves are
in ``domain/identities.py``)."""

from __future__ import annotations

import functools

from rightsdesk.domain.identities import IdentityKind
from rightsdesk.plugins import Registry, instance_of

ENTRY_POINT_GROUP = "rightsdesk.identity_kinds"

IDENTITY_KINDS: Registry[IdentityKind] = Registry(
    ENTRY_POINT_GROUP, "identity kind", instance_of(IdentityKind)
)


@functools.cache
def identity_kind(name: str) -> IdentityKind:
    """The registered kind called ``name``, else plain rules (a kind a data map declares)."""
    return IDENTITY_KINDS.get(name) if name in IDENTITY_KINDS else IdentityKind(name)


def kind_of_category(category: str) -> str | None:
    """The identity kind whose values a field of ``category`` (or of a sub-category) holds."""
    return next((k.name for k in _with_category() if category.startswith(k.category or "\0")), None)


@functools.cache
def _with_category() -> tuple[IdentityKind, ...]:
    return tuple(k for k in IDENTITY_KINDS.load_all().values() if k.category)


def refresh() -> None:
    """Forget what was looked up (after installing a package, and in tests)."""
    IDENTITY_KINDS.refresh()
    identity_kind.cache_clear()
    _with_category.cache_clear()

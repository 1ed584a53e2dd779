"""The suppression list: keyed hashes of erased people's identities, and the check against it.

After a whole deletion or an account cancellation each identity the erasure found the person by
is kept as ``HMAC(server secret, "suppression", kind, canonical value)``: never the value, so
the list says nothing about anyone whose identifier one does not already hold. The host checks
an incoming record (a partner's feed, a re-import) before ingesting it (CCR 7022(e), DEL-09):
one indexed look-up per identity asked about.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.requests import subjects
from rightsdesk.service.runtime.context import Services, Unit
from rightsdesk.store.erasures import Suppression

#: The keyed-hash purpose of the list (no other record is filed under it).
PURPOSE = "suppression"


@dataclass(frozen=True)
class Match:
    """An identity asked about that an erased person held: its kind, and since when."""

    kind: str
    since: datetime


@dataclass(frozen=True)
class Suppressed:
    """The check's answer: whether the record belongs to an erased person, and by what."""

    suppressed: bool
    matches: tuple[Match, ...]


def ref(services: Services, identity: Identity) -> str:
    """The keyed hash an identity is listed under (its canonical form, when it has one)."""
    try:
        return subjects.ref(services, PURPOSE, identity)
    except ValueError:  # a value the kind cannot canonicalise is hashed as given
        return services.secrets.mac(PURPOSE, identity.kind, identity.value)


def add(services: Services, work: Unit, request_id: str, identities: Iterable[Identity]) -> int:
    """List the identities of a person just erased; how many keyed hashes were added."""
    refs = {ref(services, i): i.kind for i in identities}
    work.session.add_all(
        Suppression(ref=r, kind=kind, request_id=request_id, added_at=work.now)
        for r, kind in sorted(refs.items())
    )
    return len(refs)


def check(services: Services, identities: Sequence[Identity]) -> Suppressed:
    """Does any of ``identities`` belong to a person erased? (By keyed hashes; indexed.)"""
    if not identities:
        raise PolicyError("name the record with at least one identity")
    refs = {ref(services, i): i.kind for i in identities}
    with services.store.reading() as session:
        rows = session.execute(
            select(Suppression.ref, Suppression.added_at).where(Suppression.ref.in_(sorted(refs)))
        ).all()
    first: dict[str, datetime] = {}
    for found, added_at in rows:
        kind = refs[found]
        first[kind] = min(first.get(kind, added_at), added_at)
    matches = tuple(Match(kind, since) for kind, since in sorted(first.items()))
    return Suppressed(bool(matches), matches)

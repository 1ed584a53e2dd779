"""The restrictions in force, and the processing check the host's jobs call before they work.

A restriction is found by keyed hashes only: one per identity the person's rows hold (so the
host may ask by account id, email or phone) and one per restricted row of a ``side_table``
collection. ``check`` answers "may I process this person (this row, for this purpose)?" with
the reasons, never a bare boolean.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from rightsdesk.audit import events
from rightsdesk.datamap.rights import Purpose
from rightsdesk.domain.errors import NotFoundError
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent.ledger import bump
from rightsdesk.service.requests import lifecycle, subjects
from rightsdesk.service.runtime.context import Services, Unit
from rightsdesk.store.models import Request
from rightsdesk.store.restrictions import Restriction, RestrictionKey

#: The keyed-hash purposes: a person's identity, a restricted row.
SUBJECT, ROW = "restriction", "restricted_row"
#: What a restricted person's data may still be used for (GDPR Art. 18(2)).
STILL_ALLOWED = ("storage",)


@dataclass(frozen=True)
class Reason:
    """A restriction, objection or limit in force that the check found, and whether it stops
    the processing asked about."""

    kind: str
    id: str
    ground: str
    purpose: str | None
    collections: tuple[str, ...]
    since: str
    applies: bool

    def to_json(self) -> dict[str, object]:
        return {**asdict(self), "collections": list(self.collections)}


@dataclass(frozen=True)
class Verdict:
    """The processing check's answer: whether, and why not."""

    may_process: bool
    reasons: tuple[Reason, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "may_process": self.may_process,
            "still_allowed": list(STILL_ALLOWED) if not self.may_process else [],
            "reasons": [r.to_json() for r in self.reasons],
        }


def row_ref(services: Services, collection: str, key: object) -> str:
    return services.secrets.mac(ROW, collection, str(key))


def record(
    services: Services,
    work: Unit,
    request: Request,
    *,
    kind: str,
    ground: str,
    identities: Iterable[Identity],
    purpose: str | None = None,
    collections: Sequence[str] = (),
    marks: dict[str, Any] | None = None,
    rows: dict[str, list[Any]] | None = None,
) -> Restriction:
    """Store a restriction (or objection) with its keyed hashes; audited."""
    restriction = Restriction(
        id=uuid.uuid4().hex,
        request_id=request.id,
        kind=kind,
        ground=ground,
        purpose=purpose,
        collections=list(collections),
        marks=marks or {},
        until_request=request.params.get("until_request"),
        opened_at=work.now,
    )
    work.session.add(restriction)
    refs = {subjects.ref(services, SUBJECT, i): "subject" for i in identities}
    for name, keys in (rows or {}).items():
        refs |= {row_ref(services, name, k): "row" for k in keys}
    work.session.add_all(
        RestrictionKey(restriction_id=restriction.id, ref=ref, kind=how)
        for ref, how in refs.items()
    )
    bump(work.session)  # the consent checks cached in every process consult it from now
    lifecycle.record(
        work,
        request,
        events.RESTRICTION_OPENED,
        actor="system",
        data={
            "restriction_id": restriction.id,
            "kind": kind,
            "ground": ground,
            "purpose": purpose,
            "collections": {
                n: {"mark": m["mark"], "rows": m["rows"]} for n, m in (marks or {}).items()
            },
        },
    )
    return restriction


def for_request(work: Unit, request_id: str) -> list[Restriction]:
    """The restrictions a request opened (a resumed run finds them and opens none again)."""
    query = select(Restriction).where(Restriction.request_id == request_id)
    return list(work.session.scalars(query.order_by(Restriction.opened_at, Restriction.id)))


def load(work: Unit, restriction_id: str) -> Restriction:
    found = work.session.get(Restriction, restriction_id, with_for_update=True)
    if found is None:
        raise NotFoundError(f"no restriction {restriction_id!r}")
    return found


def listing(services: Services, *, active: bool = True, limit: int = 100) -> list[Restriction]:
    with services.store.session() as session:
        query = select(Restriction).order_by(Restriction.opened_at, Restriction.id).limit(limit)
        if active:
            query = query.where(Restriction.lifted_at.is_(None))
        return list(session.scalars(query))


def check(
    services: Services,
    identities: Sequence[Identity],
    *,
    purpose: str | None = None,
    collection: str | None = None,
    key: str | None = None,
) -> Verdict:
    """May the host process this person (``collection``'s row ``key``; for ``purpose``)?

    A restriction stops every processing of its collections but storage; an objection stops
    the processing for its purpose (asked without a purpose, objections are listed, not applied);
    a CCPA limit stops, on its collections (asked by ``collection``), any purpose the map does
    not mark ``sensitive_use_permitted``.
    """
    refs = subjects.refs(services, SUBJECT, identities)
    if collection is not None and key is not None:
        refs.append(row_ref(services, collection, key))
    reasons, blocked = [], False
    for r in _active(services, refs):
        if r.kind == "restriction":
            applies = collection is None or not r.collections or collection in r.collections
            stops = applies and purpose not in STILL_ALLOWED
        elif r.kind == "limit":  # CCPA: sensitive data, for what 7027(m) does not allow
            applies = collection is None or collection in r.collections
            stops = collection is not None and applies and not _permitted(services, purpose)
        else:
            applies, stops = True, purpose is not None and purpose == r.purpose
        if applies:
            blocked = blocked or stops
            reasons.append(_reason(r, stops))
    return Verdict(not blocked, tuple(reasons))


@dataclass(frozen=True)
class Stop:
    """A restriction, objection or limit in force that stops a purpose for the person."""

    kind: str
    restriction_id: str
    ground: str
    purpose: str | None
    collections: tuple[str, ...]
    since: datetime


def stopping(services: Services, identities: Sequence[Identity], purpose: Purpose) -> list[Stop]:
    """What in force stops ``purpose`` for the person (the consent check asks, GDPR Arts. 18,
    21): a restriction of a collection the purpose uses (or of all of them), an objection to
    the purpose, a CCPA limit of a collection it uses unless the map permits that use."""
    stops = []
    for r in _active(services, subjects.refs(services, SUBJECT, identities)):
        uses = not r.collections or any(purpose.covers(c) for c in r.collections)
        if r.kind == "restriction":
            applies = purpose.name not in STILL_ALLOWED and (
                uses or not (purpose.collections or purpose.fields)
            )
        elif r.kind == "limit":
            applies = uses and not purpose.sensitive_use_permitted
        else:
            applies = r.purpose == purpose.name
        if applies:
            stops.append(Stop(r.kind, r.id, r.ground, r.purpose, tuple(r.collections), r.opened_at))
    return stops


def restricting(services: Services, identities: Sequence[Identity]) -> list[Restriction]:
    """The restrictions (Art. 18; not objections or limits) in force for the person."""
    refs = subjects.refs(services, SUBJECT, identities)
    return [r for r in _active(services, refs) if r.kind == "restriction"]


def _active(services: Services, refs: Sequence[str]) -> list[Restriction]:
    """The restrictions in force found by any of ``refs``, oldest first."""
    with services.store.session() as session:
        keyed = select(RestrictionKey.restriction_id).where(RestrictionKey.ref.in_(refs))
        found = session.scalars(
            select(Restriction).where(Restriction.id.in_(keyed), Restriction.lifted_at.is_(None))
        ).all()
    return sorted(found, key=lambda r: (r.opened_at, r.id))


def _permitted(services: Services, purpose: str | None) -> bool:
    """Whether the data map lets a limited person's sensitive data serve ``purpose``."""
    found = services.datamap.purpose(purpose) if services.datamap and purpose else None
    return found is not None and found.sensitive_use_permitted


def _reason(r: Restriction, stops: bool) -> Reason:
    since = r.opened_at.isoformat()
    return Reason(r.kind, r.id, r.ground, r.purpose, tuple(r.collections), since, stops)

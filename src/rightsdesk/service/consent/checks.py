"""The consent check the host's jobs call: "may I process purpose P for this person now?"

A withdrawal takes effect here at once, without waiting for the host to act on its webhook
(WDR-03). Answers are cached in the process (``Services.consent_checks``), keyed by the purpose
and the keyed hashes of the identities asked about, and each is valid for one version of the
ledger: every receipt bumps ``consent_head.version`` in its own transaction, and every check
reads that version first (one primary-key read on a pooled driver connection, no ORM session;
on SQLite no lock). So a withdrawal committed by any process, API worker, Celery worker or CLI, is
seen by the next check in every other process, with no message between them and no window. An
answer that a future-dated decision will change is kept only until that moment.

Consent is not the only answer: while a restriction (GDPR Art. 18) covers what the purpose
uses, an objection to the purpose is upheld (Art. 21) or a CCPA limit covers it, the answer is
no, with those as ``stopped_by``. Opening and lifting them bump the same version, so the cache
is invalidated by them as by a receipt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from rightsdesk.datamap.rights import Purpose
from rightsdesk.domain.errors import Code, NotFoundError, PolicyError
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import ledger
from rightsdesk.service.restrictions.ledger import Stop, stopping
from rightsdesk.service.runtime.context import Services
from rightsdesk.store.models import ConsentRecord

#: The ledger's version, read before every check (one primary-key read).
VERSION = "SELECT version FROM consent_head WHERE id = 1"


@dataclass(frozen=True)
class Check:
    """The answer: may the purpose be relied on for the person now, and why."""

    purpose: str
    allowed: bool
    #: active, revoked or not_given
    state: str
    #: the purpose's legal basis (consent, contract, ...)
    basis: str
    #: receipt (the person's latest decision), default (never decided), or basis
    source: str
    since: datetime | None
    #: the ledger version the answer was computed under
    version: int
    #: restrictions, objections and limits in force that stop the purpose for the person
    stopped_by: tuple[Stop, ...] = ()


def check(services: Services, identities: Sequence[Identity], purpose: str) -> Check:
    """May ``purpose`` be relied on for the person known by ``identities`` now?"""
    spec = _purpose(services, purpose)
    if not identities:
        raise PolicyError("name the person with at least one identity")
    keys = frozenset(ledger.subjects(services, identities))
    cache = services.consent_checks
    version = int(services.store.peek(VERSION) or 0)  # first, so an answer is never newer
    now = services.clock()
    found: Check | None = cache.get(version, (purpose, keys), now)
    if found is not None:
        return found
    with services.store.reading() as session:
        records = _records(session, keys, purpose)
    state = ledger.state_of(spec, records, now)
    stops = tuple(stopping(services, identities, spec))
    answer = Check(
        purpose, state.state == ledger.ACTIVE and not stops, state.state, spec.basis,
        state.source, state.since, version, stops,
    )  # fmt: skip
    until = min((r.effective_at for r in records if r.effective_at > now), default=None)
    cache.put(version, (purpose, keys), answer, until)
    return answer


def _records(session: Session, keys: frozenset[str], purpose: str) -> list[ConsentRecord]:
    query = select(ConsentRecord).where(
        ConsentRecord.subject.in_(sorted(keys)), ConsentRecord.purpose == purpose
    )
    return sorted(session.scalars(query), key=ledger.order)


def _purpose(services: Services, name: str) -> Purpose:
    found = services.datamap.purpose(name) if services.datamap is not None else None
    if found is None:
        known = ", ".join(p.name for p in services.datamap.purposes) if services.datamap else ""
        raise NotFoundError(
            f"no purpose {name!r} in the data map's catalogue ({known})",
            code=Code.PURPOSE_UNKNOWN,
            params={"purpose": name},
        )
    return found

"""Consent and the scope of authorisation: grant, withdraw, show, and honour a GPC signal.

Withdrawing is the same one call as granting (WDR-02). Every decision is a new receipt in the
ledger (``consent_ledger``); a withdrawal also tells the host and recipients and evaluates
deletion (``consent_effects``). A person is found by every identity they prove.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from rightsdesk.audit import events
from rightsdesk.audit import log as audit
from rightsdesk.datamap.rights import Purpose
from rightsdesk.domain.errors import Code, NotFoundError, PolicyError
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import effects, ledger
from rightsdesk.service.consent.effects import Evaluation
from rightsdesk.service.consent.ledger import ACTIVE, REVOKED, PurposeState, subject_of
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.store.models import ConsentRecord

__all__ = [
    "ACTIVE",
    "REVOKED",
    "Evaluation",
    "Origin",
    "PurposeState",
    "decide",
    "grant",
    "honour_gpc",
    "record_gpc",
    "scope",
    "show",
    "subject_of",
    "withdraw",
    "withdraw_all",
]

#: ``method`` of receipts recorded from a Global Privacy Control signal.
GPC = "gpc"
#: Who acts, by the method a decision came through (the audit log's actor).
ACTORS = {"api": "person", "web": "person", "host": "person", GPC: "person", "cli": "operator:cli"}


@dataclass(frozen=True)
class Origin:
    """Where a consent decision comes from: the channel (``method``: api, web, host, gpc, cli,
    request), the law it is recorded under, the request it belongs to, and when it takes
    effect (now when None; never in the past)."""

    method: str
    jurisdiction: str
    request_id: str | None = None
    effective_at: datetime | None = None


def grant(
    services: Services, work: Unit, identities: Sequence[Identity], purpose: str, origin: Origin
) -> ConsentRecord:
    """Record consent (nothing new if it is already given); the host may enable the features."""
    spec = _consent_purpose(services, purpose)
    latest = _latest(services, work, identities, purpose)
    if latest is not None and latest.state == ACTIVE and latest.effective_at <= work.now:
        return latest
    record = _append(services, work, identities, spec, ACTIVE, origin)
    effects.granted(services, work, identities, spec, record)
    return record


def withdraw(
    services: Services, work: Unit, identities: Sequence[Identity], purpose: str, origin: Origin
) -> ConsentRecord:
    """Record the withdrawal (now, or from a future date); the host and recipients stop, and
    deletion is evaluated. Nothing new when it is not in force anyway."""
    spec = _consent_purpose(services, purpose)
    records = _records(services, work.session, identities).get(purpose, [])
    in_force = ledger.is_active(spec, records, work.now)
    last = records[-1] if records else None
    if not in_force and last is not None and last.state == REVOKED:
        return last
    record = _append(services, work, identities, spec, REVOKED, origin)
    if in_force or last is not None:  # else it was never given: a refusal, nothing to stop
        effects.withdrawn(services, work, identities, spec, record)
    return record


def withdraw_all(
    services: Services,
    work: Unit,
    identities: Sequence[Identity],
    *,
    method: str,
    request_id: str | None,
) -> list[ConsentRecord]:
    """Withdraw every consent in force (account cancellation); one receipt each."""
    origin = Origin(method, default_jurisdiction(services), request_id)
    return _withdraw_where(services, work, identities, origin, lambda state: True)


def record_gpc(
    services: Services, work: Unit, identities: Sequence[Identity]
) -> list[ConsentRecord]:
    """A ``Sec-GPC: 1`` request: opt out of every sale or sharing purpose in force (OPT-01).
    Only ever an opt-out: a later request without the signal changes nothing (OPT-02)."""
    origin = Origin(GPC, default_jurisdiction(services))
    return _withdraw_where(services, work, identities, origin, lambda s: s.sale_or_sharing)


def _withdraw_where(
    services: Services,
    work: Unit,
    identities: Sequence[Identity],
    origin: Origin,
    which: Callable[[PurposeState], bool],
) -> list[ConsentRecord]:
    """Withdraw each consent in force that ``which`` picks; one receipt each."""
    return [
        withdraw(services, work, identities, state.purpose, origin)
        for state in scope(services, work.session, identities)
        if state.basis == "consent" and state.state == ACTIVE and which(state)
    ]


def honour_gpc(services: Services, identities: Sequence[Identity]) -> list[ConsentRecord]:
    """``record_gpc`` in its own transaction, for the edges."""
    with unit(services) as work:
        return record_gpc(services, work, identities)


def scope(
    services: Services, session: Session, identities: Sequence[Identity]
) -> list[PurposeState]:
    """Every catalogue purpose as it stands for the person now, with its receipts."""
    now = services.clock()
    records = _records(services, session, identities)
    return [ledger.state_of(p, records.get(p.name, []), now) for p in _catalogue(services)]


def default_jurisdiction(services: Services) -> str:
    """The first regime the policy applies, when the caller names none."""
    return services.policy.config.regimes[0].value


def _append(
    services: Services,
    work: Unit,
    identities: Sequence[Identity],
    purpose: Purpose,
    state: str,
    origin: Origin,
) -> ConsentRecord:
    method, jurisdiction, request_id = origin.method, origin.jurisdiction, origin.request_id
    when = origin.effective_at or work.now
    if when < work.now:
        raise PolicyError("a consent decision cannot take effect in the past")
    subject = subject_of(services, identities)
    sequence = sum(len(r) for r in _records(services, work.session, identities).values()) + 1
    receipt_id = uuid.uuid4().hex
    record = ConsentRecord(
        id=receipt_id,
        subject=subject,
        purpose=purpose.name,
        state=state,
        recorded_at=work.now,
        effective_at=when,
        method=method,
        jurisdiction=jurisdiction,
        request_id=request_id,
        receipt=ledger.document(
            services,
            purpose,
            receipt_id=receipt_id,
            subject=subject,
            state=state,
            method=method,
            jurisdiction=jurisdiction,
            recorded_at=work.now,
            effective_at=when,
            sequence=sequence,
        ),
    )
    work.session.add(record)
    work.session.flush()
    ledger.bump(work.session)  # every process's cached checks see the change at once
    audit.append(
        work.session,
        at=work.now,
        actor=ACTORS.get(method, "system"),
        event=events.CONSENT_GRANTED if state == ACTIVE else events.CONSENT_WITHDRAWN,
        request_id=request_id,
        data={
            "purpose": purpose.name,
            "receipt_id": receipt_id,
            "method": method,
            **ledger.audited_subject(subject, method),
        },
    )
    return record


def _latest(
    services: Services, work: Unit, identities: Sequence[Identity], purpose: str
) -> ConsentRecord | None:
    records = _records(services, work.session, identities).get(purpose, [])
    return records[-1] if records else None


def _records(
    services: Services, session: Session, identities: Sequence[Identity]
) -> dict[str, list[ConsentRecord]]:
    if not identities:
        raise PolicyError("name the person with at least one identity")
    return ledger.history(session, ledger.subjects(services, identities))


def _catalogue(services: Services) -> tuple[Purpose, ...]:
    return services.datamap.purposes if services.datamap is not None else ()


def _consent_purpose(services: Services, name: str) -> Purpose:
    found = services.datamap.purpose(name) if services.datamap is not None else None
    if found is None:
        raise NotFoundError(
            f"no purpose {name!r} in the data map's catalogue",
            code=Code.PURPOSE_UNKNOWN,
            params={"purpose": name},
        )
    if found.basis != "consent":
        raise PolicyError(
            f"{name!r} rests on {found.basis.replace('_', ' ')}, not on consent: it is not "
            "granted or withdrawn (ask for deletion or object instead)"
        )
    return found


def decide(
    services: Services,
    identities: Sequence[Identity],
    purpose: str,
    *,
    given: bool,
    method: str,
    jurisdiction: str | None = None,
) -> ConsentRecord:
    """``grant`` or ``withdraw`` in its own transaction: the same call either way (WDR-02)."""
    change = grant if given else withdraw
    with unit(services) as work:
        origin = Origin(method, jurisdiction or default_jurisdiction(services))
        return change(services, work, identities, purpose, origin)


def show(services: Services, identities: Sequence[Identity]) -> list[PurposeState]:
    """``scope`` in its own read-only session."""
    with services.store.session() as session:
        return scope(services, session, identities)

"""What a consent decision sets off: the host stops (or starts) features, recipients are told,
and a withdrawal asks whether any legal basis for the data remains (WDR-03..05, PIPL 47)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from rightsdesk.audit import events
from rightsdesk.audit import log as audit
from rightsdesk.datamap.rights import Purpose
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import ledger
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.runtime.context import Services, Unit
from rightsdesk.store.models import ConsentRecord


@dataclass(frozen=True)
class Evaluation:
    """After a withdrawal: the collections left with no basis (to delete), and what remains."""

    purpose: str
    collections: tuple[str, ...]
    retained: dict[str, list[str]] = field(default_factory=dict)

    @property
    def opens_deletion(self) -> bool:
        return bool(self.collections)


def granted(
    services: Services,
    work: Unit,
    identities: Sequence[Identity],
    purpose: Purpose,
    record: ConsentRecord,
) -> None:
    """The host may switch the purpose's features on again."""
    payload = _host_payload(identities, purpose, record)
    deliveries.to_host(services, work, "consent.granted", payload, request_id=record.request_id)


def withdrawn(
    services: Services,
    work: Unit,
    identities: Sequence[Identity],
    purpose: Purpose,
    record: ConsentRecord,
) -> Evaluation:
    """Tell the host and the recipients to stop, then evaluate deletion (audited either way)."""
    request_id = record.request_id
    payload = _host_payload(identities, purpose, record)
    deliveries.to_host(services, work, "consent.withdrawn", payload, request_id=request_id)
    held = {*purpose.collections, *(f.rpartition(".")[0] for f in purpose.fields)}
    told = {
        "purpose": purpose.name,
        "fields": list(purpose.fields),
        "effective_at": record.effective_at.isoformat(),
        "receipt_id": record.id,
        "identifiers": _identifiers(services, identities),
    }
    deliveries.to_recipients(
        services, work, sorted(held), "consent.withdrawn", told, request_id=request_id
    )
    evaluation = evaluate(services, work.session, identities, purpose, work.now)
    audit.append(
        work.session,
        at=work.now,
        actor="system",
        event=events.DELETION_EVALUATION,
        request_id=request_id,
        data={
            "purpose": purpose.name,
            "receipt_id": record.id,
            **ledger.audited_subject(record.subject, record.method),
            "opens_deletion": evaluation.opens_deletion,
            "collections": list(evaluation.collections),
            "retained": evaluation.retained,
        },
    )
    if evaluation.opens_deletion and record.method != "cancellation":  # that deletes anyway
        services.open_followup(
            services,
            work,
            RequestType.DELETE,
            identities,
            params={
                "scope": list(evaluation.collections),
                "reason": f"consent withdrawn: {purpose.name}",
                "receipt_id": record.id,
            },
        )
    return evaluation


def evaluate(
    services: Services,
    session: Session,
    identities: Sequence[Identity],
    purpose: Purpose,
    now: datetime,
) -> Evaluation:
    """Which of the purpose's collections no other active purpose (consent given, or another
    basis such as contract or legal obligation) still covers."""
    records = ledger.history(session, ledger.subjects(services, identities))
    others = services.datamap.purposes if services.datamap is not None else ()
    orphaned: list[str] = []
    retained: dict[str, list[str]] = {}
    for dotted in purpose.collections:
        remaining = [
            f"{p.name} ({p.basis})"
            for p in others
            if p.name != purpose.name
            and p.covers(dotted)
            and ledger.is_active(p, records.get(p.name, []), now)
        ]
        if remaining:
            retained[dotted] = remaining
        else:
            orphaned.append(dotted)
    return Evaluation(purpose.name, tuple(orphaned), retained)


def _host_payload(
    identities: Sequence[Identity], purpose: Purpose, record: ConsentRecord
) -> dict[str, Any]:
    """The host knows the account by its user_id; ``subject_ref`` matches our receipts."""
    payload: dict[str, Any] = {
        "purpose": purpose.name,
        "features": list(purpose.features),
        "collections": list(purpose.collections),
        "fields": list(purpose.fields),
        "subject_ref": record.subject,
        "effective_at": record.effective_at.isoformat(),
        "receipt_id": record.id,
    }
    user_id = next((i.value for i in identities if i.kind == "user_id"), None)
    if user_id is not None:
        payload["user_id"] = user_id
    return payload


def _identifiers(services: Services, identities: Sequence[Identity]) -> dict[str, str]:
    """The person's identifiers of kinds the company's data map holds (recipients got those)."""
    declared = services.datamap.identity_kinds() if services.datamap is not None else frozenset()
    return {i.kind: i.value for i in sorted(identities) if i.kind in declared}

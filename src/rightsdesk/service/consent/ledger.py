"""The consent ledger: append-only receipts (Kantara CR 1.1 / ISO/IEC TS 27560) per keyed subject.

A withdrawal is a new receipt, never an edit of the grant, so processing done under the grant
stays documented (WDR-03, WDR-06). The ORM refuses to update or delete a receipt.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, ORMExecuteState, Session

from rightsdesk.datamap.rights import Purpose
from rightsdesk.domain.errors import ConflictError
from rightsdesk.domain.subjects import Identity
from rightsdesk.domain.texts import LocalText
from rightsdesk.service.requests import subjects as subjects_
from rightsdesk.service.runtime.context import Services
from rightsdesk.store.models import ConsentHead, ConsentRecord

ACTIVE, REVOKED = "active", "revoked"
#: The order an account's identities are tried in to name its consent subject.
#: The purpose of the keyed hash that files receipts under a person.
SUBJECT = "consent-subject"
KANTARA_VERSION = "KI-CR-v1.1.0"


@dataclass(frozen=True)
class PurposeState:
    """One catalogue purpose as it stands for a person, and why, with every receipt."""

    purpose: str
    description: LocalText
    basis: str
    #: active | revoked | not_given (a consent purpose never granted)
    state: str
    #: receipt (the latest decision), default (opt-out purpose never withdrawn), or basis
    source: str
    since: datetime | None
    features: tuple[str, ...]
    collections: tuple[str, ...]
    fields: tuple[str, ...]
    sale_or_sharing: bool
    history: tuple[ConsentRecord, ...]


def subject_of(services: Services, identities: Iterable[Identity]) -> str:
    """The keyed hash naming a person in the ledger: of user_id, else email, else phone, ..."""
    return subjects_.primary(services, SUBJECT, identities)


def subjects(services: Services, identities: Iterable[Identity]) -> set[str]:
    """Every key the person's receipts may be filed under (one per identity they proved)."""
    return set(subjects_.refs(services, SUBJECT, identities))


def audited_subject(subject: str, method: str) -> dict[str, str]:
    """The keyed subject for the audit log, except a cancellation's: the log cannot be rewritten,
    and a hash of the email beside the request its tombstone derives from would link them."""
    return {} if method == "cancellation" else {"subject": subject}


def history(session: Session, keys: set[str]) -> dict[str, list[ConsentRecord]]:
    """Receipts per purpose, in the order they were decided."""
    rows = session.scalars(select(ConsentRecord).where(ConsentRecord.subject.in_(sorted(keys))))
    found: dict[str, list[ConsentRecord]] = {}
    for row in sorted(rows, key=order):
        found.setdefault(row.purpose, []).append(row)
    return found


def order(row: ConsentRecord) -> tuple[datetime, int, str]:
    """When decided, then the ledger's own sequence (several receipts may share a clock tick)."""
    return (row.recorded_at, int(row.receipt.get("sequence", 0)), row.id)


def current(records: Sequence[ConsentRecord], now: datetime) -> ConsentRecord | None:
    """The latest decision in force at ``now``: a future-dated withdrawal is not yet, and a
    grant decided after it overrides it."""
    return next((r for r in reversed(records) if r.effective_at <= now), None)


def is_active(purpose: Purpose, records: Sequence[ConsentRecord], now: datetime) -> bool:
    """Whether ``purpose`` may be relied on now: a non-consent basis always, consent if given."""
    if purpose.basis != "consent":
        return True
    latest = current(records, now)
    return purpose.default_granted if latest is None else latest.state == ACTIVE


def state_of(purpose: Purpose, records: list[ConsentRecord], now: datetime) -> PurposeState:
    """The purpose as it stands at ``now``, and why."""
    latest = current(records, now)
    if purpose.basis != "consent":
        state, source, since = ACTIVE, "basis", None
    elif latest is None:
        state = ACTIVE if purpose.default_granted else "not_given"
        source, since = "default", None
    else:
        state, source, since = latest.state, "receipt", latest.effective_at
    return PurposeState(
        purpose.name,
        purpose.description,
        purpose.basis,
        state,
        source,
        since,
        purpose.features,
        purpose.collections,
        purpose.fields,
        purpose.sale_or_sharing,
        tuple(records),
    )


def document(
    services: Services,
    purpose: Purpose,
    *,
    receipt_id: str,
    subject: str,
    state: str,
    method: str,
    jurisdiction: str,
    recorded_at: datetime,
    effective_at: datetime,
    sequence: int,
) -> dict[str, Any]:
    """The receipt fields the row's columns do not hold, named as in Kantara CR 1.1 / TS 27560."""
    datamap = services.datamap
    recipients = datamap.recipients_for(set(purpose.collections)) if datamap else ()
    return {
        "version": KANTARA_VERSION,
        "consentReceiptID": receipt_id,
        "jurisdiction": jurisdiction,
        "consentTimestamp": int(recorded_at.timestamp()),
        "collectionMethod": method,
        "piiPrincipalId": subject,
        "piiControllers": [
            {"contact": services.settings.mail_from, "url": services.settings.public_url}
        ],
        "policyUrl": services.settings.public_url,
        "language": services.settings.locale,
        "services": [
            {
                "service": "host platform",
                "purposes": [
                    {
                        "purpose": purpose.description.get(services.settings.locale),
                        "purposeName": purpose.name,
                        "purposeCategory": [purpose.basis],
                        "consentType": "OPT-OUT" if purpose.default_granted else "EXPLICIT",
                        "piiCategory": _categories(services, purpose),
                        "primaryPurpose": False,
                        "termination": "until withdrawn",
                        "thirdPartyDisclosure": bool(recipients),
                        "thirdPartyName": [r.name for r in recipients],
                        "features": list(purpose.features),
                    }
                ],
            }
        ],
        "sensitive": False,
        "spiCat": [],
        # ISO/IEC TS 27560: the event this record is, and the state it leaves
        "event": {"type": "given" if state == ACTIVE else "withdrawn", "state": state},
        "effectiveAt": effective_at.isoformat(),
        "sequence": sequence,
    }


def _categories(services: Services, purpose: Purpose) -> list[str]:
    found: set[str] = set()
    datamap = services.datamap
    for dotted in (*purpose.collections, *(f.rpartition(".")[0] for f in purpose.fields)):
        located = datamap.resolve(dotted) if datamap else None
        if located is not None:
            found.update(c for f in located[1].fields for c in f.categories)
    return sorted(found)


def install_guard() -> None:
    """Make the ORM refuse to change a receipt (idempotent; wiring calls it, importing does)."""
    for name in ("before_update", "before_delete"):
        if not event.contains(ConsentRecord, name, _refuse):
            event.listen(ConsentRecord, name, _refuse)
    if not event.contains(Session, "do_orm_execute", _refuse_bulk):
        event.listen(Session, "do_orm_execute", _refuse_bulk)


def _refuse(mapper: Mapper[Any], connection: Connection, target: ConsentRecord) -> None:
    raise ConflictError(f"consent receipt {target.id} is append-only: record a new one instead")


def _refuse_bulk(state: ORMExecuteState) -> None:
    """``update(ConsentRecord)`` / ``delete(ConsentRecord)`` statements bypass the mapper events."""
    mapper = state.bind_mapper
    if (
        (state.is_update or state.is_delete)
        and mapper is not None
        and mapper.class_ is ConsentRecord
    ):
        raise ConflictError("consent receipts are append-only: record a new one instead")


install_guard()


def bump(session: Session) -> None:
    """Called in the transaction of every receipt, restriction, objection or lift: the consent
    checks cached in every process (``consent.checks``) are stale."""
    session.execute(
        update(ConsentHead).where(ConsentHead.id == 1).values(version=ConsentHead.version + 1)
    )

"""rightsdesk's own data, minimised: a closed request's case record keeps no plaintext identity.

When a request has been closed for its case retention (``RIGHTSDESK_CASE_RETENTION_DAYS``, else
the longest record duty of its regimes, ``policy.case_retention``), the sweep erases its
identities, challenges and job errors, blanks its notes, reduces its params' free values to
keyed hashes, empties the payloads of its settled deliveries, deletes its checkpoints, its
export file, its signed documents and its authorised agent, and (for an erasure of the whole
person) their supplementary statements. What stays names the person only by keyed hashes. A
request still waiting on a delivery waits.

A completed account cancellation is also *unlinked*: every request of the account gets a key
of its own (so a later request with the same email starts a new history and is not counted
with the old account's requests for fees), its receipts are reduced to their hash, its consent
receipts are filed under the tombstone instead of the email's hash, and its attempt counters go.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, and_, delete, or_, select, update

from rightsdesk.audit import events
from rightsdesk.domain.jobs import DeliveryState
from rightsdesk.domain.requests import FINAL, RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.policy import CASE_RECORD_DAYS, Regime, case_retention
from rightsdesk.service.casefiles import agents, documents
from rightsdesk.service.consent.ledger import SUBJECT
from rightsdesk.service.erasures import journal
from rightsdesk.service.requests import lifecycle, subjects
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.store.models import (
    Attempt,
    Challenge,
    Checkpoint,
    ConsentRecord,
    Delivery,
    Job,
    Note,
    Receipt,
    Request,
    RequestIdentity,
    Statement,
    Tombstone,
)

ERASED = "[erased]"
#: Keys of a request's params whose values are the person's words or data (a correction's new
#: value and statement, an operator's evidence): reduced to keyed hashes.
FREE_VALUES = frozenset({"value", "statement", "evidence", "text"})


def retention_days(services: Services, regimes: Sequence[str]) -> int:
    """Days a closed request keeps the person's identity: the setting, else per regime."""
    configured = services.settings.case_retention_days
    if configured is not None:
        return configured
    return case_retention([Regime(r) for r in regimes])[0]


def sweep(services: Services) -> int:
    """Minimise every closed request whose case retention has ended; how many were."""
    now = services.clock()
    configured = services.settings.case_retention_days
    shortest = (
        configured if configured is not None else min(d for d, _ in CASE_RECORD_DAYS.values())
    )
    with services.store.session() as session:
        held = select(RequestIdentity.request_id)
        candidates = session.execute(
            select(Request.id, Request.regimes, Request.closed_at).where(
                Request.status.in_([s.value for s in FINAL]),
                Request.closed_at <= now - timedelta(days=shortest),
                Request.id.in_(held),
            )
        ).all()
    due = [
        request_id
        for request_id, regimes, closed_at in candidates
        if closed_at + timedelta(days=retention_days(services, regimes)) <= now
    ]
    done = 0
    for request_id in due:
        with unit(services) as work:
            done += minimise(services, work, request_id)
    return done


def minimise(services: Services, work: Unit, request_id: str) -> bool:
    """Reduce one closed request's case record; False while a delivery of it is pending."""
    request = lifecycle.load(work, request_id)
    if not request.identities or request.status not in {s.value for s in FINAL}:
        return False
    pending = select(Delivery.id).where(
        Delivery.request_id == request_id, Delivery.state == DeliveryState.PENDING.value
    )
    if work.session.scalars(pending).first() is not None:
        return False
    identities = [Identity(i.kind, i.value) for i in request.identities]
    counts: dict[str, Any] = {"retention_days": retention_days(services, request.regimes)}
    tombstone = work.session.scalars(
        select(Tombstone.id).where(Tombstone.request_id == request_id)
    ).first()
    if tombstone is not None:
        counts.update(_unlink(services, work, request, identities, tombstone))
    elif _erases_person(request):
        counts["statements"] = _drop_statements(services, work, identities)
    counts.update(_reduce(services, work, request))
    lifecycle.record(work, request, events.CASE_MINIMISED, actor="system", data=counts)
    return True


def _erases_person(request: Request) -> bool:
    """A deletion of everything that ran: the person's statements go with their data."""
    whole = request.type == RequestType.DELETE.value and not request.params.get("scope")
    return whole and request.status in {"completed", "partially_completed"}


def _reduce(services: Services, work: Unit, request: Request) -> dict[str, int]:
    """Erase what names the person in the request's own rows; counts of what changed."""
    session, request_id = work.session, request.id
    counts = {"identities": len(request.identities)}
    request.identities.clear()
    challenges = delete(Challenge).where(Challenge.request_id == request_id)
    counts["challenges"] = _count(session.execute(challenges))
    counts["notes"] = _count(
        session.execute(update(Note).where(Note.request_id == request_id).values(text=ERASED))
    )
    settled = and_(Delivery.request_id == request_id, Delivery.state != DeliveryState.PENDING.value)
    counts["deliveries"] = _count(
        session.execute(
            update(Delivery).where(settled).values(payload={"minimised": True}, last_error=None)
        )
    )
    session.execute(update(Job).where(Job.request_id == request_id).values(error=None))
    session.execute(
        update(Statement).where(Statement.request_id == request_id).values(request_id=None)
    )
    run_id = (request.outcome.run or {}).get("run_id")
    if run_id:
        session.execute(delete(Checkpoint).where(Checkpoint.run_id == run_id))
    export = request.outcome.export
    counts["exports"] = 0
    if export is not None and (path := services.exports_dir / export.file).exists():
        path.unlink()
        counts["exports"] = 1
    counts["documents"] = documents.erase(work, request_id)  # key and ciphertext together
    counts["agents"] = agents.erase(work, request_id)
    request.params = _hashed(services, request.params)
    request.idempotency_key = None
    return counts


def _unlink(
    services: Services, work: Unit, request: Request, identities: list[Identity], tombstone: str
) -> dict[str, int]:
    """Nothing left of a cancelled account leads from its identifiers to its tombstone."""
    session = work.session
    same = [
        and_(RequestIdentity.kind == i.kind, RequestIdentity.value.in_({i.value, _canon(i)}))
        for i in identities
    ]
    by_identity = select(RequestIdentity.request_id).where(or_(*same))
    account = session.scalars(
        select(Request).where(
            or_(Request.subject_key == request.subject_key, Request.id.in_(by_identity)),
            Request.status.in_([s.value for s in FINAL]),
        )
    ).all()
    for each in account:
        person = services.secrets.mac("attempts-person", each.subject_key)
        session.execute(delete(Attempt).where(Attempt.key == person))
        each.subject_key = services.secrets.mac("minimised-subject", each.id)
        for receipt in session.scalars(select(Receipt).where(Receipt.request_id == each.id)):
            receipt.document = _receipt_hash(receipt.id, receipt.document)
    journal.unlink(work, [each.id for each in account])
    return {
        "unlinked": len(account),
        "consent_receipts": _refile_consents(services, work, request, identities, tombstone),
        "statements": _drop_statements(services, work, identities),
    }


def _refile_consents(
    services: Services, work: Unit, request: Request, identities: list[Identity], tombstone: str
) -> int:
    """File the account's consent receipts under the tombstone: kept as proof, unlinked.

    The receipts are append-only for everything else; this changes only whom they name."""
    keys = set(subjects.refs(services, SUBJECT, identities))
    keys |= set(
        work.session.scalars(
            select(ConsentRecord.subject).where(ConsentRecord.request_id == request.id)
        )
    )
    table = ConsentRecord.__table__
    assert isinstance(table, Table)
    rows = work.session.execute(
        select(table.c.id, table.c.receipt).where(table.c.subject.in_(sorted(keys)))
    ).all()
    filed = services.secrets.mac("minimised-consent", tombstone)
    connection = work.session.connection()  # past the ORM's append-only guard, on purpose
    for receipt_id, receipt in rows:
        connection.execute(
            table.update()
            .where(table.c.id == receipt_id)
            .values(subject=filed, receipt={**receipt, "piiPrincipalId": filed})
        )
    return len(rows)


def _drop_statements(services: Services, work: Unit, identities: list[Identity]) -> int:
    keys = subjects.refs(services, "statement", identities)
    return _count(work.session.execute(delete(Statement).where(Statement.subject.in_(keys))))


def _hashed(services: Services, value: Any, key: str = "") -> Any:
    """``params`` with the person's free values (``FREE_VALUES`` keys) as keyed hashes."""
    if isinstance(value, dict):
        return {k: _hashed(services, v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_hashed(services, v, key) for v in value]
    if key in FREE_VALUES and value is not None:
        return "hmac-sha256:" + services.secrets.mac("minimised-param", str(value))
    return value


def _receipt_hash(receipt_id: str, document: dict[str, Any]) -> dict[str, Any]:
    """A receipt reduced to its hash: the person's copy still matches it, nothing else links."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return {"minimised": True, "receipt_id": receipt_id, "sha256": digest}


def _canon(identity: Identity) -> str:
    try:
        return subjects.canonical(identity)
    except ValueError:
        return identity.value


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)

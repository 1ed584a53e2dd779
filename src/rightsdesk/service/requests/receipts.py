"""Signed receipts for completed requests: what was done where, what was kept and why."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import select

from rightsdesk.audit import log as audit
from rightsdesk.audit.receipts import (
    AuditHead,
    CollectionOutcome,
    Receipt,
    RefusedPart,
    ResidueCheck,
    RetainedData,
    SystemOutcome,
    sign_receipt,
)
from rightsdesk.domain.errors import AuthenticationError, Code, NotFoundError
from rightsdesk.domain.outcome import RunCollection
from rightsdesk.domain.requests import RequestType
from rightsdesk.policy import Regime
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.service.verification import codes as verification
from rightsdesk.store.models import Receipt as ReceiptRow
from rightsdesk.store.models import Request

ISSUER = "rightsdesk"


def issue(services: Services, work: Unit, request: Request) -> str:
    """Build, sign and store the receipt of a request that has just completed."""
    collections = request.outcome.collections()
    exported = RequestType(request.type) in (RequestType.ACCESS, RequestType.PORTABILITY)
    per_system: dict[str, list[CollectionOutcome]] = defaultdict(list)
    retained: list[RetainedData] = []
    for dotted, result in collections.items():
        system, _, collection = dotted.partition(".")
        per_system[system] += _outcomes(collection, result, exported=exported)
        for kept in result.get("retained", []):
            until = kept.get("until")
            retained.append(
                RetainedData(
                    system=system,
                    collection=collection,
                    rows=kept["rows"],
                    rule=kept["rule"],
                    legal_basis=kept["basis"],
                    retain_until=date.fromisoformat(until) if until else None,
                )
            )
    head = audit.seal(work.session)  # the receipt names the head that includes its own run
    receipt = Receipt(
        receipt_id=uuid.uuid4().hex,
        request_id=request.id,
        request_type=RequestType(request.type),
        regimes=tuple(request.regimes),
        subject_ref=f"hmac-sha256:{request.subject_key}",
        received_at=request.received_at,
        completed_at=work.now,
        status="partially_completed" if request.outcome.refused_parts else "completed",
        systems=tuple(SystemOutcome(system=s, collections=tuple(c)) for s, c in per_system.items()),
        retained=tuple(retained),
        residue=tuple(
            ResidueCheck.model_validate(r) for r in (request.outcome.run or {}).get("residue", [])
        ),
        refused_parts=_refused(services, request),
        audit_head=AuditHead(seq=head.seq, hash=head.hash),
        issuer=ISSUER,
        issued_at=work.now,
    )
    document = sign_receipt(receipt, services.signing_key)
    work.session.add(
        ReceiptRow(
            id=receipt.receipt_id, request_id=request.id, issued_at=work.now, document=document
        )
    )
    return receipt.receipt_id


def _refused(services: Services, request: Request) -> tuple[RefusedPart, ...]:
    remedies = tuple(r.text for r in services.policy.remedies(_regimes(request), request.locale))
    return tuple(
        RefusedPart(
            part=p.part or "",
            ground=p.ground,
            justification=p.justification or "",
            title=p.title or None,
            places=p.places,
            alternative=p.alternative or None,
            remedies=remedies,
        )
        for p in request.outcome.refused_parts
    )


def _regimes(request: Request) -> list[Regime]:
    return [Regime(r) for r in request.regimes]


def _outcomes(collection: str, result: RunCollection, *, exported: bool) -> list[CollectionOutcome]:
    if exported:
        found = int(result.get("found", 0))
        return [
            CollectionOutcome(
                collection=collection, action="exported" if found else "none", rows=found
            )
        ]
    items = []
    if result.get("deleted"):
        items.append(
            CollectionOutcome(collection=collection, action="deleted", rows=result["deleted"])
        )
    if result.get("masked"):
        items.append(
            CollectionOutcome(collection=collection, action="masked", rows=result["masked"])
        )
    kept = sum(int(r["rows"]) for r in result.get("retained", []))
    if kept:
        items.append(CollectionOutcome(collection=collection, action="retained", rows=kept))
    if result.get("held"):  # left as they were: a refused part holds them
        items.append(CollectionOutcome(collection=collection, action="held", rows=result["held"]))
    return items or [CollectionOutcome(collection=collection, action="none", rows=0)]


def document(services: Services, request_id: str) -> dict[str, Any]:
    with services.store.session() as session:
        row = session.scalars(select(ReceiptRow).where(ReceiptRow.request_id == request_id)).first()
        if row is None:
            raise NotFoundError(
                f"request {request_id!r} has no receipt (yet)", code=Code.NO_RECEIPT
            )
        return dict(row.document)


def for_person(services: Services, request_id: str, token: str) -> dict[str, Any]:
    with unit(services) as work:
        holder = verification.resolve_token(services, work, request_id, token)
        if holder.verified_at is None:
            raise AuthenticationError(
                "verify with the code sent to you first", code=Code.VERIFY_FIRST
            )
    return document(services, request_id)


def _basis(services: Services, rule: object, written: object, locale: str) -> str:
    """Why rows were kept, in the person's language: the data map's ``rule`` (the run kept its
    words in the map's own language), else as the run ``written`` it."""
    rules = services.datamap.retention if services.datamap else ()
    found = next((r for r in rules if r.name == rule), None)
    return str(written) if found is None else found.basis.get(locale)


def notice_context(services: Services, request: Request) -> dict[str, Any]:
    """What every completion answer tells: what was done where, what was kept and why, what
    was not done (each refused part: ground, reasons, where to go instead) and the remedies."""
    kept, done = [], []
    for dotted, result in request.outcome.collections().items():
        for item in result.get("retained", []):
            kept.append(
                {
                    "collection": dotted,
                    "rows": item["rows"],
                    "basis": _basis(services, item.get("rule"), item["basis"], request.locale),
                    "until": item.get("until"),
                }
            )
        counts = (result.get("deleted"), result.get("masked"), result.get("updated"))
        changed = sum(n or 0 for n in counts)
        if changed:
            done.append({"collection": dotted, "rows": changed})
    refused = [
        {
            "part": p.part,
            "title": p.title or p.ground,
            "justification": p.justification,
            "alternative": p.alternative,
            "held": p.holding(),
        }
        for p in request.outcome.refused_parts
    ]
    remedies = services.policy.remedies(_regimes(request), request.locale) if refused else []
    return {
        "retained": kept,
        "done": done,
        "refused": refused,
        "remedies": [r.text for r in remedies],
    }

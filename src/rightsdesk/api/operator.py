"""Operators' endpoints: find, view and decide requests; every call needs a scoped API key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from rightsdesk.api.auth import OperatorDep, ServicesDep
from rightsdesk.api.person import document_body, upload
from rightsdesk.api.schemas import (
    NEXT_LINKS,
    PRINTABLE,
    AssignIn,
    AuditOut,
    BreakOut,
    Done,
    EvidenceIn,
    LiftIn,
    LiftOut,
    LockoutOut,
    NoteIn,
    ReasonIn,
    RefuseIn,
    RequestId,
    RequestPage,
    RequiredReasonIn,
    SubmitOut,
    TicketBatchIn,
    TicketBatchOut,
    TicketIn,
)
from rightsdesk.audit import log as audit
from rightsdesk.domain.agents import DocumentKind
from rightsdesk.domain.requests import RequestType, Status
from rightsdesk.policy import Regime
from rightsdesk.service.casefiles import filing
from rightsdesk.service.casefiles.documents import DocumentView
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import intake, tickets, views
from rightsdesk.service.runtime.operators import Scope
from rightsdesk.service.verification import attempts

router = APIRouter(prefix="/v1/admin", tags=["operator"])


@router.post(
    "/requests",
    status_code=status.HTTP_201_CREATED,
    response_model=SubmitOut,
    responses={201: {"links": NEXT_LINKS}},
)
def submit_ticket(body: TicketIn, op: OperatorDep, svc: ServicesDep) -> SubmitOut:
    """Record a request received by another channel (ticket, phone, letter) for a person."""
    op.require(Scope.DECIDE)
    done = intake.submit(
        svc, body.submission(channel="ticket", actor=op.actor, evidence=body.evidence)
    )
    return _submitted(done)


def _submitted(done: intake.Submitted) -> SubmitOut:
    return SubmitOut(
        id=done.request.id,
        status=done.request.status,
        token=done.token,
        joined=done.joined,
        due=done.request.due,
        next_step="give the person this token, or verify them with recorded evidence",
    )


@router.post("/requests/batch", status_code=status.HTTP_201_CREATED, response_model=TicketBatchOut)
def submit_tickets(body: TicketBatchIn, op: OperatorDep, svc: ServicesDep) -> TicketBatchOut:
    """Record up to 1,000 tickets in one call, and approve them if asked; all or none."""
    batch = [
        t.submission(channel="ticket", actor=op.actor, evidence=t.evidence) for t in body.requests
    ]
    taken = tickets.take_in(svc, op, batch, approve=body.approve, reason=body.reason)
    return TicketBatchOut(requests=[_submitted(done) for done in taken])


@router.get("/requests", response_model=RequestPage)
def search(
    op: OperatorDep,
    svc: ServicesDep,
    status_: Annotated[list[Status] | None, Query(alias="status")] = None,
    type_: Annotated[RequestType | None, Query(alias="type")] = None,
    regime: Annotated[Regime | None, Query(description="The governing regime.")] = None,
    deadline: Annotated[str | None, Query(pattern="^(at_risk|overdue)$")] = None,
    assignee: Annotated[str | None, Query(max_length=128, pattern=PRINTABLE)] = None,
    q: Annotated[
        str | None,
        Query(max_length=320, pattern=PRINTABLE, description="Request id or identity value."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> RequestPage:
    """List requests by status, type, regime, deadline (at_risk, overdue), assignee, or search."""
    op.require(Scope.READ)
    spec = views.Filter(tuple(status_ or ()), type_, deadline, assignee, q, limit, offset, regime)
    total, items = views.search(svc, spec)
    return RequestPage(total=total, items=items)


@router.get("/requests/{request_id}", response_model=views.RequestDetail)
def show(request_id: RequestId, op: OperatorDep, svc: ServicesDep) -> views.RequestDetail:
    """One request with the person's identities, notes and its audit trail."""
    op.require(Scope.READ)
    return views.detail(svc, request_id)


@router.post("/requests/{request_id}/approve", response_model=Done)
def approve(request_id: RequestId, body: ReasonIn, op: OperatorDep, svc: ServicesDep) -> Done:
    """Approve a verified request; answers with its status now (access and delete then run)."""
    requests.approve(svc, op, request_id, body.reason)
    return Done(status=views.detail(svc, request_id).status)


@router.post("/requests/{request_id}/refuse", response_model=Done)
def refuse(request_id: RequestId, body: RefuseIn, op: OperatorDep, svc: ServicesDep) -> Done:
    """Refuse with a ground from the policy's catalogue, a justification, and optionally a part."""
    requests.refuse(
        svc,
        op,
        request_id,
        ground=body.ground,
        justification=body.justification,
        parts=body.parts,
        alternative=body.alternative,
        evidence=body.evidence,
    )
    return Done(status=views.detail(svc, request_id).status)


@router.post("/requests/{request_id}/lift", response_model=LiftOut)
def lift(request_id: RequestId, body: LiftIn, op: OperatorDep, svc: ServicesDep) -> LiftOut:
    """Lift the hold a partial refusal put on places; after the run a follow-up handles them."""
    followup = requests.lift(svc, op, request_id, body.reason, body.places)
    return LiftOut(status=views.detail(svc, request_id).status, followup=followup)


@router.post("/requests/{request_id}/extend", response_model=Done)
def extend(
    request_id: RequestId, body: RequiredReasonIn, op: OperatorDep, svc: ServicesDep
) -> Done:
    """Extend the deadline where the regime allows it; the person is told why."""
    requests.extend(svc, op, request_id, body.reason)
    return Done()


@router.post("/requests/{request_id}/assign", response_model=Done)
def assign(request_id: RequestId, body: AssignIn, op: OperatorDep, svc: ServicesDep) -> Done:
    requests.assign(svc, op, request_id, body.assignee)
    return Done()


@router.post("/requests/{request_id}/notes", response_model=Done)
def add_note(request_id: RequestId, body: NoteIn, op: OperatorDep, svc: ServicesDep) -> Done:
    requests.note(svc, op, request_id, body.text)
    return Done()


@router.post("/requests/{request_id}/fraud", response_model=Done)
def flag_fraud(request_id: RequestId, body: NoteIn, op: OperatorDep, svc: ServicesDep) -> Done:
    """Flag suspected fraud (CCR 7061(b)): the run waits for a fresh verification; ``text`` is
    the documented reason. Deny instead with ground ``suspected_fraud`` and its evidence."""
    requests.flag_fraud(svc, op, request_id, body.text)
    return Done()


@router.post("/requests/{request_id}/verify", response_model=Done)
def verify(request_id: RequestId, body: EvidenceIn, op: OperatorDep, svc: ServicesDep) -> Done:
    """Attest the person's identity from evidence kept elsewhere (e.g. a signed written request)."""
    requests.verify_for(svc, op, request_id, body.evidence)
    return Done()


@router.post("/requests/{request_id}/stop-confirmed", response_model=Done)
def stop_confirmed(
    request_id: RequestId, body: EvidenceIn, op: OperatorDep, svc: ServicesDep
) -> Done:
    """Record that the host confirmed it stopped processing (a call, a ticket: the evidence)
    for a withdrawal or cancellation ``awaiting_stop``; the request then completes."""
    requests.record_stop(svc, op, request_id, body.evidence)
    return Done(status=views.detail(svc, request_id).status)


@upload(router, "/requests/{request_id}/documents/{kind}")
async def attach_document(
    request_id: RequestId, kind: DocumentKind, request: Request, op: OperatorDep, svc: ServicesDep
) -> DocumentView:
    """File a signed document received another way (a letter): a written request, an agent's
    permission or power of attorney; kept encrypted with the case (415, 413 as for the person)."""
    data = await document_body(request)
    return await run_in_threadpool(filing.attach_for, svc, op, request_id, kind, data)


@router.get("/requests/{request_id}/documents", response_model=list[DocumentView])
def documents(request_id: RequestId, op: OperatorDep, svc: ServicesDep) -> list[DocumentView]:
    """The signed documents kept with the case (kind, type, size, SHA-256; not the content)."""
    return filing.listing(svc, op, request_id)


@router.get(
    "/requests/{request_id}/documents/{document_id}",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "image/png": {}, "image/jpeg": {}}}},
)
def download_document(
    request_id: RequestId,
    document_id: Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")],
    op: OperatorDep,
    svc: ServicesDep,
) -> Response:
    """One document, decrypted (scope decide; every download is audited)."""
    opened = filing.read(svc, op, request_id, document_id)
    shown = opened.document
    name = f"{shown.kind.value}-{shown.id}.{shown.media_type.rsplit('/', 1)[1]}"
    headers = {
        "Content-Disposition": f'attachment; filename="{name}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }
    return Response(opened.content, media_type=shown.media_type, headers=headers)


@router.post(
    "/requests/{request_id}/run", status_code=status.HTTP_202_ACCEPTED, response_model=Done
)
def run(request_id: RequestId, op: OperatorDep, svc: ServicesDep) -> Done:
    requests.run(svc, op, request_id)
    return Done()


@router.post(
    "/requests/{request_id}/retry", status_code=status.HTTP_202_ACCEPTED, response_model=Done
)
def retry(request_id: RequestId, op: OperatorDep, svc: ServicesDep) -> Done:
    requests.retry(svc, op, request_id)
    return Done()


@router.get("/audit/verify", response_model=AuditOut)
def audit_verify(op: OperatorDep, svc: ServicesDep) -> AuditOut:
    """Check the whole audit chain: any edited, removed or reordered entry is reported."""
    op.require(Scope.ADMIN)
    count, breaks = audit.check(svc.store)
    return AuditOut(
        entries=count,
        intact=not breaks,
        breaks=[BreakOut(seq=b.seq, kind=str(b.kind), message=b.message) for b in breaks],
    )


@router.get("/lockouts", response_model=list[LockoutOut])
def lockouts(
    op: OperatorDep,
    svc: ServicesDep,
    hours: Annotated[int, Query(ge=1, le=24 * 30, description="How far back to look.")] = 24,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[LockoutOut]:
    """People and client addresses blocked after too many codes sent or wrong codes, newest
    first (each is also in its request's audit trail)."""
    op.require(Scope.READ)
    return [
        LockoutOut.model_validate(found, from_attributes=True)
        for found in attempts.recent(svc, hours, limit)
    ]

"""Read-only views of requests for the edges (API, CLI, pages); nothing outside service sees ORM
rows. These records are also the API's response bodies (``api/operator.py``, ``api/person.py``):
one definition for every edge."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from rightsdesk.audit import log as audit
from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.requests import OPEN, RequestType, Status
from rightsdesk.domain.subjects import Identity
from rightsdesk.export import processing
from rightsdesk.policy import Regime, Urgency
from rightsdesk.service.casefiles import agents, documents
from rightsdesk.service.casefiles.agents import AgentView
from rightsdesk.service.casefiles.documents import DocumentView
from rightsdesk.service.requests import lifecycle
from rightsdesk.service.runtime.context import Services, unit
from rightsdesk.service.workflows import access
from rightsdesk.store.models import Note, Request, RequestIdentity


@dataclass(frozen=True)
class Fee:
    """The fee a request costs (a decimal amount as text) and whether the person accepted it."""

    amount: str
    currency: str | None
    accepted: bool


@dataclass(frozen=True)
class NoteView:
    """An operator's note on a request."""

    author: str
    at: datetime
    text: str


@dataclass(frozen=True)
class AuditEntry:
    """One audit record of the request (the hashed record's fields, never the columns)."""

    seq: int
    at: datetime
    event: str
    actor: str | None
    status_from: str | None
    status_to: str | None
    reason: str | None
    data: dict[str, Any] | None  # event-specific, as docs/audit.md lists per event


@dataclass(frozen=True)
class RequestView:
    """A request as the person and the operators' lists see it."""

    id: str
    type: str
    status: str
    channel: str
    regimes: list[str]
    locale: str
    received_at: datetime
    updated_at: datetime
    due: date
    max_due: date
    ack_due: date | None
    governing_regime: str
    deadline: str  # on_time | at_risk | overdue | closed
    verified: bool
    fee: Fee | None
    assignee: str | None
    outcome: dict[str, Any]  # the stored outcome's JSON (domain/outcome.py)
    closed_at: datetime | None
    #: An account cancellation's end of cooling-off (ISO), while it may still be revoked.
    cooling_off_until: str | None = None
    #: What an access answer tells besides the data: purposes, recipients, ... (ACC-03).
    processing: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True)
class RequestDetail(RequestView):
    """Everything an operator sees of one request: identities, notes, the audit trail."""

    identities: list[Identity]
    notes: list[NoteView]
    events: list[AuditEntry]
    #: The authorised agent who submitted it (CCR 7063), if one did.
    agent: AgentView | None = None
    #: Signed documents kept with the case (content by ``casefiles.filing.read``), and the
    #: kinds an approval still waits for.
    documents: list[DocumentView] = field(default_factory=list)
    documents_missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Filter:
    status: tuple[Status, ...] = ()
    type: RequestType | None = None
    deadline: str | None = None  # at_risk | overdue
    assignee: str | None = None
    q: str | None = None  # request id, or an identity value (exact)
    limit: int = 50
    offset: int = 0
    regime: Regime | None = None  # the governing regime


def view(services: Services, request: Request, *, now: datetime) -> RequestView:
    fee = None
    if request.fee_amount is not None:
        fee = Fee(
            str(request.fee_amount), request.fee_currency, request.fee_accepted_at is not None
        )
    return RequestView(
        id=request.id,
        type=request.type,
        status=request.status,
        channel=request.channel,
        regimes=list(request.regimes),
        locale=request.locale,
        received_at=request.received_at,
        updated_at=request.updated_at,
        due=request.due,
        max_due=request.max_due,
        ack_due=request.ack_due,
        governing_regime=request.governing_regime,
        deadline=deadline_state(services, request, now),
        verified=request.verified_at is not None,
        fee=fee,
        assignee=request.assignee,
        outcome=_outcome(services, request),
        closed_at=request.closed_at,
        cooling_off_until=request.params.get("cooling_off_until"),
    )


def processing_of(services: Services, request: Request) -> dict[str, Any] | None:
    """The ``processing`` section of a completed access, as its export holds it (ACC-03)."""
    run = request.outcome.run
    if request.type != RequestType.ACCESS.value or not run or services.datamap is None:
        return None
    context = access.told(services, request.regimes, request.locale)
    apart = run.get("held_apart", ())
    return processing.build(services.datamap, access.held_in(run), context, apart)


def _outcome(services: Services, request: Request) -> dict[str, Any]:
    """The outcome as stored; with refused parts, the remedies the person has (RSP-08)."""
    outcome = request.outcome.to_json()
    if request.outcome.refused_parts:
        regimes = [Regime(r) for r in request.regimes]
        outcome["remedies"] = [r.text for r in services.policy.remedies(regimes, request.locale)]
    return outcome


def deadline_state(services: Services, request: Request, now: datetime) -> str:
    """on_time, at_risk, overdue (judged on the governing regime's local date) or closed."""
    if Status(request.status) not in OPEN:
        return "closed"
    due = services.policy.due(Regime(request.governing_regime), request.due)
    state = services.policy.status(due, now).state
    return "on_time" if state is Urgency.ON_TRACK else state.value


def due_before(services: Services, now: datetime, days: int = 0) -> ColumnElement[bool]:
    """Requests whose due day is before (local today + ``days``) of their governing regime."""
    return or_(
        *(
            and_(
                Request.governing_regime == regime.value,
                Request.due < services.policy.today(regime, now) + timedelta(days=days),
            )
            for regime in Regime
        )
    )


def deadline_is(services: Services, now: datetime, state: str) -> ColumnElement[bool]:
    """Open requests ``overdue`` or ``at_risk``: one definition for the filter and the metrics."""
    open_ = Request.status.in_([s.value for s in OPEN])
    overdue = due_before(services, now)
    if state == "overdue":
        return and_(open_, overdue)
    if state == "at_risk":
        horizon = due_before(services, now, services.policy.config.at_risk_days + 1)
        return and_(open_, ~overdue, horizon)
    raise PolicyError("deadline filter is at_risk or overdue")


def detail(services: Services, request_id: str) -> RequestDetail:
    """Everything an operator sees: identities, notes, the audit trail."""
    with unit(services) as work:
        request = lifecycle.load(work, request_id, lock=False)
        base = replace(
            view(services, request, now=work.now), processing=processing_of(services, request)
        )
        notes = work.session.scalars(
            select(Note).where(Note.request_id == request_id).order_by(Note.id)
        )
        return RequestDetail(
            **vars(base),
            identities=[Identity(i.kind, i.value) for i in request.identities],
            notes=[NoteView(n.author, n.at, n.text) for n in notes],
            events=[_entry(e.seq, e.record) for e in audit.events_for(work.session, request_id)],
            agent=agents.view(work, request_id),
            documents=documents.listing(work, request_id),
            documents_missing=[k.value for k in agents.missing(services, work, request)],
        )


def search(services: Services, spec: Filter) -> tuple[int, list[RequestView]]:
    if not 1 <= spec.limit <= 500 or spec.offset < 0:
        raise PolicyError("limit must be 1..500 and offset >= 0")
    with unit(services) as work:
        query = _filtered(services, spec, work.now)
        total = work.session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = work.session.scalars(
            query.order_by(Request.due, Request.received_at).limit(spec.limit).offset(spec.offset)
        )
        return total, [view(services, r, now=work.now) for r in rows]


def _filtered(services: Services, spec: Filter, now: datetime) -> Select[tuple[Request]]:
    query = select(Request)
    if spec.status:
        query = query.where(Request.status.in_([s.value for s in spec.status]))
    if spec.type is not None:
        query = query.where(Request.type == spec.type.value)
    if spec.assignee is not None:
        query = query.where(Request.assignee == spec.assignee)
    if spec.regime is not None:
        query = query.where(Request.governing_regime == spec.regime.value)
    if spec.deadline is not None:
        query = query.where(deadline_is(services, now, spec.deadline))
    if spec.q:
        by_identity = select(RequestIdentity.request_id).where(RequestIdentity.value == spec.q)
        query = query.where((Request.id == spec.q) | Request.id.in_(by_identity))
    return query


def _entry(seq: int, record: dict[str, Any]) -> AuditEntry:
    """Only hashed fields: the record, not the columns beside it."""
    return AuditEntry(
        seq=seq,
        at=audit.event_time(record),
        event=record["event"],
        actor=record.get("actor"),
        status_from=record.get("status_from"),
        status_to=record.get("status_to"),
        reason=record.get("reason"),
        data=record.get("data"),
    )

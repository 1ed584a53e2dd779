"""Decisions on a request (repeats, fees, approval, refusal, extension), each with reasons."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from rightsdesk.audit import events
from rightsdesk.domain.agents import DocumentKind
from rightsdesk.domain.errors import Code, ConflictError, PolicyError
from rightsdesk.domain.outcome import Mark, Refusal
from rightsdesk.domain.requests import OPEN, Event, RequestType, Status
from rightsdesk.engine import holds
from rightsdesk.policy import Due, Outcome, Regime
from rightsdesk.service.casefiles import agents
from rightsdesk.service.requests import lifecycle
from rightsdesk.service.requests.jobs import enqueue
from rightsdesk.service.requests.notices import notice
from rightsdesk.service.requests.views import due_before
from rightsdesk.service.runtime.context import Services, Unit
from rightsdesk.service.workflows.table import workflow
from rightsdesk.store.models import Note, Request

log = logging.getLogger("rightsdesk.service")


def after_step(services: Services, work: Unit, request: Request) -> None:
    """Move a request on as far as policy allows without a person deciding."""
    if workflow(request.type).after_verification(services, work, request):
        return  # the type's workflow took it on (e.g. a cancellation asks for confirmation)
    if Status(request.status) is Status.VERIFIED:
        _judge_repeats(services, work, request)
    status = Status(request.status)
    manual = services.policy.approval(RequestType(request.type)).manual
    waiting = status is Status.AWAITING_APPROVAL
    if waiting and (absent := agents.missing(services, work, request)):
        _ask_documents(work, request, absent)  # approved once they are attached (INT-11, -14)
    elif waiting and not manual:
        approve(services, work, request, actor="system", reason="approved automatically by policy")
    elif status is Status.APPROVED:
        enqueue(services, work, request)


def approve(
    services: Services, work: Unit, request: Request, *, actor: str, reason: str | None = None
) -> None:
    agents.require(services, work, request)  # the signed documents the case needs
    lifecycle.advance(work, request, Event.APPROVE, actor=actor, reason=reason)
    enqueue(services, work, request)


def accept_fee(services: Services, work: Unit, request: Request) -> None:
    lifecycle.advance(
        work,
        request,
        Event.ACCEPT_FEE,
        actor="person",
        data={"amount": str(request.fee_amount), "currency": request.fee_currency},
    )
    request.fee_accepted_at = work.now
    after_step(services, work, request)


def refuse(
    services: Services,
    work: Unit,
    request: Request,
    *,
    actor: str,
    ground: str,
    justification: str,
    parts: Sequence[str] = (),
    alternative: str | None = None,
    evidence: str | None = None,
) -> None:
    """Refuse in whole, or only the places of the data map ``parts`` names (the rest goes on,
    and the run leaves those places as they are until the hold is lifted); the person is told
    why and what they can do (DEL-10, RSP-06..08)."""
    places = holds.check(services.require_datamap(), parts) if parts else ()
    if places and Status(request.status) is Status.IN_PROGRESS:
        raise ConflictError("the run has started; refuse parts of a request before it runs")
    part = ", ".join(places) if places else None
    refusal = services.policy.refusal(
        ground, justification, part=part, alternative=alternative, evidence=evidence
    )
    entry = Refusal(
        ground=refusal.ground.code,
        title=refusal.ground.title(request.locale),
        justification=refusal.justification,
        part=part,
        alternative=alternative,
        places=tuple(places),
    )
    if not places:
        lifecycle.advance(
            work, request, Event.REFUSE, actor=actor, reason=justification, data={"ground": ground}
        )
        request.outcome = replace(request.outcome, refusal=entry)
    else:
        data = {"ground": ground, "places": list(places)}
        lifecycle.record(
            work, request, events.REFUSE_PART, actor=actor, reason=justification, data=data
        )
        request.outcome = replace(
            request.outcome, refused_parts=(*request.outcome.refused_parts, entry)
        )
    remedies = services.policy.remedies(_regimes(request), request.locale)
    context = {
        **entry.to_json(),
        "partial": part is not None,
        "remedies": [r.text for r in remedies],
    }
    _notify(request, work, "refused", context)
    agents.tell(work, request, "refused", context)  # an agent who asked is told why too


def lift(
    services: Services,
    work: Unit,
    request: Request,
    *,
    actor: str,
    reason: str,
    places: Sequence[str] = (),
) -> Request | None:
    """The ground of a partial refusal has ended: release the places it holds (those named, or
    all). Before the run, the run covers them; after it, the type's workflow opens a follow-up
    request that handles them. Returns that follow-up, if any."""
    if not reason.strip():
        raise PolicyError("say why the ground of the refusal has ended")
    if Status(request.status) is Status.IN_PROGRESS:
        raise ConflictError("the run is under way; lift the hold once it has finished")
    wanted = set(holds.check(services.require_datamap(), places)) if places else None
    lifted: list[str] = []
    parts: list[Refusal] = []
    mark = Mark(at=work.now.isoformat(), by=actor, reason=reason)
    for part in request.outcome.refused_parts:
        if part.holding() and (wanted is None or wanted & set(part.places)):
            lifted += part.places
            parts.append(replace(part, lifted=mark))
        else:
            parts.append(part)
    if not lifted:
        held = ", ".join(request.outcome.held()) or "none"
        raise ConflictError(f"no refused part holds those places; held now: {held}")
    request.outcome = replace(request.outcome, refused_parts=tuple(parts))
    followup = None
    if Status(request.status) in (Status.COMPLETED, Status.PARTIALLY_COMPLETED):
        followup = workflow(request.type).lifted(services, work, request, lifted)
    data = {"places": lifted, "followup": followup.id if followup is not None else None}
    lifecycle.record(work, request, events.LIFT_HOLD, actor=actor, reason=reason, data=data)
    return followup


def extend(services: Services, work: Unit, request: Request, *, actor: str, reason: str) -> None:
    """Push the due date out where the regime allows, before the original date passes (RSP-02)."""
    deadlines = services.policy.deadlines(
        request.received_at, _regimes(request), RequestType(request.type)
    )
    current = Due(deadlines.respond.regime, request.due, deadlines.respond.timezone)
    decision = services.policy.extend(deadlines, now=work.now, reason=reason, current=current)
    old = request.due
    request.due = decision.respond.day
    request.extended_at = work.now
    lifecycle.record(
        work,
        request,
        events.EXTEND,
        actor=actor,
        reason=reason,
        data={"from": old.isoformat(), "to": request.due.isoformat()},
    )
    _notify(request, work, "extended", {"due": request.due.isoformat(), "reason": reason})


def flag_fraud(work: Unit, request: Request, *, actor: str, reason: str) -> None:
    """Flag suspected fraud or a compromised account (CCR 7061(b), INT-05): the run then waits
    for a step-up verification made after the flag; the operator may instead refuse it on the
    ground ``suspected_fraud`` with the documented belief."""
    if not reason.strip():
        raise PolicyError("document why fraud is suspected")
    flag = Mark(at=work.now.isoformat(), by=actor, reason=reason)
    request.outcome = replace(request.outcome, fraud=flag)
    lifecycle.record(work, request, events.FRAUD_FLAGGED, actor=actor)


def assign(work: Unit, request: Request, *, actor: str, assignee: str) -> None:
    request.assignee = assignee
    lifecycle.record(work, request, events.ASSIGN, actor=actor, data={"assignee": assignee})


def note(work: Unit, request: Request, *, actor: str, text: str) -> None:
    if not text.strip():
        raise PolicyError("a note needs some text", code=Code.NOTE_EMPTY)
    work.session.add(Note(request_id=request.id, author=actor, at=work.now, text=text))
    lifecycle.record(work, request, events.NOTE, actor=actor)


def cancel(work: Unit, request: Request, *, actor: str) -> None:
    lifecycle.advance(work, request, Event.CANCEL, actor=actor)
    _notify(request, work, "cancelled", {})


def sweep(services: Services, work: Unit) -> dict[str, int]:
    """Expire requests left unverified or unpaid; CCPA ones are refused at day 45 (RSP-04)."""
    counts = {"expired": 0, "refused": 0}
    waiting = [
        Status.IDENTITY_UNVERIFIED.value,
        Status.AWAITING_FEE.value,
        Status.AWAITING_CONFIRMATION.value,
    ]
    query = select(Request).where(Request.status.in_(waiting)).with_for_update(skip_locked=True)
    for request in work.session.scalars(query):
        unverified = request.status == Status.IDENTITY_UNVERIFIED.value
        if unverified and "ccpa" in request.regimes:
            # CCPA: the 45-day clock runs even for unverified requests; deny as "cannot verify"
            if work.now >= request.received_at + timedelta(days=45):
                refuse(
                    services,
                    work,
                    request,
                    actor="system",
                    ground="cannot_verify",
                    justification="identity was not verified within 45 days of receipt",
                )
                counts["refused"] += 1
        elif (expiry := services.policy.unverified_expiry(request.received_at, work.now)).expired:
            lifecycle.advance(
                work, request, Event.EXPIRE, actor="system", reason="; ".join(expiry.reasons)
            )
            _notify(request, work, "expired", {})
            counts["expired"] += 1
    counts["cooled_off"] = _end_cooling_off(services, work)
    counts["overdue"] = _flag_overdue(services, work)
    return counts


def _end_cooling_off(services: Services, work: Unit) -> int:
    """Start the held runs (an account cancellation's cooling-off) that may start now."""
    query = select(Request).where(Request.status == Status.COOLING_OFF.value)
    due = [r for r in work.session.scalars(query) if workflow(r.type).ready(r, work.now)]
    for request in due:
        enqueue(services, work, request)
    return len(due)


def _flag_overdue(services: Services, work: Unit) -> int:
    """Audit (once) and log every open request past its due date: the SLA alert (RSP-09)."""
    query = (
        select(Request)
        .where(Request.status.in_([s.value for s in OPEN]), due_before(services, work.now))
        .with_for_update(skip_locked=True)
    )
    flagged = 0
    for request in work.session.scalars(query):
        if request.outcome.overdue_flagged == request.due.isoformat():
            continue
        request.outcome = replace(request.outcome, overdue_flagged=request.due.isoformat())
        lifecycle.record(
            work, request, events.OVERDUE, actor="system", data={"due": request.due.isoformat()}
        )
        log.warning(
            "request %s is overdue (due %s, %s)",
            request.id,
            request.due,
            request.status,
            extra={"request_id": request.id, "event": "overdue"},
        )
        flagged += 1
    return flagged


def _judge_repeats(services: Services, work: Unit, request: Request) -> None:
    earlier = work.session.scalars(
        select(Request.received_at).where(
            Request.subject_key == request.subject_key,
            Request.type == request.type,
            Request.id != request.id,
            Request.verified_at.is_not(None),
            Request.status.not_in([Status.CANCELLED.value, Status.EXPIRED.value]),
        )
    ).all()
    decision = services.policy.assess_repeat(
        RequestType(request.type), list(earlier), work.now, _regimes(request)
    )
    reasons = list(decision.reasons)
    if decision.outcome is Outcome.FEE:
        request.fee_amount = decision.amount
        request.fee_currency = decision.currency
        lifecycle.advance(
            work,
            request,
            Event.QUOTE_FEE,
            actor="system",
            reason="; ".join(reasons),
            data={"amount": str(decision.amount), "currency": decision.currency},
        )
        _notify(
            request,
            work,
            "fee_quote",
            {
                "amount": str(decision.amount),
                "currency": decision.currency,
                "reason": "; ".join(reasons),
            },
        )
    elif decision.outcome is Outcome.REFUSE:
        refuse(
            services,
            work,
            request,
            actor="system",
            ground="repeated",
            justification="; ".join(reasons),
        )
    else:
        lifecycle.advance(
            work, request, Event.QUEUE_FOR_APPROVAL, actor="system", reason="; ".join(reasons)
        )


def _ask_documents(work: Unit, request: Request, absent: Sequence[DocumentKind]) -> None:
    """Tell the person (and their agent) which signed documents the request waits for."""
    context = {"documents": [kind.value for kind in absent]}
    _notify(request, work, "documents_needed", context)
    agents.tell(work, request, "documents_needed", context)


def _regimes(request: Request) -> list[Regime]:
    return [Regime(r) for r in request.regimes]


def _notify(request: Request, work: Unit, kind: str, extra: dict[str, Any]) -> None:
    work.notices.append(notice(request, kind, extra))

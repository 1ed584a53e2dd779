"""Completing a request after its run: status, signed receipt and answer; and, for a withdrawal
or a cancellation, only once the host platform confirmed that it stopped (WDR-03, CAN-05).

Our side of a withdrawal or cancellation is done when the run ends, but the processing the
person asked to stop happens on the host platform. So the request goes ``awaiting_stop`` until
every host event of the kinds its workflow names (``Workflow.stop_events``: consent.withdrawn,
binding.revoked, account.cancel) is acknowledged: the host's webhook answered 2xx, the host
acknowledged the pulled event, or an operator recorded its confirmation (``record``, audited).
The acknowledgement completes the request after it commits (``Services.stop_acknowledged``,
bound by wiring); the sweep completes any that a crash left behind. The answer then says when
and by whom the stop was confirmed, never more.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from rightsdesk.domain.errors import Code, ConflictError, PolicyError
from rightsdesk.domain.jobs import DeliveryState, JobEvent
from rightsdesk.domain.outcome import Refusal
from rightsdesk.domain.requests import Event, Status
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.erasures import journal
from rightsdesk.service.requests import exports, lifecycle, receipts
from rightsdesk.service.requests.notices import notice
from rightsdesk.service.runtime import leases
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.service.workflows.table import workflow
from rightsdesk.store.models import Delivery, Job, Request

#: Who confirmed the stop: the host (webhook answer or pulled event), or an operator for it.
HOST, OPERATOR = "host", "operator"


def complete(
    services: Services, work: Unit, job: Job | None, request: Request, summary: dict[str, Any]
) -> bool:
    """Record the run and complete the request (or wait for the host to confirm the stop);
    mark its job done. False when another attempt settled it."""
    if Status(request.status) is not Status.IN_PROGRESS:
        return False  # an attempt that took over after a lapsed lease has settled it
    refused: Sequence[Refusal] = summary.pop("refused_parts", ())
    parts = (*request.outcome.refused_parts, *refused)
    request.outcome = replace(request.outcome, run=summary, refused_parts=parts)
    if job is not None:
        leases.move(job, JobEvent.FINISH, work.now)
        leases.release(job)
    waiting = unconfirmed(work, request)
    if waiting:
        kinds = sorted({d.event for d in waiting})
        data = {"stop_events": kinds, **({"job": job.id} if job is not None else {})}
        lifecycle.advance(work, request, Event.AWAIT_STOP, actor="system", data=data)
    else:
        conclude(services, work, request, job=job)
    return job is not None


def conclude(
    services: Services,
    work: Unit,
    request: Request,
    *,
    job: Job | None = None,
    by: str | None = None,
) -> None:
    """The last step: completed (or partially), signed receipt, answer to the person."""
    flow = workflow(request.type)
    extra = flow.finish(services, work, request, dict(request.outcome.run or {}))
    if flow.journaled:
        journal.record(services, work, request, request.outcome.run or {})
    extra.update(_stop_context(work, request, by))
    event = Event.COMPLETE_PARTIALLY if request.outcome.refused_parts else Event.COMPLETE
    data: dict[str, Any] = {"job": job.id} if job is not None else {}
    if by is not None:
        data["confirmed_by"] = by
    lifecycle.advance(work, request, event, actor="system", data=data or None)
    exports.revoke_for(services, work, request)
    receipt_id = receipts.issue(services, work, request)
    request.outcome = replace(request.outcome, receipt_id=receipt_id)
    context = {"receipt_id": receipt_id, **extra, **receipts.notice_context(services, request)}
    work.notices.append(notice(request, "completed", context))


def unconfirmed(work: Unit, request: Request) -> list[Delivery]:
    """The host events of this request that must be acknowledged before it completes."""
    kinds = workflow(request.type).stop_events
    if not kinds:
        return []
    return list(
        work.session.scalars(
            select(Delivery)
            .where(
                Delivery.request_id == request.id,
                Delivery.target == deliveries.HOST,
                Delivery.event.in_(sorted(kinds)),
                Delivery.state != DeliveryState.ACKNOWLEDGED.value,
            )
            .order_by(Delivery.created_at, Delivery.id)
        )
    )


def acknowledged(services: Services, request_id: str, by: str) -> None:
    """After a stop event was acknowledged: complete the request if nothing else is awaited."""
    _conclude_if_confirmed(services, request_id, by)


def _conclude_if_confirmed(services: Services, request_id: str, by: str) -> bool:
    with unit(services) as work:
        request = work.session.get(Request, request_id, with_for_update=True)
        if request is None or Status(request.status) is not Status.AWAITING_STOP:
            return False  # not waiting (yet, or any more), or a delivery of no stored request
        if unconfirmed(work, request):
            return False
        conclude(services, work, request, by=by)
        return True


def record(services: Services, request_id: str, evidence: str, *, actor: str) -> int:
    """An operator records that the host confirmed the stop another way (a call, a ticket):
    every unacknowledged stop event of the request is acknowledged, audited with the evidence.
    The number acknowledged."""
    if len(evidence.strip()) < 5:
        raise PolicyError(
            "recording the host's confirmation needs a reference to the evidence",
            code=Code.EVIDENCE_REFERENCE,
        )
    with unit(services) as work:
        request = lifecycle.load(work, request_id)
        if Status(request.status) is not Status.AWAITING_STOP:
            raise ConflictError(
                f"this request is {request.status}, not awaiting_stop", code=Code.NOT_AWAITING_STOP
            )
        waiting = [d.id for d in unconfirmed(work, request)]
    for delivery_id in waiting:
        deliveries.acknowledge(services, delivery_id, actor=actor, reason=evidence, by=OPERATOR)
    acknowledged(services, request_id, OPERATOR)  # when the after-commit hook is not bound
    return len(waiting)


def sweep(services: Services) -> int:
    """Complete requests whose stop was confirmed but whose completion a crash cut off."""
    with services.store.session() as session:
        waiting = list(
            session.scalars(select(Request.id).where(Request.status == Status.AWAITING_STOP.value))
        )
    return sum(_conclude_if_confirmed(services, request_id, HOST) for request_id in waiting)


def _stop_context(work: Unit, request: Request, by: str | None) -> dict[str, Any]:
    """What the answer may say about stopping: the confirmed events, when, and by whom."""
    kinds = workflow(request.type).stop_events
    if not kinds:
        return {}
    rows = work.session.scalars(
        select(Delivery).where(
            Delivery.request_id == request.id,
            Delivery.target == deliveries.HOST,
            Delivery.event.in_(sorted(kinds)),
        )
    ).all()
    if not rows:
        return {"stop_confirmed": False}
    features = sorted({f for r in rows for f in r.payload.get("features", ())})
    last = max(r.acknowledged_at for r in rows if r.acknowledged_at is not None)
    return {
        "stop_confirmed": True,
        "stop_confirmed_at": last.isoformat(),
        "stop_confirmed_by": by or HOST,
        "stopped_features": features,
    }

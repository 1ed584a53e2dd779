"""One attempt at a delivery: claim it, send it, record what happened (and audit every change).

Split from ``deliveries`` (what to tell whom) because this half talks to the network and is
also what the background sender and the sweep run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from rightsdesk.audit import events
from rightsdesk.audit import log as audit
from rightsdesk.audit.events import AuditEventType
from rightsdesk.domain.errors import NotFoundError, NotifyError
from rightsdesk.domain.jobs import DeliveryEvent, DeliveryState, next_delivery_state
from rightsdesk.service.deliveries import webhooks
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.store.models import Delivery

log = logging.getLogger("rightsdesk.deliveries")

HOST = "host"
D = DeliveryState
#: The audit event of a delivery's move, by the state it moved to.
_SETTLED = {
    D.PENDING: events.DELIVERY_RETRY,
    D.SENT: events.DELIVERY_SENT,
    D.ACKNOWLEDGED: events.DELIVERY_ACKNOWLEDGED,
    D.FAILED: events.DELIVERY_FAILED,
}
#: Wait before the n-th retry: 1, 2, 4 ... minutes, at most 6 hours.
BACKOFF, MAX_BACKOFF = timedelta(minutes=1), timedelta(hours=6)


@dataclass(frozen=True)
class Claimed:
    """A delivery taken for one attempt, copied out of its transaction."""

    id: str
    target: str
    channel: str
    envelope: dict[str, Any]


def envelope(row: Delivery) -> dict[str, Any]:
    """What a receiver gets, by webhook or from ``GET /v1/events``: the same document."""
    return {
        "id": row.id,
        "event": row.event,
        "target": row.target,
        "request_id": row.request_id,
        "created_at": row.created_at.isoformat(),
        "payload": row.payload,
    }


def secret_for(services: Services, target: str) -> bytes:
    """The key a target's webhooks are signed with: configured, else derived for that target."""
    settings = services.settings
    configured = settings.hook_secret if target == HOST else None
    configured = configured or settings.recipient_hook_secrets.get(target)
    if configured is not None:
        return configured.get_secret_value().encode()
    return services.secrets.mac("webhook", target).encode()


def send(services: Services, delivery_id: str) -> None:
    """The background sender's handler (wiring binds it)."""
    dispatch(services, delivery_id)


def dispatch(services: Services, delivery_id: str) -> bool:
    """One attempt at a due delivery (False when it was not due, or another worker has it)."""
    claimed = _claim(services, delivery_id)
    if claimed is None:
        return False
    try:
        _send(services, claimed)
    except NotifyError as exc:
        _failed(services, claimed, str(exc))
    else:
        with unit(services) as work:
            row = locked(work, claimed.id)
            if row.state == D.PENDING:  # e-mail waits for an operator's acknowledgement
                taken = (
                    DeliveryEvent.SEND if claimed.channel == "email" else DeliveryEvent.ACKNOWLEDGE
                )
                settle(work, row, taken)
                if taken is DeliveryEvent.ACKNOWLEDGE:
                    tell_request(services, work, row, "host")
    return True


def tell_request(services: Services, work: Unit, row: Delivery, by: str) -> None:
    """Once an acknowledgement of a host event commits, tell its request (which may be
    waiting for the host to confirm that it stopped processing)."""
    hook, request_id = services.stop_acknowledged, row.request_id
    if hook is not None and request_id is not None and row.target == HOST:
        work.after_commit.append(lambda: hook(request_id, by))


def settle(
    work: Unit,
    row: Delivery,
    event: DeliveryEvent,
    *,
    actor: str = "system",
    reason: str | None = None,
) -> None:
    """Move a delivery through its transition table and audit it; the only place a delivery's
    state changes after creation (StateError when the table does not allow ``event``)."""
    was = DeliveryState(row.state)
    state = next_delivery_state(was, event)
    row.state, row.updated_at = state.value, work.now
    row.next_attempt_at = work.now if state is D.PENDING else None
    if state is D.PENDING:
        row.attempts = 0
    if state is D.ACKNOWLEDGED:
        row.acknowledged_at = work.now
    record(work, row, _SETTLED[state], actor=actor, reason=reason, data={"from": was.value})


def record(
    work: Unit,
    row: Delivery,
    event: AuditEventType,
    *,
    actor: str = "system",
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    """Audit a delivery by id, target and event only: payloads may identify the person."""
    audit.append(
        work.session,
        at=work.now,
        actor=actor,
        event=event,
        request_id=row.request_id,
        reason=reason,
        data={
            "delivery_id": row.id,
            "target": row.target,
            "channel": row.channel,
            "delivery_event": row.event,
            "attempts": row.attempts,
            **(data or {}),
        },
    )


def locked(work: Unit, delivery_id: str) -> Delivery:
    row = work.session.get(Delivery, delivery_id, with_for_update=True)
    if row is None:
        raise NotFoundError(f"no delivery {delivery_id!r}")
    return row


def _claim(services: Services, delivery_id: str) -> Claimed | None:
    """Count the attempt and push the next one back first: that is also the lease against
    a second worker, and a crash mid-send leaves the delivery due again later."""
    with unit(services) as work:
        row = work.session.get(Delivery, delivery_id, with_for_update=True)
        if row is None or row.state != D.PENDING or row.next_attempt_at is None:
            return None
        if row.next_attempt_at > work.now:
            return None
        row.attempts += 1
        row.next_attempt_at = work.now + _backoff(row.attempts)
        row.updated_at = work.now
        return Claimed(row.id, row.target, row.channel, envelope(row))


def _send(services: Services, claimed: Claimed) -> None:
    if claimed.target == HOST:
        url = services.settings.host_hook_url
        if url is None:
            raise NotifyError("RIGHTSDESK_HOST_HOOK_URL is not set")
        return _post(services, claimed, url)
    recipients = services.datamap.recipients if services.datamap is not None else ()
    recipient = next((r for r in recipients if r.name == claimed.target), None)
    if recipient is None:
        raise NotifyError(f"recipient {claimed.target!r} is not in the data map")
    if recipient.webhook is not None:
        return _post(services, claimed, recipient.webhook)
    assert recipient.email is not None  # the data map requires one of the two
    doc = claimed.envelope
    context = {
        "request_id": doc["request_id"] or claimed.id,
        "delivery_id": claimed.id,
        "recipient": claimed.target,
        "event": doc["event"],
        "details": doc["payload"],
    }
    services.notifier.notify(
        "recipient_notice", email=recipient.email, locale=services.settings.locale, context=context
    )
    return None


def _post(services: Services, claimed: Claimed, url: str) -> None:
    webhooks.post(
        url,
        secret_for(services, claimed.target),
        delivery_id=claimed.id,
        event=claimed.envelope["event"],
        timestamp=str(int(services.clock().timestamp())),
        content=webhooks.body(claimed.envelope),
    )


def _failed(services: Services, claimed: Claimed, error: str) -> None:
    fields = {"delivery_id": claimed.id, "event": "delivery_attempt_failed"}
    log.warning("delivery %s to %s failed: %s", claimed.id, claimed.target, error, extra=fields)
    with unit(services) as work:
        row = locked(work, claimed.id)
        if row.state != D.PENDING:
            return
        row.last_error, row.updated_at = error[:2000], work.now
        if row.attempts < services.settings.delivery_attempts:
            after = row.next_attempt_at.isoformat() if row.next_attempt_at else None
            record(work, row, events.DELIVERY_ATTEMPT_FAILED, reason=error, data={"next": after})
            return
        fields = {
            "delivery_id": row.id,
            "request_id": row.request_id or "",
            "event": "delivery_failed",
        }
        log.error("delivery %s to %s failed for good: %s", row.id, row.target, error, extra=fields)
        settle(work, row, DeliveryEvent.FAIL, reason=error)


def _backoff(attempts: int) -> timedelta:
    return min(BACKOFF * (1 << min(max(attempts - 1, 0), 16)), MAX_BACKOFF)

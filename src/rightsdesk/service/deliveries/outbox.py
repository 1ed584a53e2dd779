"""Telling the host platform and recipients: rows written with the change, sent after it commits.

A delivery is written in the transaction that causes it, so a rolled-back change tells nobody
and a committed one is never lost: what the after-commit send misses, ``retry_due`` (the sweep)
sends later. Sending is at least once; receivers de-duplicate by ``X-Rightsdesk-Delivery``.
"""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from rightsdesk.audit import events
from rightsdesk.domain.errors import Code, NotFoundError, PolicyError
from rightsdesk.domain.jobs import DeliveryEvent, DeliveryState
from rightsdesk.service.deliveries import outbound
from rightsdesk.service.deliveries.outbound import (
    HOST,
    envelope,
    secret_for,
    send,
)
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.store.models import Delivery

__all__ = [
    "HOST",
    "acknowledge",
    "envelope",
    "listing",
    "retry",
    "retry_due",
    "secret_for",
    "send",
    "to_host",
    "to_recipients",
]

#: At most this many deliveries are attempted per sweep, so one sweep stays short.
SWEEP_BATCH = 200
_SEQUENCE = itertools.count()


def to_host(
    services: Services,
    work: Unit,
    event: str,
    payload: dict[str, Any],
    *,
    request_id: str | None = None,
) -> str:
    """Tell the host platform: a signed webhook, or (no ``host_hook_url``) an event it pulls."""
    push = services.settings.host_hook_url is not None
    return _add(services, work, HOST, "webhook", event, payload, request_id, push=push)


def to_recipients(
    services: Services,
    work: Unit,
    collections: Iterable[str],
    event: str,
    payload: dict[str, Any],
    *,
    request_id: str | None = None,
) -> list[str]:
    """Tell every recipient holding one of ``collections``; each hears only of its own.

    ``payload`` names the person by the identifiers the recipient already holds (the caller's
    job); its ``collections`` key is replaced by the recipient's share of ``collections``.
    """
    if services.datamap is None:
        return []
    wanted = set(collections)
    ids = []
    for recipient in services.datamap.recipients_for(wanted):
        theirs = sorted(wanted & set(recipient.collections))
        channel = "webhook" if recipient.webhook else "email"
        body = {**payload, "collections": theirs}
        ids.append(_add(services, work, recipient.name, channel, event, body, request_id))
    return ids


def acknowledge(
    services: Services,
    delivery_id: str,
    *,
    actor: str,
    target: str | None = None,
    reason: str | None = None,
    by: str | None = None,
) -> None:
    """Record that the receiver confirmed it acted (an operator for e-mail, or the host).

    ``target``: only a delivery to that target (the host acknowledging its own events).
    ``by``: who confirmed, as a request awaiting the host's stop is told (default: the host
    when it acknowledges its own event, else an operator recording it).
    """
    with unit(services) as work:
        row = outbound.locked(work, delivery_id)
        if target is not None and row.target != target:
            raise NotFoundError(f"no delivery {delivery_id!r}")
        if row.state != DeliveryState.ACKNOWLEDGED:
            outbound.settle(work, row, DeliveryEvent.ACKNOWLEDGE, actor=actor, reason=reason)
            who = by or ("host" if target == HOST else "operator")
            outbound.tell_request(services, work, row, who)


def retry(services: Services, delivery_id: str, *, actor: str) -> None:
    """Start a delivery's attempts afresh (after the receiver is fixed) and send it now."""
    with unit(services) as work:
        row = outbound.locked(work, delivery_id)
        if row.state == DeliveryState.ACKNOWLEDGED:
            raise PolicyError(
                f"delivery {delivery_id} is already acknowledged",
                code=Code.DELIVERY_ACKNOWLEDGED,
            )
        if row.target == HOST and services.settings.host_hook_url is None:
            raise PolicyError(
                "no RIGHTSDESK_HOST_HOOK_URL: the host pulls its events", code=Code.HOST_PULLS
            )
        outbound.settle(work, row, DeliveryEvent.RETRY, actor=actor)
        work.after_commit.append(lambda: _send_later(services, delivery_id))


def retry_due(services: Services) -> int:
    """Attempt every pending delivery whose time has come; the number attempted."""
    now = services.clock()
    query = (
        select(Delivery.id)
        .where(Delivery.state == DeliveryState.PENDING, Delivery.next_attempt_at <= now)
        .order_by(Delivery.next_attempt_at)
        .limit(SWEEP_BATCH)
    )
    with services.store.session() as session:
        due = list(session.scalars(query))
    return sum(outbound.dispatch(services, delivery_id) for delivery_id in due)


def listing(
    services: Services,
    *,
    state: str | None = None,
    target: str | None = None,
    after: str | None = None,
    limit: int = 100,
    request_id: str | None = None,
) -> list[Delivery]:
    """Deliveries oldest first; ``after`` pages on from a delivery id (unknown: from the start)."""
    query = select(Delivery).order_by(Delivery.created_at, Delivery.id).limit(limit)
    if request_id is not None:
        query = query.where(Delivery.request_id == request_id)
    if state is not None:
        query = query.where(Delivery.state == state)
    if target is not None:
        query = query.where(Delivery.target == target)
    with services.store.session() as session:
        mark = session.get(Delivery, after) if after is not None else None
        if mark is not None:
            query = query.where(
                (Delivery.created_at > mark.created_at)
                | ((Delivery.created_at == mark.created_at) & (Delivery.id > mark.id))
            )
        return list(session.scalars(query))


def _add(
    services: Services,
    work: Unit,
    target: str,
    channel: str,
    event: str,
    payload: dict[str, Any],
    request_id: str | None,
    *,
    push: bool = True,
) -> str:
    row = Delivery(
        id=_new_id(work.now),
        request_id=request_id,
        target=target,
        channel=channel,
        event=event,
        payload=payload,
        state=DeliveryState.PENDING.value,
        attempts=0,
        next_attempt_at=work.now if push else None,
        created_at=work.now,
        updated_at=work.now,
    )
    work.session.add(row)
    outbound.record(work, row, events.DELIVERY_QUEUED, data={"pull": not push})
    if push:
        work.after_commit.append(lambda: _send_later(services, row.id))
    return row.id


def _send_later(services: Services, delivery_id: str) -> None:
    if services.hooks is None:
        outbound.dispatch(services, delivery_id)
    else:
        services.hooks.submit(delivery_id)


def _new_id(now: datetime) -> str:
    """32 hex digits that sort as created (time, then a counter for one clock tick), so the
    host pages its events in order with ``?after=``; random at the end across processes."""
    micros = int(now.timestamp() * 1_000_000)
    return f"{micros:014x}{next(_SEQUENCE) % 16**6:06x}{secrets.token_hex(6)}"

"""Deliveries to the host platform and recipients: operators follow and acknowledge them, and
the host pulls its events here when it has no webhook (``RIGHTSDESK_HOST_HOOK_URL`` unset)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel

from rightsdesk.api.auth import OperatorDep, ServicesDep
from rightsdesk.api.schemas import Done
from rightsdesk.domain.jobs import DeliveryState
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.runtime.operators import Scope

router = APIRouter(tags=["deliveries"])

DeliveryId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The delivery's id.")]
After = Annotated[
    str | None, Query(pattern=r"^[0-9a-f]{32}$", description="Page on after this delivery id.")
]
Limit = Annotated[int, Query(ge=1, le=500)]


class DeliveryOut(BaseModel):
    id: str
    request_id: str | None
    target: str
    channel: str
    event: str
    payload: dict[str, Any]
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    acknowledged_at: datetime | None


class EventOut(BaseModel):
    """The body a webhook would have carried (``X-Rightsdesk-Delivery`` is ``id``)."""

    id: str
    event: str
    target: str
    request_id: str | None
    created_at: datetime
    payload: dict[str, Any]


@router.get("/v1/deliveries", response_model=list[DeliveryOut])
def listing(
    op: OperatorDep,
    svc: ServicesDep,
    state: Annotated[DeliveryState | None, Query()] = None,
    target: Annotated[str | None, Query(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")] = None,
    after: After = None,
    limit: Limit = 100,
) -> list[DeliveryOut]:
    """Deliveries oldest first, by state (e.g. ``sent``: awaiting acknowledgement) and target."""
    op.require(Scope.READ)
    rows = deliveries.listing(svc, state=state, target=target, after=after, limit=limit)
    return [DeliveryOut.model_validate(row, from_attributes=True) for row in rows]


@router.post("/v1/deliveries/{delivery_id}/ack", response_model=Done)
def acknowledge(delivery_id: DeliveryId, op: OperatorDep, svc: ServicesDep) -> Done:
    """Record that the receiver confirmed it acted (e.g. a recipient answered our e-mail)."""
    op.require(Scope.DECIDE)
    deliveries.acknowledge(svc, delivery_id, actor=op.actor)
    return Done()


@router.post(
    "/v1/deliveries/{delivery_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Done,
)
def retry(delivery_id: DeliveryId, op: OperatorDep, svc: ServicesDep) -> Done:
    """Send a pending or failed delivery again now, with a fresh count of attempts."""
    op.require(Scope.DECIDE)
    deliveries.retry(svc, delivery_id, actor=op.actor)
    return Done()


@router.get("/v1/events", response_model=list[EventOut])
def events(op: OperatorDep, svc: ServicesDep, after: After = None, limit: Limit = 100) -> Any:
    """The host platform's unacknowledged events, oldest first; acknowledge each when done."""
    op.require(Scope.READ)
    rows = deliveries.listing(
        svc, state=DeliveryState.PENDING, target=deliveries.HOST, after=after, limit=limit
    )
    return [deliveries.envelope(row) for row in rows]


@router.post("/v1/events/{delivery_id}/ack", response_model=Done)
def acknowledge_event(delivery_id: DeliveryId, op: OperatorDep, svc: ServicesDep) -> Done:
    """The host has acted on one of its events (it is then no longer listed)."""
    op.require(Scope.READ)
    deliveries.acknowledge(svc, delivery_id, actor=op.actor, target=deliveries.HOST)
    return Done()

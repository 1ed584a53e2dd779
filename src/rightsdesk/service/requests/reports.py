"""Yearly metrics per request type (AUD-02, CCPA §7102): received, complied with, denied, days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from statistics import mean, median

from sqlalchemy import select

from rightsdesk.domain.requests import RequestType, Status
from rightsdesk.service.runtime.context import Services
from rightsdesk.store.models import Request


@dataclass(frozen=True)
class TypeStats:
    type: RequestType
    received: int
    completed: int
    partially_completed: int
    refused: int
    redirected_to_idp: int  # federated log-ins sent to their identity provider to close
    open: int
    median_days: float | None
    mean_days: float | None


def yearly(services: Services, year: int) -> list[TypeStats]:
    """Requests received in ``year`` (UTC), by type; days from receipt to closing."""
    start, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    with services.store.session() as session:
        rows = session.execute(
            select(Request.type, Request.status, Request.received_at, Request.closed_at).where(
                Request.received_at >= start, Request.received_at < end
            )
        ).all()
    stats = []
    for kind in RequestType:
        mine = [r for r in rows if r.type == kind.value]
        answered = [
            (r.closed_at - r.received_at).total_seconds() / 86400
            for r in mine
            if r.closed_at is not None
            and r.status in {Status.COMPLETED, Status.PARTIALLY_COMPLETED, Status.REFUSED}
        ]
        count = {s: sum(1 for r in mine if r.status == s) for s in Status}
        stats.append(
            TypeStats(
                type=kind,
                received=len(mine),
                completed=count[Status.COMPLETED],
                partially_completed=count[Status.PARTIALLY_COMPLETED],
                refused=count[Status.REFUSED],
                redirected_to_idp=count[Status.REDIRECTED_TO_IDP],
                open=sum(1 for r in mine if r.closed_at is None),
                median_days=round(median(answered), 1) if answered else None,
                mean_days=round(mean(answered), 1) if answered else None,
            )
        )
    return stats

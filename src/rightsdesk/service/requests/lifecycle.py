"""The one place a request's status changes: the transition table, then an audit event."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select

from rightsdesk.audit import events
from rightsdesk.audit import log as audit
from rightsdesk.audit.events import AuditEventType
from rightsdesk.domain.errors import Code, NotFoundError
from rightsdesk.domain.requests import FINAL, Event, Status, next_status
from rightsdesk.service.runtime.context import Unit
from rightsdesk.store.models import Request


def advance(
    work: Unit,
    request: Request,
    event: Event,
    *,
    actor: str,
    reason: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> Status:
    """Apply ``event`` through the transition table and audit it; TransitionError if not allowed."""
    before = Status(request.status)
    after = next_status(before, event)
    request.status = after.value
    request.updated_at = work.now
    if after in FINAL:
        request.closed_at = work.now
    audit.append(
        work.session,
        at=work.now,
        actor=actor,
        event=events.transition(event),
        request_id=request.id,
        status_from=before.value,
        status_to=after.value,
        reason=reason,
        data=data,
    )
    return after


def record(
    work: Unit,
    request: Request,
    event: AuditEventType,
    *,
    actor: str,
    reason: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> None:
    """Audit an event that does not change the status (a note, an assignment, an extension)."""
    request.updated_at = work.now
    audit.append(
        work.session,
        at=work.now,
        actor=actor,
        event=event,
        request_id=request.id,
        reason=reason,
        data=data,
    )


def load_many(
    work: Unit, request_ids: Sequence[str], *, skip_locked: bool = False
) -> dict[str, Request]:
    """The requests by id, row-locked in one statement; ``skip_locked`` leaves out the ones
    another transaction holds (a batch claims what it can without waiting)."""
    query = select(Request).where(Request.id.in_(request_ids))
    found = {r.id: r for r in work.session.scalars(query.with_for_update(skip_locked=skip_locked))}
    missing = set(request_ids) - set(found)
    if missing and not skip_locked:
        first = sorted(missing)[0]
        raise NotFoundError(
            f"no request {first!r}", code=Code.REQUEST_UNKNOWN, params={"id": first}
        )
    return found


def load(work: Unit, request_id: str, *, lock: bool = True) -> Request:
    """The request, row-locked for the rest of the transaction so transitions never race."""
    query = select(Request).where(Request.id == request_id)
    if lock:
        query = query.with_for_update()
    request = work.session.scalars(query).first()
    if request is None:
        raise NotFoundError(f"no request {request_id!r}")
    return request

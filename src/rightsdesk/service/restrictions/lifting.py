"""Lifting a restriction or objection: the person is told first, then the marks come off.

GDPR Art. 18(3): a person who obtained a restriction is informed before it is lifted. The
notice is sent synchronously, before anything changes; if it cannot be sent (no contact, mail
server down) nothing is lifted and the caller hears why. An objection to direct marketing is
never lifted (Art. 21(3)); any other objection is lifted when the operator records the
compelling legitimate grounds that override it (Art. 21(1)), which the person is told.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete, select

from rightsdesk.audit import events
from rightsdesk.domain.errors import ConflictError, NotifyError, PolicyError
from rightsdesk.domain.requests import FINAL, Status
from rightsdesk.policy import Regime
from rightsdesk.service.consent.ledger import bump
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.requests import lifecycle
from rightsdesk.service.requests.notices import notice
from rightsdesk.service.restrictions import ledger, marks
from rightsdesk.service.runtime.context import Notice, Services, Unit, unit
from rightsdesk.store.models import Request
from rightsdesk.store.restrictions import Restriction, RestrictionKey

log = logging.getLogger("rightsdesk.service")

#: Grounds of an objection that no operator can override (GDPR Art. 21(3)).
ABSOLUTE = frozenset({"direct_marketing"})


def lift(services: Services, restriction_id: str, *, actor: str, reason: str) -> Restriction:
    """Tell the person, clear the marks, record the lift; returns the lifted restriction."""
    if not reason.strip():
        raise PolicyError("say why the restriction is lifted: the person is told")
    with unit(services) as work:
        found = ledger.load(work, restriction_id)
        if found.lifted_at is not None:
            raise ConflictError(f"restriction {restriction_id} was lifted already")
        if found.kind == "objection" and found.ground in ABSOLUTE:
            raise ConflictError("an objection to direct marketing is never overridden")
        if found.kind == "limit":
            raise ConflictError("a limit of sensitive data is lifted only by the person's consent")
        request = lifecycle.load(work, found.request_id, lock=False)
        told = _notice(services, request, found, reason)
        held = dict(found.marks)
    _tell_now(services, told)
    marks.flag(services, held, False)
    with unit(services) as work:
        found = ledger.load(work, restriction_id)
        if found.lifted_at is None:  # else a concurrent lift finished first
            request = lifecycle.load(work, found.request_id)
            found.lifted_at, found.lifted_by, found.lift_reason = work.now, actor, reason
            found.marks = {n: _without_keys(m) for n, m in found.marks.items()}
            work.session.execute(
                delete(RestrictionKey).where(RestrictionKey.restriction_id == found.id)
            )
            bump(work.session)  # the consent checks cached in every process see the lift
            _tell_host(services, work, request, found)
            lifecycle.record(
                work,
                request,
                events.RESTRICTION_LIFTED,
                actor=actor,
                reason=reason,
                data={"restriction_id": found.id, "kind": found.kind, "notified": True},
            )
        return found


def sweep(services: Services) -> int:
    """Lift the restrictions whose correction has been decided (contested accuracy ended)."""
    with services.store.session() as session:
        waiting = session.execute(
            select(Restriction.id, Request.status)
            .join(Request, Request.id == Restriction.until_request)
            .where(Restriction.lifted_at.is_(None))
        ).all()
    lifted = 0
    for restriction_id, status in waiting:
        if Status(status) in FINAL:
            lifted += lift_decided(services, restriction_id, Status(status))
    return lifted


def lift_for(services: Services, request_id: str) -> int:
    """Lift the restrictions waiting for ``request_id``, a correction just carried out."""
    with services.store.session() as session:
        waiting = session.scalars(
            select(Restriction.id).where(
                Restriction.until_request == request_id, Restriction.lifted_at.is_(None)
            )
        ).all()
    return sum(lift_decided(services, r, Status.COMPLETED) for r in waiting)


def lift_decided(services: Services, restriction_id: str, status: Status) -> int:
    """Lift one restriction whose correction ended ``status``; 0 if it must wait (logged)."""
    reason = f"the correction you asked for was decided ({status.value})"
    try:
        lift(services, restriction_id, actor="system", reason=reason)
    except (NotifyError, ConflictError) as exc:
        log.warning("restriction %s not lifted yet: %s", restriction_id, exc)
        return 0
    return 1


def _notice(services: Services, request: Request, found: Restriction, reason: str) -> Notice:
    remedies = services.policy.remedies([Regime(r) for r in request.regimes], request.locale)
    context: dict[str, Any] = {
        "kind": found.kind,
        "purpose": found.purpose,
        "reason": reason,
        "since": found.opened_at.isoformat(),
        "remedies": [r.text for r in remedies],
        "told_recipients": told_recipients(services, found),
    }
    return notice(request, "restriction_lifted", context)


def told_recipients(services: Services, found: Restriction) -> list[str]:
    """The recipients a restriction's lift is told to (GDPR Art. 19): those of its collections."""
    if found.kind != "restriction" or services.datamap is None:
        return []
    return sorted({r.name for r in services.datamap.recipients_for(set(found.marks))})


def _tell_now(services: Services, told: Notice) -> None:
    if told.email is None and told.phone is None:
        raise ConflictError(
            "the person gave no e-mail or phone to be told before the restriction is lifted"
        )
    services.notifier.notify(
        told.kind, email=told.email, phone=told.phone, locale=told.locale, context=told.context
    )


def _tell_host(services: Services, work: Unit, request: Request, found: Restriction) -> None:
    body: dict[str, Any] = {"identities": {i.kind: i.value for i in request.identities}}
    if found.kind == "restriction":  # GDPR Art. 19: the recipients told of it hear of the lift
        deliveries.to_recipients(
            services, work, found.marks, "processing.unrestrict", dict(body), request_id=request.id
        )
    if found.kind == "objection":
        event = "processing.objection_lifted"
        body["purpose"] = found.purpose
    elif hosted := marks.collections_marked(found.marks, "host_event"):
        event = "processing.unrestrict"
        body["collections"] = hosted
    else:
        return
    deliveries.to_host(services, work, event, body, request_id=request.id)


def _without_keys(mark: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in mark.items() if k != "keys"}

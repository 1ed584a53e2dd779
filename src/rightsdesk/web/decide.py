"""The console's decisions on one request: verify by evidence, approve, refuse, extend, assign,
note, confirm a cancellation in writing, retry a failed run or a delivery.

Each is a form with the session's CSRF token, posted to the same service function as the
operator API's route (``api/operator.py``), which checks the operator's scope; then back to the
request's page, which says what was done.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form
from starlette.responses import Response

from rightsdesk.api.schemas import PRINTABLE
from rightsdesk.domain.errors import Code, InputError
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.runtime.operators import Scope
from rightsdesk.web.center import Csrf, RequestId
from rightsdesk.web.console import DeskDep, routes

Text = Annotated[str, Form(min_length=1, max_length=2000, pattern=PRINTABLE)]
Optional = Annotated[str, Form(max_length=2000, pattern=PRINTABLE)]


def _required(value: str, name: str) -> str:
    if not value.strip():
        raise InputError(f"{name} cannot be blank", code=Code.FIELD_BLANK, params={"name": name})
    return value.strip()


def _done(desk: DeskDep, request_id: str, action: str) -> Response:
    return desk.page.redirect(f"/console/requests/{request_id}?done={action}")


router = routes()


@router.post("/requests/{request_id}/verify")
def verify(desk: DeskDep, request_id: RequestId, csrf: Csrf, evidence: Text) -> Response:
    """Attest the person's identity from evidence kept elsewhere (e.g. a signed letter)."""
    desk.page.check(csrf)
    requests.verify_for(desk.page.services, desk.operator, request_id, evidence.strip())
    return _done(desk, request_id, "verify")


@router.post("/requests/{request_id}/approve")
def approve(desk: DeskDep, request_id: RequestId, csrf: Csrf, reason: Optional = "") -> Response:
    desk.page.check(csrf)
    requests.approve(desk.page.services, desk.operator, request_id, reason.strip() or None)
    return _done(desk, request_id, "approve")


@router.post("/requests/{request_id}/refuse")
def refuse(
    desk: DeskDep,
    request_id: RequestId,
    csrf: Csrf,
    ground: Annotated[str, Form(min_length=1, max_length=128, pattern=PRINTABLE)],
    justification: Text,
    alternative: Optional = "",
    part: Optional = "",
) -> Response:
    desk.page.check(csrf)
    requests.refuse(
        desk.page.services,
        desk.operator,
        request_id,
        ground=ground,
        justification=_required(justification, "justification"),
        parts=[p for p in part.replace(",", " ").split() if p],  # places of the data map
        alternative=alternative.strip() or None,
    )
    return _done(desk, request_id, "refuse")


@router.post("/requests/{request_id}/extend")
def extend(desk: DeskDep, request_id: RequestId, csrf: Csrf, reason: Text) -> Response:
    desk.page.check(csrf)
    requests.extend(desk.page.services, desk.operator, request_id, _required(reason, "reason"))
    return _done(desk, request_id, "extend")


@router.post("/requests/{request_id}/assign")
def assign(
    desk: DeskDep,
    request_id: RequestId,
    csrf: Csrf,
    assignee: Annotated[str, Form(min_length=1, max_length=128, pattern=PRINTABLE)],
) -> Response:
    desk.page.check(csrf)
    requests.assign(desk.page.services, desk.operator, request_id, _required(assignee, "assignee"))
    return _done(desk, request_id, "assign")


@router.post("/requests/{request_id}/notes")
def note(desk: DeskDep, request_id: RequestId, csrf: Csrf, text: Text) -> Response:
    desk.page.check(csrf)
    requests.note(desk.page.services, desk.operator, request_id, _required(text, "note"))
    return _done(desk, request_id, "note")


@router.post("/requests/{request_id}/confirm")
def confirm(
    desk: DeskDep,
    request_id: RequestId,
    csrf: Csrf,
    evidence: Text,
    waive: Annotated[list[str] | None, Form(max_length=20)] = None,
) -> Response:
    """Record the person's confirmation of an account cancellation given in writing (a ticket,
    a signed letter), naming where it is kept and the pre-checks they waived."""
    desk.page.check(csrf)
    evidence = _required(evidence, "evidence")
    requests.confirm_for(desk.page.services, desk.operator, request_id, list(waive or ()), evidence)
    return _done(desk, request_id, "confirm")


@router.post("/requests/{request_id}/stopped")
def stopped(desk: DeskDep, request_id: RequestId, csrf: Csrf, evidence: Text) -> Response:
    """Record that the host confirmed another way (a call, a ticket) that it stopped the
    processing a withdrawal or cancellation waits on (``awaiting_stop``); it then completes.
    Each stop event is acknowledged under the operator's name with the evidence (audited)."""
    desk.page.check(csrf)
    evidence = _required(evidence, "evidence")
    requests.record_stop(desk.page.services, desk.operator, request_id, evidence)
    return _done(desk, request_id, "stopped")


@router.post("/requests/{request_id}/retry")
def retry(desk: DeskDep, request_id: RequestId, csrf: Csrf) -> Response:
    """Run a failed request again from its checkpoint."""
    desk.page.check(csrf)
    requests.retry(desk.page.services, desk.operator, request_id)
    return _done(desk, request_id, "retry")


@router.post("/requests/{request_id}/deliveries/retry")
def retry_delivery(
    desk: DeskDep,
    request_id: RequestId,
    csrf: Csrf,
    delivery: Annotated[str, Form(pattern=r"^[0-9a-f]{32}$")],
) -> Response:
    """Send a pending or failed delivery of this request again, as the operator API does."""
    desk.page.check(csrf)
    desk.operator.require(Scope.DECIDE)
    deliveries.retry(desk.page.services, delivery, actor=desk.operator.actor)
    return _done(desk, request_id, "resend")

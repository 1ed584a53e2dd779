"""Actions on one request, by the person (capability token) or an operator (API key)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

from rightsdesk.audit import events
from rightsdesk.domain.errors import AuthenticationError, Code, PolicyError
from rightsdesk.domain.requests import Status
from rightsdesk.service.requests import completion, decisions, execution, exports, lifecycle
from rightsdesk.service.requests.views import RequestView, processing_of, view
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.service.runtime.operators import Operator, Scope
from rightsdesk.service.verification import codes as verification
from rightsdesk.service.workflows import cancellation
from rightsdesk.store.models import Request

# -- the person -------------------------------------------------------------------------------


def status(services: Services, request_id: str, token: str) -> RequestView:
    """The person's view; until their own token is verified it shows no outcome details."""
    with unit(services) as work:
        holder = verification.resolve_token(services, work, request_id, token)
        request = lifecycle.load(work, request_id, lock=False)
        shown = view(services, request, now=work.now)
        if holder.verified_at is None:
            return dataclasses.replace(shown, outcome={}, fee=None)
        shown = dataclasses.replace(shown, processing=processing_of(services, request))
        export = shown.outcome.get("export")
        if export is not None and not export.get("revoked_at"):
            expires = datetime.fromisoformat(export["expires_at"])
            if expires > work.now:
                link = exports.download_url(services, request_id, expires.timestamp())
                shown.outcome["export"] = {**export, "download_url": link}
        return shown


def resend_code(
    services: Services, request_id: str, token: str, *, client: str | None = None
) -> bool:
    """The person asks for a new code (it replaces the one out, if that is a minute old)."""
    with unit(services) as work:
        verification.resolve_token(services, work, request_id, token)
        request = lifecycle.load(work, request_id)
        purpose = "step_up" if Status(request.status) is Status.APPROVED else "verify"
        return verification.challenge(
            services, work, request, purpose=purpose, asked=True, client=client
        )


def accept_fee(services: Services, request_id: str, token: str) -> RequestView:
    with unit(services) as work:
        request = _verified_holder(services, work, request_id, token)
        decisions.accept_fee(services, work, request)
        return view(services, request, now=work.now)


def confirm_cancellation(
    services: Services, request_id: str, token: str, waive: list[str]
) -> RequestView:
    """The person confirms an account cancellation after the warning (CAN-02)."""
    with unit(services) as work:
        request = _verified_holder(services, work, request_id, token)
        cancellation.confirm(services, work, request, waive=waive)
        decisions.after_step(services, work, request)
        return view(services, request, now=work.now)


def cancel(services: Services, request_id: str, token: str) -> RequestView:
    """The requester withdraws the request, possible while nothing has run."""
    with unit(services) as work:
        holder = verification.resolve_token(services, work, request_id, token)
        request = lifecycle.load(work, request_id)
        if request.verified_at is not None and holder.verified_at is None:
            raise AuthenticationError(
                "verify with the code sent to you before cancelling",
                code=Code.VERIFY_BEFORE_CANCEL,
            )
        decisions.cancel(work, request, actor="person")
        return view(services, request, now=work.now)


def _verified_holder(services: Services, work: Unit, request_id: str, token: str) -> Request:
    holder = verification.resolve_token(services, work, request_id, token)
    request = lifecycle.load(work, request_id)
    if holder.verified_at is None:
        raise AuthenticationError("verify with the code sent to you first", code=Code.VERIFY_FIRST)
    return request


# -- operators --------------------------------------------------------------------------------


def approve(services: Services, operator: Operator, request_id: str, reason: str | None) -> None:
    operator.require(Scope.DECIDE)
    with unit(services) as work:
        request = lifecycle.load(work, request_id)
        decisions.approve(services, work, request, actor=operator.actor, reason=reason)


def refuse(
    services: Services,
    operator: Operator,
    request_id: str,
    *,
    ground: str,
    justification: str,
    parts: Sequence[str] = (),
    alternative: str | None = None,
    evidence: str | None = None,
) -> None:
    """Refuse the request, or only the places of the data map ``parts`` names."""
    operator.require(Scope.DECIDE)
    with unit(services) as work:
        request = lifecycle.load(work, request_id)
        decisions.refuse(
            services,
            work,
            request,
            actor=operator.actor,
            ground=ground,
            justification=justification,
            parts=parts,
            alternative=alternative,
            evidence=evidence,
        )


def lift(
    services: Services,
    operator: Operator,
    request_id: str,
    reason: str,
    places: Sequence[str] = (),
) -> str | None:
    """Lift the hold of a partial refusal (on ``places``, or all); the follow-up request's id
    when the run was over and another run now handles them."""
    operator.require(Scope.DECIDE)
    with unit(services) as work:
        request = lifecycle.load(work, request_id)
        followup = decisions.lift(
            services, work, request, actor=operator.actor, reason=reason, places=places
        )
        return followup.id if followup is not None else None


def extend(services: Services, operator: Operator, request_id: str, reason: str) -> None:
    operator.require(Scope.DECIDE)
    with unit(services) as work:
        decisions.extend(
            services, work, lifecycle.load(work, request_id), actor=operator.actor, reason=reason
        )


def assign(services: Services, operator: Operator, request_id: str, assignee: str) -> None:
    operator.require(Scope.DECIDE)
    with unit(services) as work:
        decisions.assign(
            work, lifecycle.load(work, request_id), actor=operator.actor, assignee=assignee
        )


def note(services: Services, operator: Operator, request_id: str, text: str) -> None:
    operator.require(Scope.DECIDE)
    with unit(services) as work:
        decisions.note(work, lifecycle.load(work, request_id), actor=operator.actor, text=text)


def flag_fraud(services: Services, operator: Operator, request_id: str, reason: str) -> None:
    operator.require(Scope.DECIDE)
    with unit(services) as work:
        request = lifecycle.load(work, request_id)
        decisions.flag_fraud(work, request, actor=operator.actor, reason=reason)


def verify_for(services: Services, operator: Operator, request_id: str, evidence: str) -> None:
    """An operator attests the person's identity (ticket channel), citing the evidence kept."""
    operator.require(Scope.DECIDE)
    with unit(services) as work:
        request = lifecycle.load(work, request_id)
        verification.attest(services, work, request, evidence, actor=operator.actor)
        decisions.after_step(services, work, request)


def confirm_for(
    services: Services, operator: Operator, request_id: str, waive: list[str], evidence: str
) -> None:
    """An operator records the person's explicit confirmation of a cancellation (ticket)."""
    operator.require(Scope.DECIDE)
    if not evidence.strip():
        raise PolicyError(
            "say where the person's confirmation is kept", code=Code.CONFIRMATION_REFERENCE
        )
    with unit(services) as work:
        request = lifecycle.load(work, request_id)
        cancellation.confirm(services, work, request, waive=waive)
        lifecycle.record(work, request, events.CONFIRMED_FOR, actor=operator.actor, reason=evidence)
        decisions.after_step(services, work, request)


def record_stop(services: Services, operator: Operator, request_id: str, evidence: str) -> int:
    """An operator records the host's confirmation that it stopped processing (WDR-03,
    CAN-05), citing where it is kept; the request completes. How many events it settled."""
    operator.require(Scope.DECIDE)
    return completion.record(services, request_id, evidence, actor=operator.actor)


def run(services: Services, operator: Operator, request_id: str) -> None:
    operator.require(Scope.DECIDE)
    execution.run_now(services, request_id)


def retry(services: Services, operator: Operator, request_id: str) -> None:
    operator.require(Scope.DECIDE)
    with unit(services) as work:
        execution.retry(services, work, lifecycle.load(work, request_id), actor=operator.actor)

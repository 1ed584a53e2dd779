"""Authorised agents (CCR 7063): who asks for the person, what the person does directly, what
both are told, and which signed documents a case needs before it is approved.

With a **signed permission** (7063(a)) the agent shows the permission the person signed (when
the policy asks, ``agents.signed_permission``), and the person either verifies their identity
directly or confirms directly that they gave the permission (``agents.consumer_step``): either
way the one-time code goes to the person, never to the agent, and only the person's own link
(the follow link in our message to them) can enter it. With a **power of attorney** under
Probate Code 4121-4130 (7063(b)) the person is never asked: no code goes out, our staff review
the document and verify from it. An agent who cannot show permission is denied with the
ground ``agent_not_authorised`` (7063(c)); the person and the agent are both told why.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rightsdesk.audit import events
from rightsdesk.domain.agents import PROOF, Agent, Authority, ConsumerStep, DocumentKind
from rightsdesk.domain.errors import ConflictError, PolicyError
from rightsdesk.domain.requests import Event, RequestType
from rightsdesk.service.casefiles import documents
from rightsdesk.service.requests import lifecycle
from rightsdesk.service.runtime.context import Notice, Services, Unit
from rightsdesk.store.casefiles import RequestAgent
from rightsdesk.store.models import Request

#: The verification method of a request its agent's power of attorney verified (7063(b)).
BY_ATTORNEY = "power_of_attorney"


def record(
    services: Services, work: Unit, request: Request, agent: Agent, *, actor: str
) -> RequestAgent:
    """Keep the agent with the case (erased with it), audited without their name or contact."""
    step = None
    if agent.authority is Authority.SIGNED_PERMISSION:
        step = services.policy.config.agents.consumer_step.value
    row = RequestAgent(
        request_id=request.id,
        name=agent.name,
        email=agent.email,
        phone=agent.phone,
        registration=agent.registration,
        authority=agent.authority.value,
        consumer_step=step,
        created_at=work.now,
    )
    work.session.add(row)
    data = {"authority": row.authority, "consumer_step": step}
    lifecycle.record(work, request, events.AGENT_RECORDED, actor=actor, data=data)
    return row


def await_attorney(work: Unit, request: Request) -> None:
    """Under a power of attorney no code goes to the person: the request waits, unverified,
    for the document and an operator's review (and expires, or is refused under CCPA at day
    45, like any request left unverified)."""
    data = {"channel": BY_ATTORNEY}
    lifecycle.advance(work, request, Event.CHALLENGE, actor="system", data=data)


@dataclass(frozen=True)
class AgentView:
    """The agent as operators see them."""

    name: str
    email: str
    phone: str | None
    registration: str | None
    authority: Authority
    #: What the person does directly (``verify``, ``confirm``); None under a power of attorney.
    consumer_step: ConsumerStep | None


def of(work: Unit, request_id: str) -> RequestAgent | None:
    return work.session.get(RequestAgent, request_id)


def view(work: Unit, request_id: str) -> AgentView | None:
    row = of(work, request_id)
    if row is None:
        return None
    step = ConsumerStep(row.consumer_step) if row.consumer_step is not None else None
    authority = Authority(row.authority)
    return AgentView(row.name, row.email, row.phone, row.registration, authority, step)


def by_attorney(agent: RequestAgent | None) -> bool:
    return agent is not None and agent.authority == Authority.POWER_OF_ATTORNEY.value


def code_context(work: Unit, request: Request) -> dict[str, str]:
    """What the person's code message says of the agent: who asked, what the code means."""
    agent = of(work, request.id)
    if agent is None or agent.consumer_step is None:
        return {}
    return {"agent": agent.name, "agent_step": agent.consumer_step}


def directly(work: Unit, request: Request, *, own_link: bool) -> str | None:
    """Why this holder may not enter the person's code (None when they may): with an agent,
    only the person's own link does (CCR 7063(a): the person, not the agent, does this)."""
    agent = of(work, request.id)
    if agent is None or agent.consumer_step is None or own_link:
        return None
    return (
        "the person enters this code themselves, with the link in our message to them; "
        "an agent cannot (CCR 7063(a))"
    )


def method(work: Unit, request: Request, channel: str) -> str:
    """The verification method a code entered records: the person's own, or their direct step
    on an agent's request (``person_verified:email``, ``person_confirmed:email``)."""
    agent = of(work, request.id)
    if agent is None or agent.consumer_step is None:
        return f"code:{channel}"
    done = "confirmed" if agent.consumer_step == ConsumerStep.CONFIRM.value else "verified"
    return f"person_{done}:{channel}"


def missing(services: Services, work: Unit, request: Request) -> list[DocumentKind]:
    """The signed documents the case still needs before it may be approved: the written
    request the policy asks for this type (doc (f), INT-14), the agent's proof (INT-11)."""
    needed = []
    if services.policy.config.written_request.get(RequestType(request.type), False):
        needed.append(DocumentKind.WRITTEN_REQUEST)
    agent = of(work, request.id)
    if agent is not None:
        authority = Authority(agent.authority)
        if (
            authority is Authority.POWER_OF_ATTORNEY
            or services.policy.config.agents.signed_permission
        ):
            needed.append(PROOF[authority])
    if not needed:
        return []
    held = documents.kinds(work, request.id)
    return [kind for kind in needed if kind not in held]


def require(services: Services, work: Unit, request: Request) -> None:
    """ConflictError (409) naming the documents an approval still waits for."""
    absent = missing(services, work, request)
    if absent:
        raise ConflictError(
            "attach the signed document(s) first: " + ", ".join(k.value for k in absent)
        )


def attest(work: Unit, request: Request, evidence: str) -> str:
    """An operator verifies an agent's request: under a power of attorney, only once the
    document is attached (the method is then ``power_of_attorney``: no step-up goes to the
    person, 7063(b)); else the method is the operator's."""
    agent = of(work, request.id)
    if not by_attorney(agent):
        return "operator"
    if DocumentKind.POWER_OF_ATTORNEY not in documents.kinds(work, request.id):
        raise ConflictError("the power of attorney is not attached yet; review it before verifying")
    if len(evidence.strip()) < 5:
        raise PolicyError("say how the power of attorney was checked")
    return BY_ATTORNEY


def tell(work: Unit, request: Request, kind: str, extra: Mapping[str, object]) -> None:
    """A message to the agent, if the request has one (after the transaction commits)."""
    agent = of(work, request.id)
    if agent is None:
        return
    context = {"request_id": request.id, "request_type": request.type, "on_behalf": True}
    context |= {"agent": agent.name, "authority": agent.authority}
    context |= {"agent_step": agent.consumer_step, **extra}
    work.notices.append(
        Notice(kind, agent.email, None, request.locale, context, request.id, follow=False)
    )


def erase(work: Unit, request_id: str) -> int:
    """Forget the agent with the case record."""
    agent = of(work, request_id)
    if agent is None:
        return 0
    work.session.delete(agent)
    return 1

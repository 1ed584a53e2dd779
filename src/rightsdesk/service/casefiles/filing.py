"""Attaching, listing and reading a case's documents: by the requester (their token: the
person, or the agent who submitted) or an operator (API key); the edges call these."""

from __future__ import annotations

from rightsdesk.domain.agents import DocumentKind
from rightsdesk.domain.requests import Status
from rightsdesk.service.casefiles import agents, documents
from rightsdesk.service.casefiles.documents import DocumentView, Opened
from rightsdesk.service.requests import decisions, lifecycle
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.service.runtime.operators import Operator, Scope
from rightsdesk.service.verification import codes as verification
from rightsdesk.store.models import Request


def attach(
    services: Services, request_id: str, token: str, kind: DocumentKind, data: bytes
) -> DocumentView:
    """The requester sends a signed document; a request it completes may then be approved."""
    documents.sniff(data)  # refused before any look-up (415, 413)
    with unit(services) as work:
        holder = verification.resolve_token(services, work, request_id, token)
        request = lifecycle.load(work, request_id)
        own = holder.token_hash == verification.link_hash(services, request_id)
        by = "agent" if agents.of(work, request_id) is not None and not own else "person"
        return _attach(services, work, request, kind, data, by)


def attach_for(
    services: Services, operator: Operator, request_id: str, kind: DocumentKind, data: bytes
) -> DocumentView:
    """An operator files a signed document received another way (a letter, a ticket)."""
    operator.require(Scope.DECIDE)
    documents.sniff(data)
    with unit(services) as work:
        request = lifecycle.load(work, request_id)
        return _attach(services, work, request, kind, data, operator.actor)


def listing(services: Services, operator: Operator, request_id: str) -> list[DocumentView]:
    operator.require(Scope.READ)
    with unit(services) as work:
        lifecycle.load(work, request_id, lock=False)  # a 404 for an unknown request
        return documents.listing(work, request_id)


def read(services: Services, operator: Operator, request_id: str, document_id: str) -> Opened:
    """A document decrypted for an operator who decides requests (the read is audited)."""
    operator.require(Scope.DECIDE)
    with unit(services) as work:
        request = lifecycle.load(work, request_id)
        return documents.read(services, work, request, document_id, operator.actor)


def _attach(
    services: Services, work: Unit, request: Request, kind: DocumentKind, data: bytes, by: str
) -> DocumentView:
    shown = documents.attach(services, work, request, kind, data, by)
    if Status(request.status) is Status.AWAITING_APPROVAL:
        decisions.after_step(services, work, request)  # approved if policy and papers allow
    return shown

"""The operator console: sign in with an API key, work the queue, open a request.

A browser signs in by giving an API key once: ``operators.sign_in`` checks it and returns a mark
bound to the key, which the session cookie carries (never the key) for ``CONSOLE_HOURS``; every
page resumes the operator from it (``operators.resume``), so a revoked key ends its sessions at
once. Behind a proxy that signs people in (OIDC), the proxy may instead send the key of the
person's role in the ``X-API-Key`` header, exactly as for the JSON API. Every page reads and
decides through the same service functions as the operator API (``api/operator.py``), with the
same scope checks.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import IPvAnyNetwork
from starlette.responses import Response

from rightsdesk.api.errors import status_of
from rightsdesk.api.schemas import PRINTABLE
from rightsdesk.domain.errors import AuthenticationError, Code, InputError, RightsdeskError
from rightsdesk.domain.requests import RequestType, Status
from rightsdesk.policy import Regime
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.requests import views
from rightsdesk.service.runtime import operators
from rightsdesk.service.runtime.operators import Operator, Scope
from rightsdesk.web import wording
from rightsdesk.web.center import Csrf, RequestId
from rightsdesk.web.visit import PageRoute, Visit, VisitDep

#: The header a signing-in proxy may set (the same as the JSON API's).
KEY_HEADER = "x-api-key"
PER_PAGE = 50
DEADLINES = ("at_risk", "overdue")
E = TypeVar("E", bound=StrEnum)

Choice = Annotated[str, Query(max_length=32, pattern=r"^[a-z_]*$")]
Assignee = Annotated[str, Query(max_length=128, pattern=PRINTABLE)]


class ConsoleRoute(PageRoute):
    """A console page: no valid sign-in shows the sign-in form (401) in the page's place."""

    error_page = "console/error.html"

    def failed(self, request: Request, exc: RightsdeskError) -> Response:
        page = Visit(request, request.app.state.services)
        if isinstance(exc, AuthenticationError):
            asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            back = asked if request.method == "GET" else "/console"
            problem = page.explain(exc)
            return page.render("console/sign_in.html", status=401, problem=problem, back=back)
        return page.render(self.error_page, status=status_of(exc), detail=page.explain(exc))


def routes() -> APIRouter:
    """A router of console pages (this module's, the decisions', the dashboard's)."""
    return APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)


router = routes()


@dataclass(frozen=True)
class Desk:
    """A console page view: the visit and the operator signed in."""

    page: Visit
    operator: Operator

    def render(self, template: str, status: int = 200, **context: Any) -> Response:
        say = self.page.language.gettext
        return self.page.render(
            template,
            status=status,
            operator=self.operator,
            can_decide=Scope.DECIDE in self.operator.scopes,
            statuses={s.value: say(label) for s, label in wording.CONSOLE_STATUS.items()},
            deadlines={k: say(label) for k, label in wording.DEADLINE.items()},
            regimes={r.value: say(label) for r, label in wording.REGIME.items()},
            **context,
        )


def desk(page: VisitDep) -> Desk:
    held = page.session.console()
    if held is not None:
        return Desk(page, operators.resume(page.services, *held))
    vouched = _proxied(page)
    if vouched is not None:
        return Desk(page, vouched)
    key = page.request.headers.get(KEY_HEADER)
    if key:
        return Desk(page, operators.authenticate(page.services, key))
    raise AuthenticationError("sign in with your API key", code=Code.SIGN_IN)


def _proxied(page: Visit) -> Operator | None:
    """The operator a trusted signing-in proxy names in its headers (``console_proxies``)."""
    settings, request = page.services.settings, page.request
    user = request.headers.get(settings.console_user_header, "").strip()
    peer = request.client.host if request.client else None
    if not user or peer is None or not _trusted(peer, settings.console_proxies):
        return None
    if len(user) > 128 or not user.isprintable():
        raise InputError(f"{settings.console_user_header} must be a printable name")
    groups = request.headers.get(settings.console_groups_header, "").split(",")
    return operators.federated(page.services, user, groups)


def _trusted(peer: str, proxies: list[IPvAnyNetwork]) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:  # e.g. a Unix socket's peer
        return False
    return any(address in network for network in proxies)


DeskDep = Annotated[Desk, Depends(desk)]


@router.get("/sign-in")
def sign_in_page(page: VisitDep) -> Response:
    if page.session.console() is not None:
        return page.redirect("/console")
    return page.render("console/sign_in.html", back="/console")


@router.post("/sign-in")
def sign_in(
    page: VisitDep,
    csrf: Csrf,
    key: Annotated[str, Form(min_length=1, max_length=256)],
    back: Annotated[str, Form(max_length=512)] = "/console",
) -> Response:
    page.check(csrf)
    operator, mark = operators.sign_in(page.services, key.strip())
    page.session.sign_in(operator.key_id, mark)
    local = back.startswith("/console") and not back.startswith("/console/sign-")
    if Scope.READ not in operator.scopes and operator.scopes & operators.VAULT_SCOPES:
        return page.redirect("/console/vault")  # a vault reader has no queue to see
    return page.redirect(back if local else "/console")


@router.post("/sign-out")
def sign_out(page: VisitDep, csrf: Csrf) -> Response:
    page.check(csrf)
    page.session.sign_out()
    return page.redirect("/console/sign-in")


@router.get("")
def queue(
    desk: DeskDep,
    type: Choice = "",
    status: Choice = "",
    regime: Choice = "",
    deadline: Choice = "",
    assignee: Assignee = "",
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> Response:
    """The queue, filtered by what the address says (never a person's identity: see search)."""
    return _queue(desk, type, status, regime, deadline, assignee, "", offset)


@router.post("")
def search(
    desk: DeskDep,
    csrf: Csrf,
    type: Annotated[str, Form(max_length=32)] = "",
    status: Annotated[str, Form(max_length=32)] = "",
    regime: Annotated[str, Form(max_length=32)] = "",
    deadline: Annotated[str, Form(max_length=32)] = "",
    assignee: Annotated[str, Form(max_length=128, pattern=PRINTABLE)] = "",
    q: Annotated[str, Form(max_length=320, pattern=PRINTABLE)] = "",
) -> Response:
    """The filter form: posted, so a searched email or phone number stays out of addresses."""
    desk.page.check(csrf)
    return _queue(desk, type, status, regime, deadline, assignee, q.strip(), 0)


def _queue(
    desk: Desk,
    type_: str,
    status: str,
    regime: str,
    deadline: str,
    assignee: str,
    q: str,
    offset: int,
) -> Response:
    desk.operator.require(Scope.READ)
    spec = views.Filter(
        status=(_choice(Status, status),) if status else (),
        type=_choice(RequestType, type_) if type_ else None,
        deadline=deadline or None,
        assignee=assignee.strip() or None,
        q=q or None,
        limit=PER_PAGE,
        offset=offset,
        regime=_choice(Regime, regime) if regime else None,
    )
    total, items = views.search(desk.page.services, spec)
    chosen = {"type": type_, "status": status, "regime": regime, "deadline": deadline}
    chosen["assignee"] = spec.assignee or ""
    lang, say = desk.page.language, desk.page.language.gettext
    filters = [
        ("type", say("Right"), [(t.value, lang.right(t)) for t in RequestType]),
        ("status", say("Status"), [(s.value, say(w)) for s, w in wording.CONSOLE_STATUS.items()]),
        ("regime", say("Regime"), [(r.value, say(w)) for r, w in wording.REGIME.items()]),
        ("deadline", say("Deadline"), [(d, say(wording.DEADLINE[d])) for d in DEADLINES]),
    ]
    return desk.render(
        "console/queue.html",
        items=items,
        total=total,
        offset=offset,
        per_page=PER_PAGE,
        chosen=chosen,
        q=q,
        paging=None if q else urlencode({k: v for k, v in chosen.items() if v}),
        filters=filters,
    )


def _choice(kind: type[E], value: str) -> E:
    try:
        return kind(value)
    except ValueError:
        raise InputError(f"{value!r} is not one of {', '.join(kind)}") from None


@router.get("/requests/{request_id}")
def show(
    desk: DeskDep,
    request_id: RequestId,
    done: Annotated[str, Query(max_length=16)] = "",
) -> Response:
    """One request: identities, the decisions open to the operator, notes, timeline, deliveries."""
    desk.operator.require(Scope.READ)
    services, say = desk.page.services, desk.page.language.gettext
    shown = views.detail(services, request_id)
    sent = deliveries.listing(services, request_id=request_id, limit=200)
    return desk.render(
        "console/request.html",
        r=shown,
        sent=sent,
        grounds=services.policy.grounds(),
        done=done if done in wording.DONE else None,
        notices={key: say(text) for key, text in wording.DONE.items()},
    )

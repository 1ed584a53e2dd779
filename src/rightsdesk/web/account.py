"""A person signed in on the host platform: consents per purpose, bindings, requests at once.

The host's page posts the person's login token (``POST /sign-in``, field ``token``: the same
HS256 token the API takes as ``Authorization: Bearer``); it is checked by the service, kept in
the session cookie, and checked again on every page, so the sign-in ends when the service stops
accepting the token (``verification.HOST_TOKEN_MAX_AGE``). Consents are given or withdrawn with
one button each (WDR-02), bindings removed one by one (WDR-01), and requests made here are
verified at once, all through the same service calls as ``api/consent.py``, ``api/bindings.py``
and ``api/person.py``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from starlette.responses import Response

from rightsdesk.api.consent import gpc_signal
from rightsdesk.domain.errors import AuthenticationError, Code
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import bindings
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.requests import intake
from rightsdesk.service.verification import codes as verification
from rightsdesk.web import wording
from rightsdesk.web.center import AskedDep, Csrf, offered
from rightsdesk.web.visit import PageRoute, Visit, VisitDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)
HostToken = Annotated[str, Form(min_length=16, max_length=4096, pattern=r"^[A-Za-z0-9_.=-]+$")]
Purpose = Annotated[str, Form(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
BindingId = Annotated[str, Form(pattern=r"^[A-Za-z0-9_]+\.[A-Za-z0-9_]+:[A-Za-z0-9_.-]{1,64}$")]


def host_token(page: Visit) -> str:
    if page.session.host is None:
        raise AuthenticationError(
            "sign in on the platform first, then open the privacy center", code=Code.SIGN_IN_FIRST
        )
    return page.session.host


def person(page: Visit) -> tuple[Identity, ...]:
    """The identities the held login token proves (checked again now, as the API does)."""
    claims = verification.host_claims(page.services, host_token(page))
    return verification.claim_identities(claims)


@router.post("/sign-in")
def arrive(page: VisitDep, token: HostToken) -> Response:
    """Posted by the host's page (so without this site's CSRF token: the signed token is the
    proof); an invalid or stale token is refused before anything is kept."""
    verification.host_claims(page.services, token)
    page.session.arrive(token)
    return page.redirect("/account")


@router.get("/account")
def account(page: VisitDep) -> Response:
    who = person(page)
    if gpc_signal(page.request):  # as the API's consent calls: the signal is an opt-out
        consent.honour_gpc(page.services, who)
    say, done = page.language.gettext, page.request.query_params.get("done", "")
    return page.render(
        "account.html",
        purposes=consent.show(page.services, who),
        bindings=bindings.listing(page.services, who) if bindings.available(page.services) else [],
        offer=offered(page),
        states={k: say(v) for k, v in wording.CONSENT_STATE.items()},
        bases={k: say(v) for k, v in wording.BASIS.items()},
        notice=say(wording.ACCOUNT_DONE[done]) if done in wording.ACCOUNT_DONE else None,
    )


@router.post("/account/consents")
def decide(
    page: VisitDep, csrf: Csrf, purpose: Purpose, given: Annotated[bool, Form()]
) -> Response:
    """Give or withdraw one purpose: one button either way."""
    page.check(csrf)
    consent.decide(page.services, person(page), purpose, given=given, method="web")
    return page.redirect(f"/account?done={'given' if given else 'withdrawn'}#consents")


@router.post("/account/bindings/remove")
def unbind(page: VisitDep, csrf: Csrf, binding: BindingId) -> Response:
    page.check(csrf)
    bindings.remove(page.services, person(page), binding, actor="person")
    return page.redirect("/account?done=unbound#bindings")


@router.post("/account/requests")
def submit(page: VisitDep, csrf: Csrf, asking: AskedDep) -> Response:
    """A request made signed in: verified at once by the login token, no code."""
    page.check(csrf)
    done = intake.submit(
        page.services,
        intake.Submission(
            type=asking.right,
            channel="web",
            locale=page.language.code,
            params=asking.params,
            host_token=host_token(page),
            client=page.client,
        ),
    )
    page.session.remember(done.request.id, done.own_token())
    return page.redirect(f"/requests/{done.request.id}")


@router.post("/account/sign-out")
def leave(page: VisitDep, csrf: Csrf) -> Response:
    page.check(csrf)
    page.session.leave()
    return page.redirect("/")

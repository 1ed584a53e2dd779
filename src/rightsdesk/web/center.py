"""The privacy center: choose a right, prove who you are with a code, follow the request.

Every action calls the same service function as the JSON API route beside it (``api/person.py``)
with the channel ``web``, the client's address (so the per-person and per-client caps on codes
are the API's own) and the browser's capability token, which lives in the session cookie and
never in an address. The capability link ``/requests/<id>/open?token=...`` puts a token into
the session and leaves the address bar at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Path, Query
from pydantic import StringConstraints
from starlette.responses import Response

from rightsdesk.domain.errors import AuthenticationError, Code, LockedOutError
from rightsdesk.domain.identities import EMAIL
from rightsdesk.domain.requests import TRANSITIONS, Event, RequestType, Status
from rightsdesk.domain.subjects import Identity
from rightsdesk.domain.texts import LOCALES
from rightsdesk.export import portability
from rightsdesk.policy import Regime
from rightsdesk.service.deliveries import transfer
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import intake, receipts
from rightsdesk.service.verification import codes as verification
from rightsdesk.service.workflows import objection
from rightsdesk.web import i18n, reading, wording
from rightsdesk.web.visit import HEADERS, PageRoute, Visit, VisitDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)

#: The rights offered on the first page, in the order people look for them.
RIGHTS = (
    RequestType.ACCESS,
    RequestType.DELETE,
    RequestType.RESTRICT,
    RequestType.OBJECT,
    RequestType.PORTABILITY,
    RequestType.CANCEL_ACCOUNT,
)
RequestId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
Csrf = Annotated[str, Form(max_length=128)]
Contact = Annotated[str, Form(min_length=1, max_length=320)]
PurposeName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")]


@dataclass(frozen=True)
class Asked:
    """The right chosen and the params its fields give (objection, portability)."""

    right: RequestType
    params: dict[str, object]


def asked(
    right: Annotated[RequestType, Form()],
    purpose: Annotated[list[PurposeName], Form(default_factory=list, max_length=32)],
    reason: Annotated[str, Form(max_length=objection.REASON_LIMIT)] = "",
    delivery: Annotated[Literal["download", "transfer"], Form()] = "download",
    transfer_to: Annotated[str, Form(max_length=transfer.URL_LIMIT)] = "",
) -> Asked:
    """The first page's form (and the signed-in one): an objection names purposes and why,
    portability is downloaded or sent to another handler's https:// address; the service
    checks them as it checks the API's ``params``."""
    params: dict[str, object] = {}
    if right is RequestType.OBJECT:
        params = {"purposes": purpose} | ({"reason": reason.strip()} if reason.strip() else {})
    elif right is RequestType.PORTABILITY and delivery == "transfer":
        params = {"transfer_to": transfer_to.strip()}
    return Asked(right, params)


AskedDep = Annotated[Asked, Depends(asked)]


@dataclass(frozen=True)
class Offer:
    """What the request forms offer: the rights this data map allows, and the purposes one
    can object to (name, the data map's description)."""

    rights: list[RequestType]
    objectable: list[tuple[str, str]]


def offered(page: Visit) -> Offer:
    datamap = page.services.require_datamap()
    say = page.language.text
    purposes = [(p.name, say(p.description)) for p in datamap.purposes if objection.objectable(p)]
    left_out = {RequestType.OBJECT} if not purposes else set()
    left_out |= {RequestType.PORTABILITY} if not portability.portable(datamap) else set()
    return Offer([r for r in RIGHTS if r not in left_out], purposes)


@router.get("/")
def home(page: VisitDep) -> Response:
    return page.render("home.html", offer=offered(page))


@router.post("/requests")
def submit(page: VisitDep, csrf: Csrf, asking: AskedDep, contact: Contact) -> Response:
    page.check(csrf)
    contact = contact.strip()
    kind = "email" if EMAIL.accepts(contact) else "phone"
    submission = intake.Submission(
        type=asking.right,
        identities=(Identity(kind, contact),),
        channel="web",
        locale=page.language.code,
        params=asking.params,
        client=page.client,
    )
    done = intake.submit(page.services, submission)
    if done.token is None:  # joined an open request: only its code proves who asks
        return page.render("joined.html", request_id=done.request.id)
    page.session.remember(done.request.id, done.token)
    return page.redirect(f"/requests/{done.request.id}")


@router.get("/requests/{request_id}/open")
def open_link(
    page: VisitDep,
    request_id: RequestId,
    token: Annotated[str, Query(min_length=8, max_length=256, pattern=r"^[A-Za-z0-9_-]+$")],
) -> Response:
    """The capability link: checked, kept in the session, and the address cleaned at once."""
    requests.status(page.services, request_id, token)
    page.session.remember(request_id, token)
    return page.redirect(f"/requests/{request_id}")


@router.get("/requests/{request_id}")
def show(page: VisitDep, request_id: RequestId) -> Response:
    return _request_page(page, request_id)


@router.post("/requests/{request_id}/verify")
def verify(
    page: VisitDep,
    request_id: RequestId,
    csrf: Csrf,
    code: Annotated[str, Form(min_length=1, max_length=16)],
) -> Response:
    page.check(csrf)
    token = _token(page, request_id)
    try:
        result = verification.enter_code(
            page.services, request_id, token, code.strip(), client=page.client
        )
    except LockedOutError as exc:
        return _request_page(page, request_id, status=429, problem=page.explain(exc))
    if not result.ok:
        return _request_page(page, request_id, status=401, problem=page.explain(result.error()))
    return page.redirect(f"/requests/{request_id}")


@router.post("/requests/{request_id}/code")
def resend(page: VisitDep, request_id: RequestId, csrf: Csrf) -> Response:
    page.check(csrf)
    token, say = _token(page, request_id), page.language.gettext
    sent = requests.resend_code(page.services, request_id, token, client=page.client)
    notice = (
        say("We sent a new code.")
        if sent
        else say("The code we sent is less than a minute old: use it, or ask again in a minute.")
    )
    return _request_page(page, request_id, notice=notice)


@router.post("/requests/{request_id}/cancel")
def cancel(page: VisitDep, request_id: RequestId, csrf: Csrf) -> Response:
    page.check(csrf)
    requests.cancel(page.services, request_id, _token(page, request_id))
    return page.redirect(f"/requests/{request_id}")


@router.post("/requests/{request_id}/accept-fee")
def accept_fee(page: VisitDep, request_id: RequestId, csrf: Csrf) -> Response:
    page.check(csrf)
    requests.accept_fee(page.services, request_id, _token(page, request_id))
    return page.redirect(f"/requests/{request_id}")


@router.post("/requests/{request_id}/confirm")
def confirm(
    page: VisitDep,
    request_id: RequestId,
    csrf: Csrf,
    understood: Annotated[bool, Form()] = False,
    waive: Annotated[list[str] | None, Form(max_length=20)] = None,
) -> Response:
    """The person's explicit "close my account" (CAN-02), after the warning and the checks."""
    page.check(csrf)
    if not understood:
        say = page.language.gettext
        problem = say("Tick the box to confirm that you understand this cannot be undone.")
        return _request_page(page, request_id, status=422, problem=problem)
    token = _token(page, request_id)
    requests.confirm_cancellation(page.services, request_id, token, list(waive or ()))
    return page.redirect(f"/requests/{request_id}")


@router.get("/requests/{request_id}/receipt")
def receipt_page(page: VisitDep, request_id: RequestId) -> Response:
    """The signed receipt read as a page: what was done where, what was kept and why."""
    document = receipts.for_person(page.services, request_id, _token(page, request_id))
    say = page.language.gettext
    return page.render(
        "receipt.html",
        doc=document["receipt"],
        signature=document["signature"],
        actions={k: say(v) for k, v in wording.RECEIPT_ACTION.items()},
        when=_when,
    )


@router.get("/requests/{request_id}/receipt.json")
def receipt_file(page: VisitDep, request_id: RequestId) -> Response:
    """The signed receipt as a file (check it with ``rightsdesk receipt verify``)."""
    document = receipts.for_person(page.services, request_id, _token(page, request_id))
    body = json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    disposition = f'attachment; filename="receipt-{request_id}.json"'
    headers = {**HEADERS, "Content-Disposition": disposition}
    return page.finish(Response(body, media_type="application/json", headers=headers))


@router.post("/language")
def language(
    page: VisitDep,
    csrf: Csrf,
    lang: Annotated[str, Form(max_length=8)],
    back: Annotated[str, Form(max_length=512)] = "/",
) -> Response:
    """Switch the pages' language and remember it (a year); back to the same local page."""
    page.check(csrf)
    if lang not in LOCALES:
        lang = page.language.code
    local = back.startswith("/") and not back.startswith(("//", "/\\"))
    response = page.redirect(back if local else "/")
    response.set_cookie(
        i18n.COOKIE,
        lang,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        secure=page.secure,
    )
    return response


def _token(page: Visit, request_id: str) -> str:
    token = page.token(request_id)
    if token is None:
        raise AuthenticationError(
            "this browser does not hold this request: open it with the link in any message we "
            "sent you about it",
            code=Code.TOKEN_NOT_HELD,
        )
    return token


def _request_page(
    page: Visit,
    request_id: str,
    *,
    status: int = 200,
    problem: str | None = None,
    notice: str | None = None,
) -> Response:
    token = _token(page, request_id)
    shown = requests.status(page.services, request_id, token)
    state, say = Status(shown.status), page.language.gettext
    export = shown.outcome.get("export") or {}
    regimes = [Regime(r) for r in shown.regimes]
    return page.render(
        "request.html",
        status=status,
        r=shown,
        problem=problem,
        notice=notice,
        statuses={s.value: say(label) for s, label in wording.STATUS.items()},
        next_step=say(wording.NEXT[state]),
        can_cancel=(state, Event.CANCEL) in TRANSITIONS,
        remedies=page.services.policy.remedies(regimes, page.language.code),
        export_expires=_when(export.get("expires_at")),
        export_page=reading.page_url(export.get("download_url", "")),
        link=f"{page.public_url.rstrip('/')}/requests/{request_id}/open?token={token}",
        cooling_off_until=_when(shown.cooling_off_until),
        purposes={
            p.name: page.language.text(p.description)
            for p in page.services.require_datamap().purposes
        },
    )


def _when(text: str | None) -> datetime | date | None:
    """An ISO time (or a day, when that is all it says) as the pages format it."""
    if not text:
        return None
    return date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)

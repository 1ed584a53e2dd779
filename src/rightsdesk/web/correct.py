"""Correction (COR-01..03) from the privacy center: the fields offered are the data map's.

The page lists what people may correct (``correction.offered``: contact details, name, handle,
demographics), takes up to ``ROWS`` new values and a statement, and submits them through
``intake.submit`` as the API does (``type: correct``, ``params.changes``). A person signed in
on the host platform is verified at once; anyone else proves the request with a code sent to
a contact that the correction does not change.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from starlette.responses import Response

from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.identities import EMAIL
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.requests import intake
from rightsdesk.service.workflows import correction
from rightsdesk.web import wording
from rightsdesk.web.center import Csrf
from rightsdesk.web.i18n import Language
from rightsdesk.web.visit import PageRoute, Visit, VisitDep

router = APIRouter(route_class=PageRoute, include_in_schema=False)
#: New values one form takes (no script adds rows; a person with more sends a second request).
ROWS = 3
Values = Annotated[list[str], Form(max_length=ROWS)]


@router.get("/correct")
def form(page: VisitDep) -> Response:
    return _form(page)


@router.post("/correct")
def submit(
    page: VisitDep,
    csrf: Csrf,
    field: Values,
    value: Values,
    statement: Annotated[str, Form(max_length=correction.STATEMENT_LIMIT)] = "",
    contact: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    page.check(csrf)
    changes = [
        {"field": f, "value": v.strip()}
        for f, v in zip(field, value, strict=False)
        if f and v.strip()
    ]
    params: dict[str, object] = {"changes": changes}
    if statement.strip():
        params["statement"] = statement.strip()
    signed_in = page.session.host is not None and not contact.strip()
    if not signed_in and not contact.strip():
        raise PolicyError("name the person with at least one identity (e.g. email)")
    who = contact.strip()
    identities = () if signed_in else (Identity("email" if EMAIL.accepts(who) else "phone", who),)
    done = intake.submit(
        page.services,
        intake.Submission(
            type=RequestType.CORRECT,
            identities=identities,
            channel="web",
            locale=page.language.code,
            params=params,
            host_token=page.session.host if signed_in else None,
            client=page.client,
        ),
    )
    if done.token is None:
        return page.render("joined.html", request_id=done.request.id)
    page.session.remember(done.request.id, done.token)
    return page.redirect(f"/requests/{done.request.id}")


def _form(page: Visit) -> Response:
    offered = correction.offered(page.services.require_datamap())
    return page.render(
        "correct.html",
        fields=[(o.field, _label(page.language, o)) for o in offered],
        rows=range(ROWS),
        signed_in=page.session.host is not None,
        registration_site=page.services.settings.registration_site,
    )


def _label(lang: Language, offered: correction.Offered) -> str:
    """The field as people know it (the data map's label, else its category's name), with the
    data map's name beside."""
    if offered.label is not None:
        return f"{lang.text(offered.label)} ({offered.field})"
    named = wording.category(offered.categories)
    return f"{lang.gettext(named)} ({offered.field})" if named else offered.field

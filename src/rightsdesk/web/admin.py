"""The console's back office: the retention vault, audit verification and API keys.

The vault opens only to keys with the legal or finance scope, as in the operator API
(``api/vault.vault_role``): every read, and every refusal, is audited by the service. Audit
verification and API keys need the admin scope; a new key's secret is shown once, on the page
that created it, and never stored.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Query
from starlette.responses import Response

from rightsdesk.api.vault import Role, vault_role
from rightsdesk.audit import log as audit
from rightsdesk.service.retention import vault
from rightsdesk.service.runtime import operators
from rightsdesk.service.runtime.operators import Scope
from rightsdesk.vault.codec import plain
from rightsdesk.web.center import Csrf
from rightsdesk.web.console import DeskDep, routes

router = routes()
Subject = Annotated[str, Query(max_length=32, pattern=r"^[0-9A-Za-z_-]{0,32}$")]


@router.get("/vault")
def vault_page(
    desk: DeskDep,
    subject: Subject = "",
    kind: Annotated[str, Query(pattern=r"^(request|tombstone)$")] = "request",
    role: Annotated[Role | None, Query()] = None,
) -> Response:
    """Look up the rows sealed for a request (its id) or a cancelled account (its tombstone)."""
    services, operator = desk.page.services, desk.operator
    held = [r for r in Role if Scope(r.value) in operator.scopes]
    if not subject:
        if not held:  # a key without a vault role is refused, and the refusal is audited
            vault_role(services, operator, role, "vault (the console's page)")
        return desk.render("console/vault.html", held=held, subject="", kind=kind, found=None)
    acting = vault_role(services, operator, role, f"{kind} {subject}")
    if kind == "tombstone":
        found = vault.obligations(services, subject, role=acting, actor=operator.actor)
        items, withheld = found.items, found.withheld
    else:
        reading = vault.read(services, subject, role=acting, actor=operator.actor)
        items, withheld = reading.items, reading.withheld
    rows = [(item, plain(item.row)) for item in items]
    return desk.render(
        "console/vault.html",
        held=held,
        subject=subject,
        kind=kind,
        acting=acting,
        found=rows,
        withheld=withheld,
    )


@router.get("/audit")
def audit_page(desk: DeskDep) -> Response:
    """Check the whole audit chain now: any edited, removed or reordered entry is listed."""
    desk.operator.require(Scope.ADMIN)
    entries, breaks = audit.check(desk.page.services.store)
    return desk.render("console/audit.html", entries=entries, breaks=breaks)


@router.get("/keys")
def keys_page(desk: DeskDep) -> Response:
    desk.operator.require(Scope.ADMIN)
    return _keys(desk)


@router.post("/keys")
def create_key(
    desk: DeskDep,
    csrf: Csrf,
    name: Annotated[str, Form(min_length=1, max_length=128)],
    scopes: Annotated[list[str], Form(max_length=len(Scope))],
) -> Response:
    desk.page.check(csrf)
    desk.operator.require(Scope.ADMIN)
    key_id, secret = operators.create_key(desk.page.services, name.strip(), scopes)
    return _keys(desk, created=(key_id, secret))


@router.post("/keys/revoke")
def revoke_key(
    desk: DeskDep, csrf: Csrf, key: Annotated[str, Form(pattern=r"^[0-9a-f]{1,32}$")]
) -> Response:
    desk.page.check(csrf)
    desk.operator.require(Scope.ADMIN)
    operators.revoke(desk.page.services, key)
    return desk.page.redirect("/console/keys")


def _keys(desk: DeskDep, created: tuple[str, str] | None = None) -> Response:
    return desk.render(
        "console/keys.html",
        keys=operators.list_keys(desk.page.services),
        scopes=list(Scope),
        created=created,
    )

"""The console's back office in a real browser: a cancellation confirmed in writing, the vault
(legal role only, every look audited), audit verification, API keys made and revoked; and the
sign-in by a trusted proxy's headers (OIDC behind oauth2-proxy), groups mapped to scopes.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from rightsdesk.domain.requests import RequestType, Status
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.requests import actions, intake, views
from rightsdesk.service.runtime import operators
from rightsdesk.store.models import AuditEvent
from tests.web.axe import assert_accessible
from tests.web.conftest import PageMaker, Site, running, screenshot
from tests.web.test_console import sign_in


def ticket(site: Site, kind: RequestType, email: str) -> str:
    """A request an operator recorded from a written one, verified by its evidence."""
    done = intake.submit(
        site.services,
        intake.Submission(
            type=kind,
            identities=(Identity("email", email),),
            channel="ticket",
            evidence="Signed letter, ticket 5150",
            actor="operator:desk",
        ),
    )
    return done.request.id


def settled(site: Site, request_id: str, wanted: Status) -> None:
    deadline = time.monotonic() + 20
    while views.detail(site.services, request_id).status != wanted:
        assert time.monotonic() < deadline, views.detail(site.services, request_id).status
        time.sleep(0.1)


def audited(site: Site, event: str) -> int:
    with site.services.store.session() as session:
        query = select(func.count()).select_from(AuditEvent).where(AuditEvent.event == event)
        return int(session.scalar(query) or 0)


def test_a_cancellation_confirmed_in_writing_is_recorded_with_its_evidence(
    new_page: PageMaker, site: Site
) -> None:
    request_id = ticket(site, RequestType.CANCEL_ACCOUNT, "yan.wang29@example.net")
    settled(site, request_id, Status.AWAITING_CONFIRMATION)
    page = new_page("zh-CN")
    sign_in(page, site, button="登录")
    page.goto(f"/console/requests/{request_id}")
    page.locator("input[name=waive]").check()
    page.locator("#confirm-evidence").fill("本人签字的注销确认书 工单 5151")
    page.get_by_role("button", name="记录确认").click()
    expect(page.get_by_role("status")).to_contain_text("已记录本人的书面确认")
    expect(page.locator(".status")).to_have_text("等待审批")
    expect(page.locator(".timeline")).to_contain_text("工单 5151")
    assert_accessible(page)


def test_the_vault_opens_to_the_legal_role_only_and_every_look_is_audited(
    new_page: PageMaker, site: Site
) -> None:
    request_id = ticket(site, RequestType.DELETE, "lei.he27@example.org")
    decider = operators.Operator(
        "desk", "desk", frozenset(operators.IMPLIES[operators.Scope.DECIDE])
    )
    actions.approve(site.services, decider, request_id, "written request")
    settled(site, request_id, Status.COMPLETED)

    clerk = new_page()
    sign_in(clerk, site, ("decide",))
    expect(clerk.get_by_role("link", name="Vault")).to_have_count(0)
    denied = audited(site, "vault_denied")
    response = clerk.goto(f"/console/vault?subject={request_id}")
    assert response is not None and response.status == 403
    expect(clerk.get_by_role("alert")).to_contain_text("legal and finance roles")
    assert audited(site, "vault_denied") == denied + 1
    assert_accessible(clerk)

    lawyer = new_page()
    sign_in(lawyer, site, ("legal",))  # a vault reader lands on the vault
    expect(lawyer.get_by_role("link", name="Vault")).to_have_attribute("aria-current", "page")
    read = audited(site, "vault_read")
    lawyer.locator("#vault-subject").fill(request_id)
    lawyer.get_by_role("button", name="Open").click()
    expect(lawyer.locator("#sealed-title")).to_have_text("Sealed rows readable by legal")
    expect(lawyer.locator("main table").first).to_be_visible()
    assert audited(site, "vault_read") == read + 1
    assert_accessible(lawyer)
    screenshot(lawyer, "console-vault-en")


def test_an_admin_verifies_the_audit_chain_and_makes_and_revokes_a_key(
    new_page: PageMaker, site: Site
) -> None:
    page = new_page()
    sign_in(page, site, ("admin",))
    page.get_by_role("link", name="Audit").click()
    expect(page.get_by_role("status")).to_contain_text("Intact")
    assert_accessible(page)
    page.get_by_role("link", name="API keys").click()
    page.locator("#key-name").fill("Night shift")
    page.locator("#scope-read").check()
    page.get_by_role("button", name="Create the key").click()
    secret = page.locator(".notice code").inner_text()
    assert secret.startswith("rdk_")
    assert_accessible(page)
    screenshot(page, "console-keys-en")
    page.goto("/console/keys")  # shown once
    expect(page.locator(".notice code")).to_have_count(0)

    other = new_page()
    other.goto("/console")
    other.locator("#key").fill(secret)
    other.get_by_role("button", name="Sign in", exact=True).click()
    expect(other.get_by_role("heading", level=1)).to_have_text("Queue")
    expect(other.get_by_role("link", name="API keys")).to_have_count(0)  # read only
    assert other.goto("/console/keys").status == 403  # type: ignore[union-attr]

    page.get_by_role("row", name="Night shift").get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("row", name="Night shift")).to_contain_text("Revoked")
    other.goto("/console")
    expect(other.get_by_role("alert")).to_contain_text("sign in again")


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server behind a signing-in proxy on 127.0.0.1 (the tests' own address)."""
    root = tmp_path_factory.mktemp("proxied")
    groups = {"dpo": ["decide"], "counsel": ["legal"]}
    with running(
        root, f"file://{root / 'outbox'}", console_proxies=["127.0.0.1"], console_groups=groups
    ) as services:
        yield services.settings.public_url


def test_a_trusted_proxy_names_the_operator_and_their_groups_give_the_scopes(
    browser: Browser, proxied: str, site: Site
) -> None:
    signed = {"X-Forwarded-User": "mei.chen", "X-Forwarded-Groups": "staff, dpo"}
    context = browser.new_context(base_url=proxied, extra_http_headers=signed)
    page = context.new_page()
    page.goto("/console")
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")
    expect(page.locator("form.who span")).to_have_text("mei.chen")
    assert_accessible(page)
    context.close()

    guest = {"X-Forwarded-User": "guest", "X-Forwarded-Groups": "staff", "Accept-Language": "en"}
    nobody = httpx.get(f"{proxied}/console", headers=guest)
    assert nobody.status_code == 403 and "console role" in nobody.text
    # a server not told to trust this address ignores the headers: the sign-in form
    untrusted = httpx.get(f"{site.url}/console", headers=signed)
    assert untrusted.status_code == 401 and 'id="key"' in untrusted.text

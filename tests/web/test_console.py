"""The operator console in a real browser: sign in with an API key, filter the queue, approve
and refuse end to end (the person sees the outcome in the privacy center), the dashboard; axe on
every console page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.requests import intake
from rightsdesk.service.runtime import operators
from rightsdesk.service.runtime.operators import Scope
from tests.web.axe import assert_accessible
from tests.web.conftest import PageMaker, Site, screenshot
from tests.web.test_center import enter_code, submit


def sign_in(
    page: Page, site: Site, scopes: tuple[str, ...] = ("decide",), button: str = "Sign in"
) -> str:
    """Sign ``page``'s browser in to the console with a new key; the key's id."""
    key_id, key = operators.create_key(site.services, f"Ada {scopes[0]}", list(scopes))
    page.goto("/console")
    page.locator("#key").fill(key)
    page.get_by_role("button", name=button, exact=True).click()
    return key_id


def open_request(page: Page, request_id: str) -> None:
    page.locator("#f-q").fill(request_id)
    page.locator("form.filters button[type=submit]").click()
    page.locator(f"a[href='/console/requests/{request_id}']").click()


def test_signing_in_takes_a_key_and_keeps_it_out_of_the_cookie_then_signing_out_ends_it(
    new_page: PageMaker, site: Site
) -> None:
    page = new_page()
    response = page.goto("/console/dashboard")
    assert response is not None and response.status == 401
    assert_accessible(page)
    screenshot(page, "console-sign-in-en")
    page.locator("#key").fill("rdk_000000000000_not-a-key")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")

    key_id = sign_in(page, site)
    expect(page.get_by_role("heading", level=1)).to_have_text("Queue")
    cookie = next(c for c in page.context.cookies() if c["name"] == "rd_session")
    assert cookie["httpOnly"] and key_id not in page.content()
    page.goto("/console/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")

    operators.revoke(site.services, key_id)  # a revoked key ends its sessions at once
    page.goto("/console")
    expect(page.get_by_role("alert")).to_contain_text("sign in again")

    key_id, key = operators.create_key(site.services, "Ada again", ["read"])
    page.goto("/console?deadline=overdue")  # the sign-in returns to the page asked for
    page.locator("#key").fill(key)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("#f-deadline")).to_have_value("overdue")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the console")
    assert page.goto("/console") is not None and page.locator("#key").is_visible()


def test_the_queue_filters_by_type_status_regime_deadline_and_searches_by_identity(
    new_page: PageMaker, site: Site
) -> None:
    person = "queue.person7@example.org"
    made = {
        kind: intake.submit(
            site.services,
            intake.Submission(type=kind, identities=(Identity("email", person),), channel="web"),
        ).request.id
        for kind in (RequestType.ACCESS, RequestType.DELETE)
    }
    page = new_page()
    sign_in(page, site)
    assert_accessible(page)
    page.locator("#f-q").fill(person)  # posted: the address never holds the email
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("table.queue tbody tr")).to_have_count(2)
    assert person not in page.url
    page.locator("#f-type").select_option("delete")
    page.locator("form.filters button[type=submit]").click()
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator("a")).to_have_attribute("href", f"/console/requests/{made['delete']}")
    page.locator("#f-deadline").select_option("overdue")
    page.locator("form.filters button[type=submit]").click()
    expect(page.get_by_text("No request matches these filters.")).to_be_visible()

    page.goto("/console?type=access&status=identity_unverified&regime=provider_cn")
    expect(page.locator("#f-type")).to_have_value("access")
    ids = page.locator("table.queue tbody a").evaluate_all("links => links.map(a => a.href)")
    assert any(made["access"] in href for href in ids)
    assert not any(made["delete"] in href for href in ids)
    page.goto("/console?regime=gdpr")
    assert not any(
        made["access"] in h
        for h in page.locator("table.queue tbody a").evaluate_all("ls => ls.map(a => a.href)")
    )
    assert page.goto("/console?deadline=soon") is not None
    expect(page.get_by_role("alert")).to_be_visible()  # a bad filter is told, never a 500
    assert_accessible(page)


def test_an_operator_approves_a_deletion_and_the_person_sees_it_move_on(
    new_page: PageMaker, site: Site
) -> None:
    person = "approve.me8@example.org"
    center = new_page()
    request_id = submit(center, "delete", person, "Send me a code")
    enter_code(center, site, person, 1, "Confirm")
    expect(center.locator(".status")).to_have_text("Being reviewed")

    page = new_page()
    sign_in(page, site)
    page.goto("/console?status=awaiting_approval")
    open_request(page, request_id)
    expect(page.locator("main")).to_contain_text(person)  # the identities
    assert_accessible(page)
    screenshot(page, "console-request-en")
    page.locator("#note").fill("Checked the account by phone")
    page.get_by_role("button", name="Add the note").click()
    expect(page.get_by_role("status")).to_have_text("Note added.")
    expect(page.locator(".note")).to_contain_text("Checked the account by phone")
    page.locator("#approve-reason").fill("Identity checked")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Approved.")
    expect(page.locator(".timeline")).to_contain_text("Identity checked")
    expect(page.get_by_role("button", name="Approve", exact=True)).to_have_count(0)

    center.reload()
    expect(center.locator(".status")).not_to_have_text("Being reviewed")


def test_an_operator_refuses_in_chinese_and_the_person_reads_the_refusal(
    new_page: PageMaker, site: Site
) -> None:
    person = "refuse.me9@example.com"
    center = new_page("zh-CN")
    request_id = submit(center, "delete", person, "发送验证码")
    enter_code(center, site, person, 1, "确认")

    page = new_page("zh-CN")
    sign_in(page, site, button="登录")
    expect(page.get_by_role("heading", level=1)).to_have_text("请求队列")
    screenshot(page, "console-queue-zh-CN")
    open_request(page, request_id)
    page.locator("#ground").select_option("legal_obligation")
    page.locator("#justification").fill("税务法规要求保留账单记录五年")
    page.locator("#alternative").fill("我们可以限制对这些记录的处理")
    page.get_by_role("button", name="拒绝", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("已拒绝")
    expect(page.locator(".status")).to_have_text("已拒绝")
    assert_accessible(page)

    center.reload()
    refusal = center.locator(".refusal")
    expect(refusal).to_contain_text("税务法规要求保留账单记录五年")
    expect(refusal).to_contain_text("我们可以限制对这些记录的处理")

    page.get_by_role("link", name="概览").click()
    expect(page.locator("#grounds-title")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    expect(page.locator("main")).to_contain_text(
        next(
            g.title("zh-CN") for g in site.services.policy.grounds() if g.code == "legal_obligation"
        )
    )
    assert_accessible(page)
    screenshot(page, "console-dashboard-zh-CN")


def test_a_read_only_key_sees_no_decisions_and_a_posted_one_is_refused(
    new_page: PageMaker, site: Site
) -> None:
    person = "read.only10@example.org"
    done = intake.submit(
        site.services,
        intake.Submission(
            type=RequestType.ACCESS, identities=(Identity("email", person),), channel="web"
        ),
    )
    page = new_page()
    sign_in(page, site, scopes=(Scope.READ.value,))
    page.goto(f"/console/requests/{done.request.id}")
    expect(page.get_by_role("heading", name="Decide")).to_have_count(0)
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    refused = page.request.post(
        f"/console/requests/{done.request.id}/notes", form={"csrf": csrf or "", "text": "hi"}
    )
    assert refused.status == 403
    said = refused.text()  # the service's own check, in the page's language
    assert "lacks the decide scope" in said or "缺少 decide 权限范围" in said
    forged = page.request.post(
        f"/console/requests/{done.request.id}/notes", form={"csrf": "forged", "text": "hi"}
    )
    assert forged.status == 403


def test_an_operator_verifies_a_written_request_by_its_evidence(
    new_page: PageMaker, site: Site
) -> None:
    done = intake.submit(
        site.services,
        intake.Submission(
            type=RequestType.DELETE,
            identities=(Identity("email", "by.letter11@example.org"),),
            channel="web",
        ),
    )
    page = new_page()
    sign_in(page, site)
    page.goto(f"/console/requests/{done.request.id}")
    expect(page.locator(".status")).to_have_text("Identity not verified")
    page.locator("#evidence").fill("Signed letter, ticket 4711")
    page.get_by_role("button", name="Verify", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Identity verified from the evidence recorded.")
    expect(page.locator(".status")).to_have_text("Awaiting approval")
    expect(page.locator(".timeline")).to_contain_text("Signed letter, ticket 4711")
    expect(page.locator("#evidence")).to_have_count(0)
    assert_accessible(page)


def test_an_operator_assigns_and_extends_where_the_regime_allows_it(
    new_page: PageMaker, site: Site
) -> None:
    made = {
        regime: intake.submit(
            site.services,
            intake.Submission(
                type=RequestType.ACCESS,
                identities=(Identity("email", f"extend.{regime}12@example.org"),),
                channel="web",
                regimes=(regime,),
            ),
        ).request
        for regime in ("gdpr", "provider_cn")
    }
    page = new_page()
    sign_in(page, site)
    page.goto(f"/console/requests/{made['gdpr'].id}")
    page.locator("#assignee").fill("Mei")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Assigned.")
    page.locator("#extend-reason").fill("Many systems hold data about this person")
    page.get_by_role("button", name="Extend", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Deadline extended.")
    expect(page.locator(".timeline")).to_contain_text("Many systems hold data about this person")
    page.goto("/console?assignee=Mei")
    expect(page.locator("table.queue tbody tr")).to_have_count(1)

    page.goto(f"/console/requests/{made['provider_cn'].id}")
    page.locator("#extend-reason").fill("Many systems hold data about this person")
    page.get_by_role("button", name="Extend", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("not possible for this request")
    assert_accessible(page)

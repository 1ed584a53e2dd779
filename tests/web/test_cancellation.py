"""Account cancellation in the browser: the pre-checks, the irreversibility warning and the
backup, the explicit confirmation (waiving what may be waived), the cooling-off period with its
revoke button; and the account that signs in through a third party, sent there.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from rightsdesk.service.runtime import operators
from tests.web.axe import assert_accessible
from tests.web.conftest import Site, running, screenshot
from tests.web.test_center import enter_code, submit

COOLING_OFF_DAYS = 5


@pytest.fixture(scope="module")
def cooling(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server whose cancellations cool off for COOLING_OFF_DAYS."""
    root = tmp_path_factory.mktemp("cooling")
    outbox = root / "outbox"
    with running(root, f"file://{outbox}", cooling_off_days=COOLING_OFF_DAYS) as services:
        yield Site(services.settings.public_url, services, outbox)


def page_for(browser: Browser, site: Site, locale: str) -> Page:
    context = browser.new_context(base_url=site.url, locale=locale)
    context.set_default_timeout(10_000)
    return context.new_page()


def wait_for(page: Page, selector: str) -> None:
    """Reload until ``selector`` shows (the backup and the runs happen in the background)."""
    for _ in range(120):  # up to half a minute on a loaded machine
        if page.locator(selector).count():
            return
        page.wait_for_timeout(250)
        page.reload()
    expect(page.locator(selector)).to_be_visible()


@pytest.mark.parametrize(
    ("locale", "person", "words"),
    [
        pytest.param(
            "en-US",
            "jie.zhao14@example.com",
            {
                "send": "Send me a code",
                "confirm": "Confirm",
                "close": "Close my account",
                "review": "Being reviewed",
                "cooling": "Cooling-off period",
                "keep": "Keep my account",
                "withdrawn": "Withdrawn",
            },
            id="en",
        ),
        pytest.param(
            "zh-CN",
            "anna.kowalski15@example.com",
            {
                "send": "发送验证码",
                "confirm": "确认",
                "close": "注销我的账户",
                "review": "审核中",
                "cooling": "冷静期",
                "keep": "保留我的账户",
                "withdrawn": "已撤回",
            },
            id="zh-CN",
        ),
    ],
)
def test_cancellation_warns_backs_up_checks_confirms_cools_off_and_can_be_revoked(
    browser: Browser, cooling: Site, locale: str, person: str, words: dict[str, str]
) -> None:
    page = page_for(browser, cooling, locale)
    request_id = submit(page, "cancel_account", person, words["send"])
    enter_code(page, cooling, person, 1, words["confirm"])
    wait_for(page, "#export-title")  # the backup is offered before anything is done
    warning = page.locator("section.warning")
    expect(warning.locator("ul.checks li")).to_have_count(1)  # active services: may be waived
    expect(page.locator("#export-title + p + p a").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, f"cancel-confirm-{locale}")
    page.locator("input[name=waive]").check()
    page.locator("#understood").check()
    page.get_by_role("button", name=words["close"]).click()
    expect(page.locator(".status")).to_have_text(words["review"])

    _, key = operators.create_key(cooling.services, "cancellations", ["decide"])
    approved = httpx.post(
        f"{cooling.url}/v1/admin/requests/{request_id}/approve",
        headers={"X-API-Key": key},
        json={},
    )
    assert approved.status_code == 200, approved.text
    page.reload()
    expect(page.locator(".status")).to_have_text(words["cooling"])
    assert_accessible(page)
    screenshot(page, f"cancel-cooling-{locale}")
    page.get_by_role("button", name=words["keep"]).click()
    expect(page.locator(".status")).to_have_text(words["withdrawn"])
    page.context.close()


def test_confirming_without_saying_it_is_understood_is_refused(
    browser: Browser, cooling: Site
) -> None:
    person = "yan.wang21@example.com"
    page = page_for(browser, cooling, "en-US")
    request_id = submit(page, "cancel_account", person, "Send me a code")
    enter_code(page, cooling, person, 1, "Confirm")
    wait_for(page, "#understood")
    page.locator("#understood").evaluate("box => box.removeAttribute('required')")
    page.locator("input[name=waive]").check()
    page.get_by_role("button", name="Close my account").click()
    expect(page.get_by_role("alert")).to_contain_text("cannot be undone")
    expect(page).to_have_url(f"{cooling.url}/requests/{request_id}/confirm")
    page.goto(f"/requests/{request_id}")
    expect(page.locator("#understood")).to_be_visible()  # still waiting for the "yes"
    page.context.close()


def test_an_account_signing_in_through_a_third_party_is_sent_there(
    browser: Browser, cooling: Site
) -> None:
    person = "xiuying.ma26@example.com"
    page = page_for(browser, cooling, "zh-CN")
    submit(page, "cancel_account", person, "发送验证码")
    enter_code(page, cooling, person, 1, "确认")
    wait_for(page, "#idp-title")
    # the provider's name and instructions are the data map's Chinese ones (issue 17)
    expect(page.locator("#idp-title")).to_have_text("请在 微博 注销")
    expect(page.locator("main")).to_contain_text("在微博中：设置 > 账号与安全 > 注销账号。")  # noqa: RUF001
    expect(page.locator("main")).not_to_contain_text("Settings > Account Security")
    assert_accessible(page)
    page.context.close()

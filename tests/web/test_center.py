"""The privacy center in a real browser: a person submits, enters the code from the outbox,
follows the request, reads their export, withdraws; in English and in Chinese.

Each test uses its own person of the demo platform (the server is shared by the session, and a
second open request of the same person and type would join the first).
"""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from rightsdesk.service.runtime import operators
from tests.web.axe import assert_accessible
from tests.web.conftest import PageMaker, Site, screenshot

REQUEST_PAGE = re.compile(r"/requests/[0-9a-f]{32}$")


def submit(page: Page, right: str, contact: str, send: str) -> str:
    """Choose ``right`` on the first page, give ``contact``, press ``send``; the request id."""
    page.goto("/")
    assert_accessible(page)
    screenshot(page, f"home-{page.evaluate('document.documentElement.lang')}")
    page.locator(f"#right-{right}").check()
    page.locator("#contact").fill(contact)
    page.get_by_role("button", name=send).click()
    expect(page).to_have_url(REQUEST_PAGE)
    return page.url.rsplit("/", 1)[1]


def wait_for_status(page: Page, status: str) -> None:
    """Reload until the request shows ``status`` (in-process jobs run in the background)."""
    for _ in range(40):
        if page.locator(".status").inner_text() == status:
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(page.locator(".status")).to_have_text(status)


def enter_code(page: Page, site: Site, contact: str, count: int, button: str) -> None:
    page.locator("#code").fill(site.code_for(contact, count))
    page.get_by_role("button", name=button, exact=True).click()


@pytest.mark.parametrize(
    ("locale", "person", "words"),
    [
        pytest.param(
            "en-US",
            "tao.zhu3@example.com",
            {
                "send": "Send me a code",
                "confirm": "Confirm",
                "done": "Completed",
                "read": "Read it here",
                "title": "Your data",
            },
            id="en",
        ),
        pytest.param(
            "zh-CN",
            "fang.luo4@example.net",
            {
                "send": "发送验证码",
                "confirm": "确认",
                "done": "已完成",
                "read": "在线阅读",
                "title": "您的个人信息",
            },
            id="zh-CN",
        ),
    ],
)
def test_access_from_submission_to_the_export_read_as_a_page(
    new_page: PageMaker, site: Site, locale: str, person: str, words: dict[str, str]
) -> None:
    page = new_page(locale)
    request_id = submit(page, "access", person, words["send"])
    assert person not in page.url
    assert_accessible(page)
    screenshot(page, f"code-{locale}")
    enter_code(page, site, person, 1, words["confirm"])
    expect(page).to_have_url(REQUEST_PAGE)
    wait_for_status(page, words["done"])
    assert_accessible(page)
    screenshot(page, f"completed-{locale}")
    page.get_by_role("link", name=words["read"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["title"])
    expect(page.get_by_role("columnheader", name="email").first).to_be_visible()
    expect(page.locator("main")).to_contain_text(person)
    assert_accessible(page)
    screenshot(page, f"export-{locale}")
    assert request_id in page.url


def test_a_wrong_code_is_told_a_resend_too_soon_is_told_and_the_request_is_withdrawn(
    new_page: PageMaker, site: Site
) -> None:
    person = "yan.lin5@example.org"
    page = new_page()
    submit(page, "delete", person, "Send me a code")
    page.locator("#code").fill("000000" if site.code_for(person, 1) != "000000" else "111111")
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("code")
    assert_accessible(page)
    page.get_by_role("button", name="Send me a new code").click()  # within the minute: no new one
    expect(page.get_by_role("status")).to_contain_text("less than a minute old")
    enter_code(page, site, person, 1, "Confirm")
    expect(page.locator(".status")).to_have_text("Being reviewed")
    page.get_by_role("button", name="Withdraw my request").click()
    expect(page.locator(".status")).to_have_text("Withdrawn")
    expect(page.get_by_role("button", name="Withdraw my request")).to_have_count(0)


def test_a_refusal_shows_its_ground_justification_alternative_and_remedies(
    new_page: PageMaker, site: Site
) -> None:
    person = "xinyi.li6@example.com"
    page = new_page("zh-CN")
    request_id = submit(page, "delete", person, "发送验证码")
    enter_code(page, site, person, 1, "确认")
    expect(page.locator(".status")).to_have_text("审核中")
    _, key = operators.create_key(site.services, "browser test", ["decide"])
    refused = httpx.post(
        f"{site.url}/v1/admin/requests/{request_id}/refuse",
        headers={"X-API-Key": key},
        json={
            "ground": "legal_obligation",
            "justification": "法院保全令要求保留这些记录",
            "alternative": "我们可以限制处理这些记录",
        },
    )
    assert refused.status_code == 200, refused.text
    page.reload()
    refusal = page.locator(".refusal")
    expect(page.locator(".status")).to_have_text("已拒绝")
    expect(refusal).to_contain_text("法院保全令要求保留这些记录")
    expect(refusal).to_contain_text("我们可以限制处理这些记录")
    expect(refusal.locator("li").first).to_be_visible()  # the remedies
    assert_accessible(page)
    screenshot(page, "refused-zh-CN")


def test_the_capability_link_opens_the_request_in_another_browser_and_leaves_the_address(
    new_page: PageMaker, site: Site
) -> None:
    person = "siyuan.sun7@example.cn"
    first = new_page()
    request_id = submit(first, "access", person, "Send me a code")
    link = first.locator(".link-box code").inner_text()
    assert "token=" in link
    other = new_page("zh-CN")
    other.goto(link)
    expect(other).to_have_url(f"{site.url}/requests/{request_id}")  # the token left the bar
    expect(other.locator("#code")).to_be_visible()
    stranger = new_page()
    response = stranger.goto(f"/requests/{request_id}/open?token=not-the-right-token")
    assert response is not None and response.status == 404  # as the API: no hint it exists
    expect(stranger.get_by_role("alert")).to_contain_text("could not find")
    assert_accessible(stranger)
    assert stranger.goto(f"/requests/{request_id}").status == 401  # type: ignore[union-attr]


def test_the_language_switch_is_remembered(new_page: PageMaker) -> None:
    page = new_page("en-US")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", level=1)).to_have_text("您的个人信息")
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(page.locator(":focus")).to_have_text("跳到正文")

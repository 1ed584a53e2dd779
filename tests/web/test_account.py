"""A person arriving signed in from the host platform: consents per purpose with their history
(withdrawn and given again, one click each), bindings removed one by one, a request verified at
once; correction with the data map's fields; service errors said in the page's language.
"""

from __future__ import annotations

import time

import jwt
import pytest
from playwright.sync_api import Page, expect

from tests.web.axe import assert_accessible
from tests.web.conftest import HOST_SECRET, PageMaker, Site, screenshot
from tests.web.test_center import REQUEST_PAGE, enter_code, submit, wait_for_status


def host_token(sub: str, email: str, *, age: int = 0) -> str:
    now = int(time.time()) - age
    claims = {"sub": sub, "email": email, "aud": "rightsdesk", "iat": now, "exp": now + age + 300}
    return jwt.encode(claims, HOST_SECRET, algorithm="HS256")


def arrive(page: Page, site: Site, token: str, label: str = "Privacy center") -> None:
    """The host's own page posts the login token to the privacy center (no script needed)."""
    page.set_content(
        f'<form method="post" action="{site.url}/sign-in">'
        f'<input type="hidden" name="token" value="{token}"><button>{label}</button></form>'
    )
    page.get_by_role("button", name=label).click()


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        pytest.param(
            "en-US",
            {
                "title": "Your privacy choices",
                "withdraw": "Withdraw consent",
                "give": "Give consent",
                "withdrawn": "Withdrawn",
                "given": "Given",
                "unlink": "Unlink",
            },
            id="en",
        ),
        pytest.param(
            "zh-CN",
            {
                "title": "您的隐私选择",
                "withdraw": "撤回同意",
                "give": "同意",
                "withdrawn": "已撤回",
                "given": "已同意",
                "unlink": "解除与",
            },
            id="zh-CN",
        ),
    ],
)
def test_signed_in_consents_are_withdrawn_and_given_in_one_click_and_bindings_removed_one_by_one(
    new_page: PageMaker, site: Site, locale: str, words: dict[str, str]
) -> None:
    sub, email = (
        ("12", "lei.zhu12@example.cn")
        if locale == "en-US"
        else ("13", "anna.kowalski13@example.cn")
    )
    page = new_page(locale)
    arrive(page, site, host_token(sub, email))
    expect(page).to_have_url(f"{site.url}/account")
    expect(page.get_by_role("heading", level=1)).to_have_text(words["title"])
    assert_accessible(page)
    screenshot(page, f"account-{locale}")
    marketing = page.locator("article.purpose", has=page.locator("#purpose-marketing"))
    history = marketing.locator("ol.history li")
    expect(history).to_have_count(0)  # never asked: not given
    marketing.get_by_role("button", name=words["give"], exact=True).click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(marketing.locator(".state")).to_have_text(words["given"])
    marketing.get_by_role("button", name=words["withdraw"], exact=True).click()  # one click too
    expect(marketing.locator(".state")).to_have_text(words["withdrawn"])
    marketing.locator("summary").click()
    expect(history).to_have_count(2)  # the withdrawal is a new receipt; the grant stays
    expect(history.first).to_contain_text(words["withdrawn"])
    expect(history.last).to_contain_text(words["given"])
    assert_accessible(page)

    linked = page.locator("ul.bindings li")
    count = linked.count()
    assert count >= 1
    linked.first.get_by_role("button", name=words["unlink"]).click()
    expect(page.locator("ul.bindings li")).to_have_count(count - 1)
    assert_accessible(page)


def test_a_request_made_signed_in_needs_no_code(new_page: PageMaker, site: Site) -> None:
    page = new_page()
    arrive(page, site, host_token("18", "jing.yang18@example.com"))
    page.locator("#ask-access").check()
    page.get_by_role("button", name="Send the request").click()
    expect(page).to_have_url(REQUEST_PAGE)
    expect(page.locator("#code")).to_have_count(0)
    wait_for_status(page, "Completed")
    page.get_by_role("link", name="Read the receipt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your receipt")
    expect(page.locator("main table").first).to_contain_text("Copied into your export")
    assert_accessible(page)
    screenshot(page, "receipt-en")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the signed receipt (JSON)").click()
    assert download.value.suggested_filename.startswith("receipt-")


def test_a_stale_sign_in_is_explained_in_chinese(new_page: PageMaker, site: Site) -> None:
    page = new_page("zh-CN")
    arrive(page, site, host_token("19", "xia.gao19@example.org", age=11 * 60))
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("来自平台的登录已过期")
    assert "login token" not in alert.inner_text()  # no English detail on a Chinese page
    assert_accessible(page)


def test_a_correction_lists_the_data_maps_fields_and_is_confirmed_by_code(
    new_page: PageMaker, site: Site
) -> None:
    person = "yan.wu16@example.net"
    page = new_page()
    page.goto("/")
    page.get_by_role("link", name="Correct your information").click()
    options = page.locator("#field-0 option").all_inner_texts()
    assert "Display name (display_name)" in options and "Email address (email)" in options
    assert not any("password" in o for o in options)  # credentials are not offered
    assert_accessible(page)
    screenshot(page, "correct-en")
    page.locator("#field-0").select_option("display_name")
    page.locator("#value-0").fill("Wu Yan")
    page.locator("#statement").fill("My old nickname was a typo.")
    page.locator("#contact").fill(person)
    page.get_by_role("button", name="Send me a code").click()
    expect(page).to_have_url(REQUEST_PAGE)
    enter_code(page, site, person, 1, "Confirm")
    wait_for_status(page, "Completed")


def test_a_correction_of_the_contact_itself_is_refused_in_chinese(
    new_page: PageMaker, site: Site
) -> None:
    person = "yan.hu22@example.net"
    page = new_page("zh-CN")
    page.goto("/correct")
    page.locator("#field-0").select_option("email")
    page.locator("#value-0").fill("new.address22@example.net")
    page.locator("#contact").fill(person)
    page.get_by_role("button", name="发送验证码").click()
    expect(page.get_by_role("alert")).to_contain_text("更正请求不能通过被更正的联系方式来验证")
    assert_accessible(page)
    assert site.messages(person) == []


def test_a_restriction_is_asked_for_from_the_first_page_and_carried_out(
    new_page: PageMaker, site: Site
) -> None:
    person = "min.ouyang25@example.net"
    page = new_page("zh-CN")
    submit(page, "restrict", person, "发送验证码")
    enter_code(page, site, person, 1, "确认")
    wait_for_status(page, "已完成")
    expect(page.locator(".lead")).to_have_text("限制处理您的个人信息")
    assert_accessible(page)

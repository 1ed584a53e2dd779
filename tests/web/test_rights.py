"""Objection and portability from the privacy center in a real browser (issue 17).

A server of its own: the demo data map with two purposes one can object to (fraud scoring on
legitimate interests, a newsletter that is direct marketing: ``tests/service/restricting.py``),
trusting a real HTTPS receiver on 127.0.0.1 as the other handler of a direct transfer.
"""

# ruff: noqa: RUF001 (Chinese punctuation is the point)

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.service.https_receiver import HttpsReceiver
from tests.service.restricting import restricting
from tests.web.axe import assert_accessible
from tests.web.conftest import Site, running, screenshot
from tests.web.test_cancellation import page_for
from tests.web.test_center import REQUEST_PAGE, enter_code, wait_for_status


@pytest.fixture(scope="module")
def handler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HttpsReceiver]:
    with HttpsReceiver(tmp_path_factory.mktemp("handler")) as receiving:
        yield receiving


@pytest.fixture(scope="module")
def objecting(tmp_path_factory: pytest.TempPathFactory, handler: HttpsReceiver) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("objecting")
    outbox = root / "outbox"
    with running(
        root, f"file://{outbox}", prepare=restricting, transfer_ca_file=handler.cert
    ) as services:
        yield Site(services.settings.public_url, services, outbox)


def choose(page: Page, right: str, contact: str) -> None:
    """The first page with ``right`` chosen and ``contact`` given (not sent yet)."""
    page.goto("/")
    page.locator(f"#right-{right}").check()
    page.locator("#contact").fill(contact)


def test_an_objection_names_its_purposes_and_why_and_shows_what_stopped_in_chinese(
    browser: Browser, objecting: Site
) -> None:
    """GDPR Art. 21: the purposes on legitimate interests and direct marketing are offered (consent-based
    ones are not), the reason is asked for, and the follow page says what stopped."""
    person = "tao.zhu3@example.com"
    page = page_for(browser, objecting, "zh-CN")
    choose(page, "object", person)
    expect(page.locator(".extra-object")).to_be_visible()
    expect(page.locator(".extra-portability")).to_be_hidden()
    expect(page.locator("input[name=purpose]")).to_have_count(2)  # not the consent-based ones
    assert_accessible(page)
    screenshot(page, "objection-zh-CN")
    page.locator("#purpose-fraud_analytics").check()
    page.get_by_role("button", name="发送验证码").click()  # no reason: refused in Chinese
    expect(page.locator("main")).to_contain_text("请说明您反对的理由")
    assert_accessible(page)

    choose(page, "object", person)
    page.locator("#purpose-fraud_analytics").check()
    page.locator("#purpose-newsletter").check()
    page.locator("#reason").fill("我的登录记录被错误地标记，影响了我的工作。")
    page.get_by_role("button", name="发送验证码").click()
    expect(page).to_have_url(REQUEST_PAGE)
    enter_code(page, objecting, person, 1, "确认")
    wait_for_status(page, "已完成")
    section = page.get_by_role("region", name="您反对的用途")
    expect(section).to_contain_text("Scoring log-ins for fraud")
    expect(section).to_contain_text("Product news by e-mail")
    assert_accessible(page)
    screenshot(page, "objected-zh-CN")


def test_portability_downloads_the_documented_json(browser: Browser, objecting: Site) -> None:
    """ACC-07: the file holds portability.json and its schema; no page reading of it."""
    person = "fang.luo4@example.net"
    page = page_for(browser, objecting, "en-US")
    choose(page, "portability", person)
    expect(page.locator(".extra-portability")).to_be_visible()
    expect(page.locator(".extra-object")).to_be_hidden()
    expect(page.locator("#delivery-download")).to_be_checked()
    page.get_by_role("button", name="Send me a code").click()
    enter_code(page, objecting, person, 1, "Confirm")
    wait_for_status(page, "Completed")
    section = page.get_by_role("region", name="Your data to take elsewhere")
    expect(section).to_contain_text("portability.schema.json")
    expect(page.get_by_role("link", name="Read it here")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "portability-en")
    href = section.get_by_role("link", name="Download the file (ZIP)").get_attribute("href")
    assert href is not None
    got = page.request.get(href)
    assert got.ok, got.status
    with zipfile.ZipFile(io.BytesIO(got.body())) as archive:
        assert {"portability.json", "portability.schema.json"} <= set(archive.namelist())
        document = json.loads(archive.read("portability.json"))
    assert person in json.dumps(document)


def test_portability_sent_to_another_handler_over_https(
    browser: Browser, objecting: Site, handler: HttpsReceiver
) -> None:
    """ACC-08: a plain-HTTP address is refused with the reason in the page's language; an
    https:// one gets the same document, and the follow page says where it went."""
    person = "yan.lin5@example.org"
    page = page_for(browser, objecting, "en-US")
    choose(page, "portability", person)
    page.locator("#delivery-transfer").check()
    page.locator("#transfer-to").fill("http://127.0.0.1/import")
    page.get_by_role("button", name="Send me a code").click()
    expect(page.locator("main")).to_contain_text("as an https:// link")

    choose(page, "portability", person)
    page.locator("#delivery-transfer").check()
    page.locator("#transfer-to").fill(handler.url())
    page.get_by_role("button", name="Send me a code").click()
    enter_code(page, objecting, person, 1, "Confirm")
    wait_for_status(page, "Completed")
    expect(page.locator(".sent")).to_have_text("We also sent it, signed, to 127.0.0.1.")
    [got] = handler.received
    assert person in got.body.decode("utf-8")
    assert_accessible(page)

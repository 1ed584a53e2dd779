"""The follow link every message carries, read from mail received over real SMTP (aiosmtpd)
and opened in a browser that never saw the request: the first message's link asks for the code,
a later message's link opens the verified request straight away.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, expect

from tests.mailbox import Mailbox, Received
from tests.web.axe import assert_accessible
from tests.web.conftest import running
from tests.web.test_center import submit

LINK = re.compile(r"(http://127\.0\.0\.1:\d+/requests/([0-9a-f]{32})/open\?token=[A-Za-z0-9_-]+)")
CODE = re.compile(r"^[ \t]*(\d{6})[ \t\r]*$", re.MULTILINE)


@pytest.fixture(scope="module")
def mailed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Mailbox]]:
    """A server whose mail goes over SMTP to a real mailbox: (its URL, the mailbox)."""
    with Mailbox() as mailbox, running(tmp_path_factory.mktemp("mailed"), mailbox.url) as services:
        yield services.settings.public_url, mailbox


def link_in(message: Received) -> tuple[str, str]:
    """(the follow link, the request id it names) in a received message."""
    found = LINK.search(message.body)
    assert found, f"no follow link in {message.subject!r}:\n{message.body}"
    return found.group(1), found.group(2)


def fresh(browser: Browser, url: str, locale: str) -> BrowserContext:
    context = browser.new_context(base_url=url, locale=locale)
    context.set_default_timeout(10_000)
    return context


@pytest.mark.parametrize(
    ("locale", "person", "words"),
    [
        pytest.param(
            "en-US",
            "tao.zhu3@example.com",
            {"send": "Send me a code", "confirm": "Confirm", "review": "Being reviewed"},
            id="en",
        ),
        pytest.param(
            "zh-CN",
            "fang.luo4@example.net",
            {"send": "发送验证码", "confirm": "确认", "review": "审核中"},
            id="zh-CN",
        ),
    ],
)
def test_every_message_carries_the_follow_link_and_it_opens_the_request_in_any_browser(
    browser: Browser,
    mailed: tuple[str, Mailbox],
    locale: str,
    person: str,
    words: dict[str, str],
) -> None:
    url, mailbox = mailed
    before = len(mailbox.messages)
    submitter = fresh(browser, url, locale)
    request_id = submit(submitter.new_page(), "delete", person, words["send"])
    [first] = [m for m in mailbox.wait_for(before + 1)[before:] if person in m["To"]]
    link, named = link_in(first)
    assert named == request_id
    code = CODE.search(first.body)
    assert code, first.body

    inbox = fresh(browser, url, locale)  # the person's mail client opens another browser
    page = inbox.new_page()
    page.goto(link)
    expect(page).to_have_url(f"{url}/requests/{request_id}")  # the token left the bar
    page.locator("#code").fill(code.group(1))
    page.get_by_role("button", name=words["confirm"], exact=True).click()
    expect(page.locator(".status")).to_have_text(words["review"])
    assert_accessible(page)

    later = mailbox.wait_for(before + 2)[before + 1]  # "verified"
    assert person in later["To"]
    assert link_in(later) == (link, request_id)  # the same link, in every message
    elsewhere = fresh(browser, url, locale).new_page()
    elsewhere.goto(link)  # a verified request: no code asked again
    expect(elsewhere.locator(".status")).to_have_text(words["review"])
    expect(elsewhere.locator("#code")).to_have_count(0)
    for context in (submitter, inbox, elsewhere.context):
        context.close()

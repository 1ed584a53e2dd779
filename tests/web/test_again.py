"""Doing it again, in a real browser (issue 17): the person asks for a new code and only the new
one works; an operator retries a failed run from the console once its cause is fixed; an
operator records the host's stop for a withdrawal waiting on it (WDR-03).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, expect

from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.requests import intake, views
from rightsdesk.service.runtime.context import Services
from tests.web.axe import assert_accessible
from tests.web.conftest import PageMaker, Site, running
from tests.web.test_account import host_token
from tests.web.test_cancellation import page_for
from tests.web.test_center import REQUEST_PAGE, enter_code, submit, wait_for_status
from tests.web.test_console import sign_in


@pytest.fixture(scope="module")
def breakable(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server of its own: its platform database is moved away and back in a test."""
    root = tmp_path_factory.mktemp("breakable")
    with running(root, f"file://{root / 'outbox'}") as services:
        yield Site(services.settings.public_url, services, root / "outbox")


def test_an_operator_retries_a_failed_run_once_its_cause_is_fixed(
    browser: Browser, breakable: Site
) -> None:
    person = "tao.zhu3@example.com"
    database = breakable.services.settings.datamap.parent / "platform.db"
    moved = database.with_suffix(".away")
    page = page_for(browser, breakable, "en-US")
    submit(page, "access", person, "Send me a code")
    os.replace(database, moved)  # the platform's database is gone when the run starts
    try:
        enter_code(page, breakable, person, 1, "Confirm")
        wait_for_status(page, "Delayed by a fault")
    finally:
        os.replace(moved, database)
    request_id = page.url.rsplit("/", 1)[1]
    console = page_for(browser, breakable, "en-US")
    sign_in(console, breakable)
    console.goto(f"/console/requests/{request_id}")
    expect(console.locator(".status")).to_have_text("Failed")
    assert_accessible(console)
    console.get_by_role("button", name="Retry the run").click()
    expect(console.get_by_role("status")).to_have_text(
        "The request runs again from where it stopped."
    )
    expect(console.locator(".timeline")).to_contain_text("retry")
    wait_for_status(page, "Completed")
    expect(page.get_by_role("link", name="Read it here")).to_be_visible()


def _awaiting_stop(services: Services, sub: str, email: str) -> str:
    """A withdrawal of a consent in force, verified by the host's login, waiting on the host
    (no webhook here: the host pulls its events and has not acknowledged them)."""
    me = (Identity("user_id", sub), Identity("email", email))
    consent.decide(services, me, "marketing", given=True, method="web")
    done = intake.submit(
        services,
        intake.Submission(
            type=RequestType.WITHDRAW_CONSENT,
            channel="web",
            locale="en",
            params={"purposes": ["marketing"]},
            host_token=host_token(sub, email),
        ),
    )
    for _ in range(100):
        if views.detail(services, done.request.id).status == "awaiting_stop":
            break
        time.sleep(0.1)
    assert views.detail(services, done.request.id).status == "awaiting_stop"
    return done.request.id


def test_an_operator_records_the_hosts_stop_and_the_withdrawal_completes(
    new_page: PageMaker, site: Site
) -> None:
    """WDR-03: the host confirmed by a ticket; the operator records it with its reference, the
    request completes, and the timeline names the operator and the evidence."""
    request_id = _awaiting_stop(site.services, "31", "stop.wait31@example.com")
    page = new_page()
    sign_in(page, site)
    page.goto(f"/console/requests/{request_id}")
    expect(page.locator(".status")).to_have_text("Awaiting the host's stop confirmation")
    assert_accessible(page)
    page.locator("#stop-evidence").fill("abc")  # too short to find anything by
    page.get_by_role("button", name="Record the stop").click()
    expect(page.locator("main")).to_contain_text("Say where the evidence is kept")
    page.goto(f"/console/requests/{request_id}")
    page.locator("#stop-evidence").fill("Host ticket OPS-5521")
    page.get_by_role("button", name="Record the stop").click()
    expect(page.get_by_role("status")).to_have_text(
        "The platform's stop is recorded; the request completes."
    )
    expect(page.locator(".status")).to_have_text("Completed")
    expect(page.locator(".timeline")).to_contain_text("Host ticket OPS-5521")
    expect(page.locator("#stop-evidence")).to_have_count(0)
    assert views.detail(site.services, request_id).status == "completed"


def test_a_new_code_replaces_the_one_out_a_minute_later(
    browser: Browser, breakable: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The resend button sends a second message with a new code; the first no longer works.

    On a server of its own, and last there: the minute is passed by moving its clock on, and
    the attempts it records lie in the future of every later test's clock."""
    site = breakable
    person = "jie.zhao24@example.com"
    page = page_for(browser, site, "zh-CN")
    submit(page, "delete", person, "发送验证码")
    first = site.code_for(person, 1)
    later = site.services.clock
    monkeypatch.setattr(site.services, "clock", lambda: later() + timedelta(minutes=2))
    page.get_by_role("button", name="重新发送验证码").click()
    expect(page.get_by_role("status")).to_have_text("我们已发送新的验证码。")
    second = site.code_for(person, 2)
    assert_accessible(page)
    if first != second:  # one time in a million they are the same six digits
        page.locator("#code").fill(first)
        page.get_by_role("button", name="确认", exact=True).click()
        expect(page.get_by_role("alert")).to_be_visible()
    enter_code(page, site, person, 2, "确认")
    expect(page).to_have_url(REQUEST_PAGE)
    expect(page.locator(".status")).to_have_text("审核中")

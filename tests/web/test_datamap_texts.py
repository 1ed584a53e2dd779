# ruff: noqa: RUF001  (Chinese punctuation in the texts the pages must show)
"""The data map's own texts (purposes, pre-check messages, providers' instructions, retention
bases, the notice) in Chinese on Chinese pages: no English fragment of the map shows through on
the consent page, the cancellation's pre-checks, the redirect to a login provider, or the export
read as a page (issue 17)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from pydantic import BaseModel

from rightsdesk.datamap import load
from rightsdesk.domain.texts import LocalText
from tests.web.conftest import PageMaker, Site, running
from tests.web.test_account import arrive, host_token
from tests.web.test_cancellation import wait_for
from tests.web.test_center import enter_code, submit, wait_for_status


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server of its own: these tests send codes to new people from 127.0.0.1, and by the time
    they run in the whole suite the shared site's per-client limit on codes sent is spent."""
    root = tmp_path_factory.mktemp("texts")
    with running(root, f"file://{root / 'outbox'}") as services:
        yield Site(services.settings.public_url, services, root / "outbox")


def texts(node: object) -> Iterator[LocalText]:
    """Every text a data map (or part of one) carries."""
    if isinstance(node, LocalText):
        yield node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from texts(getattr(node, name))
    elif isinstance(node, tuple | list):
        for item in node:
            yield from texts(item)
    elif isinstance(node, dict):
        for item in node.values():
            yield from texts(item)


def english_only(site: Site) -> list[str]:
    """The map's English texts that differ from their Chinese (names like QQ read the same)."""
    datamap = load(site.services.settings.datamap)
    found = [(t.get("en"), t.get("zh-CN")) for t in texts(datamap)]
    english = [en for en, zh in found if en != zh]
    assert len(english) >= 20, english  # the demo map says its texts in both languages
    return english


def assert_chinese(page: Page, site: Site, *chinese: str) -> None:
    main = page.locator("main").inner_text()
    shown = [en for en in english_only(site) if en in main]
    assert not shown, f"English data-map texts on a zh-CN page: {shown}"
    for text in chinese:
        assert text in main, f"{text!r} not on the page"


def test_the_consent_page_says_each_purpose_in_chinese(new_page: PageMaker, site: Site) -> None:
    page = new_page("zh-CN")
    arrive(page, site, host_token("20", "ming.li20@example.com"))
    expect(page.get_by_role("heading", level=1)).to_have_text("您的隐私选择")
    expect(page.locator("#purpose-marketing")).to_have_text("通过邮件和短信发送产品资讯和优惠信息")
    assert_chinese(
        page,
        site,
        "提供您已开通的云服务",
        "法律要求保存的发票和付款记录",
        "根据您使用控制台的情况为您推荐内容",
        "与数据分析合作伙伴共享使用情况统计",
    )


def test_the_cancellation_pre_checks_are_in_chinese(new_page: PageMaker, site: Site) -> None:
    person = "fang.ouyang23@example.cn"  # an unpaid bill (blocking) and active services
    page = new_page("zh-CN")
    submit(page, "cancel_account", person, "发送验证码")
    enter_code(page, site, person, 1, "确认")
    wait_for(page, "#export-title")  # the backup is offered, and the checks asked about
    checks = page.locator("section.warning ul.checks li")
    expect(checks).to_have_count(2)
    assert_chinese(
        page,
        site,
        "您有未支付的账单，请先付清再注销账号。",
        "您正在使用的云服务将停止，相关资源将被释放。",
    )
    # the message asking to confirm (after the code and the verification's) says them too
    site.wait_for_mail(person, 3)
    confirm = [
        m for m in site.messages(person) if "您有未支付的账单，请先付清再注销账号。" in m.body
    ]
    assert len(confirm) == 1, [m.subject for m in site.messages(person)]
    assert "您正在使用的云服务将停止，相关资源将被释放。" in confirm[0].body
    assert not [en for en in english_only(site) if en in confirm[0].body]


def test_the_redirect_to_a_login_provider_is_in_chinese(new_page: PageMaker, site: Site) -> None:
    person = "yan.wu2@example.org"  # signs in through QQ
    page = new_page("zh-CN")
    submit(page, "cancel_account", person, "发送验证码")
    enter_code(page, site, person, 1, "确认")
    wait_for(page, "#idp-title")
    assert_chinese(page, site, "请在QQ安全中心注销QQ账号。")


def test_the_export_read_as_a_page_says_the_processing_in_chinese(
    new_page: PageMaker, site: Site
) -> None:
    person = "jun.liu24@example.cn"
    page = new_page("zh-CN")
    submit(page, "access", person, "发送验证码")
    enter_code(page, site, person, 1, "确认")
    wait_for_status(page, "已完成")
    page.get_by_role("link", name="在线阅读").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("您的个人信息")
    expect(page.locator("#processing-title")).to_have_text("我们如何处理")
    assert_chinese(
        page,
        site,
        "演示云有限公司",
        "提供您已开通的云服务",
        "账号存续期间保存",
        "《电子商务法》第三十一条",
        "已向国家网信办备案的个人信息出境标准合同",
        "我们的短信服务商",
        "无：我们不会仅通过自动化决策作出与您有关的决定。",
    )


def test_the_correction_page_offers_the_maps_labels_in_chinese(
    new_page: PageMaker, site: Site
) -> None:
    page = new_page("zh-CN")
    page.goto("/correct")
    options = page.locator("#field-0 option")
    expect(options.filter(has_text="昵称")).to_have_count(1)
    expect(options.filter(has_text="发票抬头")).to_have_count(1)
    assert_chinese(page, site)

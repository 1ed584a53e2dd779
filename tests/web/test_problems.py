"""Service errors said in the page's language: the service's own English texts, matched."""

# ruff: noqa: RUF001 (Chinese punctuation is the point)

from __future__ import annotations

import pytest

from rightsdesk.web.i18n import Language
from rightsdesk.web.problems import PATTERNS, explain

ZH, EN = Language("zh-CN"), Language("en")


@pytest.mark.parametrize(
    ("service", "chinese"),
    [
        ("wrong code; 3 attempt(s) left", "验证码错误，还可尝试 3 次。"),
        ("no request 'abc'", "找不到编号为 abc 的请求。"),
        ("too many wrong codes; a new code can be sent after 14:05 UTC", "14:05（UTC）之后"),
        (
            "too many codes sent for this contact; try again after 2026-12-03 14:05:00 UTC",
            "请在 2026-12-03 14:05:00（UTC）之后再试",
        ),
        ("login token is too old (or from the future); sign in again", "来自平台的登录已过期"),
        ("login token rejected: Signature verification failed", "来自平台的登录未被接受"),
        ("cannot cancel a request that is completed (it is closed)", "请求当前所处阶段"),
        ("settle these first: You have unpaid bills", "请先处理以下事项：You have unpaid bills"),
        ("this API key lacks the 'decide' scope", "缺少 decide 权限范围"),
        ("the vault is readable only by the legal and finance roles", "只有法务和财务角色"),
        ("invalid: code", "请检查以下字段：code"),
    ],
)
def test_a_service_message_reads_in_chinese(service: str, chinese: str) -> None:
    said = explain(ZH, service)
    assert said is not None and chinese in said, said


def test_an_unknown_message_is_shown_on_english_pages_only() -> None:
    assert explain(EN, "a brand new refusal") == "a brand new refusal"
    assert explain(ZH, "a brand new refusal") is None


@pytest.mark.parametrize("message", [m for _, m in PATTERNS])
def test_every_pattern_is_translated(message: str) -> None:
    assert ZH.gettext(message) != message

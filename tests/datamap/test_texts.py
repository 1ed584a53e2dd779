"""Texts people read, in the data map: a plain string for every language, or ``{en: ...,
zh-CN: ...}``; a malformed one names its file, line and field (issue 17)."""

from __future__ import annotations

import pytest

from rightsdesk.datamap import loads
from rightsdesk.domain.errors import DataMapError
from rightsdesk.domain.texts import LocalText

MAP = """\
systems:
  - name: app
    url: sqlite:///app.db
    collections:
      - name: users
        kept: while the account exists
        fields:
          - {name: id, primary_key: true, identity: user_id}
          - {name: email, identity: email, categories: user.contact.email}
purposes:
  - name: marketing
    description:
      en: Product news by email
      zh-CN: 通过邮件发送产品资讯
    fields: [app.users.email]
account:
  collection: app.users
  prechecks:
    - name: unpaid
      collection: app.users
      message: {en: "Pay your bills first.", zh-CN: "请先付清账单。"}
"""


def errors(text: str) -> list[str]:
    with pytest.raises(DataMapError) as caught:
        loads(text, source="map.yml", env={})
    return [str(i) for i in caught.value.issues]


def test_both_forms_load_and_each_language_reads_its_own() -> None:
    datamap = loads(MAP, env={})
    users = datamap.systems[0].collections[0]
    assert users.kept is not None
    # a plain string is every language's text (backwards compatible)
    assert users.kept.get("zh-CN") == users.kept.get("en") == "while the account exists"
    description = datamap.purposes[0].description
    assert description.get("zh-CN") == "通过邮件发送产品资讯"
    assert description.get("en") == "Product news by email"
    assert datamap.account is not None
    assert datamap.account.prechecks[0].message.get("zh-CN") == "请先付清账单。"


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("zh-CN", "中文"),
        ("zh_CN", "中文"),  # the tag as a POSIX locale writes it
        ("zh", "中文"),  # same language
        ("zh-TW", "中文"),  # same language, another region: closer than English
        ("en-GB", "English"),
        ("fr", "English"),  # no text in that language: the map's default
        (None, "English"),
    ],
)
def test_get_falls_back_by_tag_then_language_then_default(asked: str | None, expected: str) -> None:
    text = LocalText.parse({"en": "English", "zh-CN": "中文"})
    assert text.get(asked) == expected


def test_the_maps_language_is_the_default() -> None:
    chinese = "language: zh-CN\n" + MAP.replace("      en: Product news by email\n", "").replace(
        '{en: "Pay your bills first.", zh-CN: "请先付清账单。"}', "请先付清账单。"
    )
    datamap = loads(chinese, env={})
    assert datamap.purposes[0].description.get("en") == "通过邮件发送产品资讯"
    assert str(datamap.purposes[0].description) == "通过邮件发送产品资讯"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "      zh-CN: 通过邮件发送产品资讯",
            "      zh_CN: 通过邮件发送产品资讯",
            "map.yml:13: marketing: description: unknown locale 'zh_CN' (rightsdesk speaks en, zh-CN)",
        ),
        (
            "      zh-CN: 通过邮件发送产品资讯",
            "      zh-CN: ''",
            "map.yml:13: marketing: description: the zh-CN text is empty",
        ),
        (
            "      en: Product news by email\n",
            "",
            "map.yml:13: marketing: description: no en text: the map's default language (en)",
        ),
        (
            "kept: while the account exists",
            "kept: '  '",
            "map.yml:6: app.users: kept: the text is empty",
        ),
        (
            "kept: while the account exists",
            "kept: {}",
            "map.yml:6: app.users: kept: a text is a string",
        ),
        (
            "kept: while the account exists",
            "kept: [a, b]",
            "map.yml:6: app.users: kept: a text is a string",
        ),
        (
            '{en: "Pay your bills first.", zh-CN: "请先付清账单。"}',
            '{en: "Pay your bills first.", fr: "Payez."}',
            "map.yml:21: unpaid: message: unknown locale 'fr'",
        ),
    ],
)
def test_a_malformed_text_names_file_line_and_field(old: str, new: str, expected: str) -> None:
    assert old in MAP
    found = errors(MAP.replace(old, new))
    assert any(e.startswith(expected) for e in found), found


def test_a_map_in_a_language_rightsdesk_does_not_speak_is_refused() -> None:
    found = errors("language: fr\n" + MAP)
    assert any(e.startswith("map.yml:1: language:") for e in found), found

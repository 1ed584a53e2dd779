"""The email detector, value by value."""

from __future__ import annotations

import pytest

from rightsdesk.discovery import by_name

EMAIL = by_name("email")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("li.wei@example.com", True),
        ("a@b.co", True),
        ("first.last+tag@mail.example.com.cn", True),
        ("USER_1@Example.ORG", True),
        ("not an email", False),
        ("li.wei@", False),
        ("@example.com", False),
        ("li..wei@example.com", False),
        ("li.wei@example", False),
        ("li wei@example.com", False),
    ],
)
def test_whole_values(value: str, expected: bool) -> None:
    assert EMAIL.matches(value) is expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("please write to li.wei@example.com today", "li.wei@example.com"),
        ("邮箱:zhang@example.cn，谢谢", "zhang@example.cn"),  # noqa: RUF001
        ("no address here", None),
    ],
)
def test_found_in_text(text: str, found: str | None) -> None:
    assert EMAIL.find(text) == found

"""The phone detector: mainland China mobile numbers and E.164."""

from __future__ import annotations

import pytest

from rightsdesk.discovery import by_name

PHONE = by_name("phone")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13800138000", True),
        ("+8613800138000", True),
        ("+86 138 0013 8000", True),
        ("008613912345678", True),
        ("138-0013-8000", True),
        ("+14155552671", True),
        ("+442071838750", True),
        ("12800138000", False),  # second digit must be 3-9
        ("1380013800", False),  # ten digits
        ("138001380001", False),  # twelve digits
        ("+0123456789", False),  # E.164 never starts with 0
        ("+1234", False),
        ("phone", False),
    ],
)
def test_whole_values(value: str, expected: bool) -> None:
    assert PHONE.matches(value) is expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("call me on 13800138000 after six", "13800138000"),
        ("手机13912345678，联系人王先生", "13912345678"),  # noqa: RUF001
        ("order 2023113800138000123 shipped", None),  # inside a longer number
        ("nothing here", None),
    ],
)
def test_found_in_text(text: str, found: str | None) -> None:
    assert PHONE.find(text) == found

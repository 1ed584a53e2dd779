"""The passport detector: CN E/G + 8 digits; any 6-9 letters and digits under a hint."""

from __future__ import annotations

import pytest

from rightsdesk.discovery import by_name

PASSPORT = by_name("passport")


@pytest.mark.parametrize(
    ("value", "hinted", "expected"),
    [
        ("E12345678", False, True),
        ("G87654321", False, True),
        ("E1234567", False, False),  # seven digits
        ("X12345678", False, False),  # not a CN series without a hint
        ("K1234567", True, True),  # a foreign passport under a passport column
        ("123456789", True, True),
        ("ABCDEFG", True, False),  # no digit
        ("E12345678901", True, False),  # too long
        ("e12345678", False, False),
    ],
)
def test_whole_values(value: str, hinted: bool, expected: bool) -> None:
    assert PASSPORT.matches(value, hinted=hinted) is expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("护照号码E12345678，有效期十年", "E12345678"),  # noqa: RUF001
        ("sku XE12345678", None),
    ],
)
def test_found_in_text(text: str, found: str | None) -> None:
    assert PASSPORT.find(text) == found

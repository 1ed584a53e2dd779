"""The Unified Social Credit Code detector: 18 characters, GB 32100-2015 check character."""

from __future__ import annotations

import pytest

from rightsdesk.discovery import by_name
from tests.discovery.factories import uscc, wrong_check

USCC = by_name("uscc")
CODE = uscc("91350100M000100Y4")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("91350100M000100Y43", True),
        (uscc("91110108MA01KPGP0"), True),
        (uscc("12100000400000624"), True),
        (CODE.lower(), False),  # the standard writes codes in capitals
        (wrong_check(CODE), False),
        ("91350100M000100Y4", False),  # 17 characters
        ("91350100M000100I43", False),  # I is not in the alphabet
        ("9135AB00M000100Y43", False),  # region code must be digits
        ("91350100M000100Y43X", False),
    ],
)
def test_whole_values(value: str, expected: bool) -> None:
    assert USCC.matches(value) is expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (f"购方税号:{CODE}，抬头某某公司", CODE),  # noqa: RUF001
        (f"code {wrong_check(CODE)}", None),
    ],
)
def test_found_in_text(text: str, found: str | None) -> None:
    assert USCC.find(text) == found

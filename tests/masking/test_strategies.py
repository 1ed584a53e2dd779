"""Each built-in strategy, table-driven: what it writes, and that bad parameters are refused."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from rightsdesk.masking.base import MaskingKey
from rightsdesk.masking.registry import parse_erase

KEY = MaskingKey(b"k" * 32)
OTHER_KEY = MaskingKey(b"o" * 32)


@pytest.mark.parametrize(
    ("erase", "value", "expected"),
    [
        ("set_null", "a@b.c", None),
        ({"fixed": "[erased]"}, "a@b.c", "[erased]"),
        ({"fixed": {"value": 0}}, 42, 0),
        ({"generalize": "year"}, date(1990, 7, 14), date(1990, 1, 1)),
        ({"generalize": "month"}, date(1990, 7, 14), date(1990, 7, 1)),
        ({"generalize": "year"}, datetime(2024, 5, 6, 7, 8, 9), datetime(2024, 1, 1)),
        ({"generalize": "year"}, "2024-05-06", "2024-01-01"),
        ({"generalize": "year"}, "2024-05-06 07:08:09", "2024-01-01 00:00:00"),
        ({"generalize": "year"}, "not a date", None),
        ({"generalize": "network"}, "203.0.113.77", "203.0.113.0"),
        ({"generalize": "network"}, "2001:db8:abcd:12::1", "2001:db8:abcd::"),
        ({"generalize": "network"}, "garbage", None),
        ("hash", None, None),
        ("pseudonym", None, None),
    ],
)
def test_strategy_output(erase: Any, value: Any, expected: Any) -> None:
    assert parse_erase(erase).mask(value, KEY) == expected


def test_hash_is_keyed_deterministic_and_sized() -> None:
    strategy = parse_erase({"hash": 16})
    first = strategy.mask("li.wei@example.com", KEY)
    assert first == strategy.mask("li.wei@example.com", KEY)
    assert first != strategy.mask("li.wei@example.com", OTHER_KEY)
    assert isinstance(first, str) and len(first) == 16 and "li.wei" not in first


@pytest.mark.parametrize(
    "value", ["li.wei@example.com", "+8613800138000", "李伟", "Li Wei", "110101199003074578"]
)
def test_pseudonym_keeps_the_format(value: str) -> None:
    masked = parse_erase("pseudonym").mask(value, KEY)
    assert isinstance(masked, str) and masked != value and len(masked) == len(value)
    for before, after in zip(value, masked, strict=True):
        assert before.isdigit() == after.isdigit()
        assert before.isalpha() == after.isalpha()
        if not before.isalnum():
            assert before == after
    assert masked == parse_erase("pseudonym").mask(value, KEY)


def test_pseudonym_of_an_integer_stays_an_integer() -> None:
    assert isinstance(parse_erase("pseudonym").mask(4242, KEY), int)


@pytest.mark.parametrize(
    ("erase", "message"),
    [
        ("shred", "unknown erasure strategy 'shred'"),
        ({"fixed": None}, "needs a value"),
        ({"generalize": "decade"}, "'to' must be one of"),
        ({"hash": 3}, "length must be"),
        ({"hash": {"length": 16, "salt": "x"}}, "unknown parameter"),
        (["set_null"], "strategy name"),
        ({"set_null": "x"}, "takes no shorthand"),
    ],
)
def test_bad_parameters_are_refused(erase: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_erase(erase)


@pytest.mark.parametrize(
    ("erase", "row_independent"), [("set_null", True), ({"fixed": "x"}, True), ("hash", False)]
)
def test_row_independence_drives_set_based_updates(erase: Any, row_independent: bool) -> None:
    assert parse_erase(erase).row_independent is row_independent

"""Rows become the same bytes whatever their key order, and come back with their types."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from rightsdesk.domain.errors import VaultError
from rightsdesk.vault import codec

VALUES = [
    None,
    True,
    0,
    -(2**70),
    "李伟 <li.wei@example.com>",
    1.5,
    Decimal("12.30"),
    Decimal("-0.000001"),
    date(2026, 2, 28),
    datetime(2026, 6, 8, 2, 0, 0, 123456, tzinfo=UTC),
    datetime(2026, 6, 8, 10, 0, tzinfo=timezone(timedelta(hours=8))),
    datetime(2026, 6, 8, 10, 0),  # naive, as many databases return them
    time(23, 59, 1),
    UUID("12345678-1234-5678-1234-567812345678"),
    b"\x00\xffbinary",
    [1, "two", Decimal("3.0")],
    {"nested": {"when": date(2020, 1, 1)}},
    {"$date": "2020-01-01"},  # looks like a tag: must stay a mapping
    {"$map": {"$x": 1}},
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_every_value_comes_back_equal_and_typed(value: Any) -> None:
    back = codec.decode(codec.encode({"v": value}))["v"]
    assert back == value
    assert type(back) is type(value) or isinstance(value, tuple)


def test_non_finite_floats_are_kept() -> None:
    back = codec.decode(codec.encode({"a": math.inf, "b": math.nan}))
    assert back["a"] == math.inf and math.isnan(back["b"])


def test_the_bytes_do_not_depend_on_key_order() -> None:
    one = {"b": Decimal("1.10"), "a": {"y": 1, "x": 2}}
    other = {"a": {"x": 2, "y": 1}, "b": Decimal("1.10")}
    assert codec.encode(one) == codec.encode(other)


@pytest.mark.parametrize("value", [{1, 2}, object(), {1: "int key"}])
def test_a_value_it_cannot_keep_exactly_is_refused(value: Any) -> None:
    with pytest.raises(VaultError, match=r"\$\.v"):
        codec.encode({"v": value})


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("12.30"), "12.30"),
        (date(2026, 1, 2), "2026-01-02"),
        (datetime(2026, 1, 2, 3, 4, tzinfo=UTC), "2026-01-02T03:04:00+00:00"),
        (b"hi", "aGk="),
        ((1, Decimal("2")), [1, "2"]),
        (math.inf, "inf"),
        ("text", "text"),
    ],
)
def test_plain_is_exact_text_for_people(value: Any, shown: Any) -> None:
    assert codec.plain({"v": value}) == {"v": shown}


def test_aad_names_the_row_and_its_roles_in_any_order() -> None:
    one = codec.aad("s", "shop", "orders", "1", "tax", ["legal", "finance"])
    assert one == codec.aad("s", "shop", "orders", "1", "tax", ["finance", "legal"])
    assert one != codec.aad("s", "shop", "orders", "2", "tax", ["legal", "finance"])
    assert one != codec.aad("s", "shop", "orders", "1", "tax", ["legal"])

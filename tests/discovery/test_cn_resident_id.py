"""The resident ID detector: 18 characters, a real birth date, ISO 7064 MOD 11-2 check."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightsdesk.discovery import by_name
from tests.discovery.factories import resident_id, with_id_check, wrong_check

RESIDENT_ID = by_name("cn_resident_id")
X_CHECK = resident_id("110105", date(1990, 3, 7), 7)  # ends in X


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (resident_id(), True),
        (resident_id("440305", date(1985, 12, 31), 2), True),
        (resident_id("510104", date(2000, 2, 29), 999), True),  # leap day
        (X_CHECK, True),
        (X_CHECK.lower(), True),
        (wrong_check(resident_id()), False),  # an 18-digit number with a wrong check digit
        ("202311051234567890", False),  # an order number: no birth date
        (with_id_check("11010519900230001"), False),  # no such day
        (resident_id("110105", date(1990, 3, 7), 1)[:17], False),  # 17 digits
        (resident_id("010105", date(1990, 3, 7), 1), False),  # region cannot start with 0
        ("11010519900307123", False),
        ("1101051990030712345", False),
    ],
)
def test_whole_values(value: str, expected: bool) -> None:
    assert RESIDENT_ID.matches(value) is expected


def test_a_birth_date_in_the_future_is_refused() -> None:
    assert not RESIDENT_ID.matches(with_id_check("11010520990101001"))


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (f"身份证号:{resident_id()}，请核实", resident_id()),  # noqa: RUF001
        (f"ref {wrong_check(resident_id())} only", None),
        (f"x{resident_id()}9", None),  # part of a longer token
    ],
)
def test_found_in_text(text: str, found: str | None) -> None:
    assert RESIDENT_ID.find(text) == found


births = st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31))
regions = st.from_regex(r"[1-9]\d{5}", fullmatch=True)


@given(regions, births, st.integers(0, 999))
def test_generated_ids_always_validate(region: str, birth: date, sequence: int) -> None:
    assert RESIDENT_ID.matches(resident_id(region, birth, sequence))


@given(regions, births, st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_changing_any_one_digit_breaks_it(
    region: str, birth: date, sequence: int, position: int, shift: int
) -> None:
    valid = resident_id(region, birth, sequence)
    digit = str((int(valid[position]) + shift) % 10)
    assert not RESIDENT_ID.matches(valid[:position] + digit + valid[position + 1 :])

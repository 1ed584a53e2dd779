"""The date-of-birth detector: dates count only under a birth-date column hint."""

from __future__ import annotations

import pytest

from rightsdesk.discovery import by_name

BIRTH = by_name("date_of_birth")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1990-03-07", True),
        ("1990/3/7", True),
        ("1990.03.07", True),
        ("19900307", True),
        ("07/03/1990", True),
        ("1990年3月7日", True),
        ("1990-03-07 00:00:00", True),
        ("1990-02-30", False),
        ("1899-12-31", False),  # before 1900
        ("2999-01-01", False),  # in the future
        ("13/13/1990", False),
        ("yesterday", False),
    ],
)
def test_whole_values_under_a_hint(value: str, expected: bool) -> None:
    assert BIRTH.matches(value, hinted=True) is expected


def test_a_date_alone_is_not_a_birth_date() -> None:
    assert not BIRTH.matches("1990-03-07")
    assert BIRTH.find("born 1990-03-07") is None


@pytest.mark.parametrize(
    ("column", "hint"),
    [
        ("birth_date", "birth"),
        ("dateOfBirth", "birth"),
        ("dob", "dob"),
        ("birthday", "birthday"),
        ("出生日期", "出生"),
        ("created_at", None),
    ],
)
def test_column_hints(column: str, hint: str | None) -> None:
    assert BIRTH.hint(column) == hint

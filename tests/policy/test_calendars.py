"""Working-day calendars: State Council holidays with make-up days, and US federal holidays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightsdesk.policy import ChineseWorkCalendar, PolicyFileError, USBusinessCalendar
from rightsdesk.policy.calendars import WeekdayCalendar, WorkCalendar, us_federal_holidays

CN = ChineseWorkCalendar.bundled()
US = USBusinessCalendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2024, 2, 4), True),  # Sunday make-up day before Spring Festival
        (date(2024, 2, 12), False),  # Monday inside Spring Festival
        (date(2024, 2, 18), True),  # Sunday make-up day after Spring Festival
        (date(2024, 6, 10), False),  # Dragon Boat, joined to the weekend
        (date(2024, 10, 12), True),  # Saturday make-up after National Day
        (date(2024, 10, 13), False),  # an ordinary Sunday
        (date(2025, 1, 28), False),  # New Year's Eve, a holiday from 2025
        (date(2025, 2, 8), True),  # Saturday make-up
        (date(2025, 10, 8), False),  # last day of the combined National Day / Mid-Autumn break
        (date(2025, 10, 9), True),
        (date(2026, 1, 4), True),  # Sunday make-up after New Year
        (date(2026, 2, 14), True),  # Saturday make-up before Spring Festival
        (date(2026, 2, 23), False),  # last day of the nine-day Spring Festival
        (date(2026, 2, 28), True),
        (date(2026, 10, 10), True),
    ],
)
def test_chinese_working_days(day: date, working: bool) -> None:
    assert CN.is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2024, 2, 9), 1, date(2024, 2, 18)),  # the make-up Sunday counts
        (date(2024, 9, 27), 15, date(2024, 10, 23)),  # across National Day 2024
        (date(2025, 1, 24), 1, date(2025, 1, 26)),  # Sunday make-up
        (date(2025, 1, 24), 3, date(2025, 2, 5)),  # then the whole Spring Festival
        (date(2025, 9, 30), 1, date(2025, 10, 9)),
        (date(2025, 9, 30), 3, date(2025, 10, 11)),  # make-up Saturday
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 13), 2, date(2026, 2, 24)),
        (date(2024, 3, 4), 0, date(2024, 3, 4)),
        (date(2024, 3, 2), 1, date(2024, 3, 4)),  # receipt on a Saturday: next Monday
    ],
)
def test_chinese_add_working_days(start: date, n: int, expected: date) -> None:
    assert CN.add_working_days(start, n) == expected


def test_chinese_calendar_outside_its_table_counts_monday_to_friday() -> None:
    assert not CN.covers(date(2030, 1, 1))
    assert CN.covers(date(2026, 12, 31))
    start = date(2030, 9, 27)
    assert CN.add_working_days(start, 15) == WeekdayCalendar().add_working_days(start, 15)


def test_calendars_satisfy_the_protocol() -> None:
    for calendar in (CN, US, WeekdayCalendar()):
        assert isinstance(calendar, WorkCalendar)


def test_negative_days_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        CN.add_working_days(date(2024, 1, 1), -1)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (
            2024,
            "01-01 01-15 02-19 05-27 06-19 07-04 09-02 10-14 11-11 11-28 12-25",
        ),
        (
            2021,  # Juneteenth on Saturday; New Year 2022 observed on 31 December 2021
            "01-01 01-18 02-15 05-31 06-18 07-05 09-06 10-11 11-11 11-25 12-24 12-31",
        ),
        (
            2026,  # Independence Day on Saturday is observed on Friday 3 July
            "01-01 01-19 02-16 05-25 06-19 07-03 09-07 10-12 11-11 11-26 12-25",
        ),
    ],
)
def test_us_federal_holidays(year: int, expected: str) -> None:
    assert sorted(d.strftime("%m-%d") for d in us_federal_holidays(year)) == expected.split()


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2024, 11, 20), 10, date(2024, 12, 5)),  # skips Thanksgiving
        (date(2024, 12, 20), 3, date(2024, 12, 26)),  # skips Christmas
        (date(2026, 7, 2), 1, date(2026, 7, 6)),  # skips observed Independence Day
    ],
)
def test_us_business_days(start: date, n: int, expected: date) -> None:
    assert US.add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "years:\n  2024:\n    source: x\n    holidays: []\n    workdays: [2024-02-05]\n",
            "<holidays>:5: years.2024.workdays: make-up working days must be a Saturday or Sunday",
        ),
        (
            "years:\n  2024:\n    source: x\n    holidays:\n"
            "      - {name: a, from: 2024-02-10, to: 2024-02-01}\n",
            "<holidays>:5: a: 'to' (2024-02-01) is before 'from'",
        ),
        ("years:\n  2024:\n    holidays: []\n", "<holidays>:3: years.2024.source: Field required"),
    ],
)
def test_holiday_table_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(PolicyFileError) as caught:
        ChineseWorkCalendar.loads(text)
    assert message in str(caught.value)


def test_a_newer_table_can_be_loaded() -> None:
    table = ChineseWorkCalendar.loads(
        "years:\n  2027:\n    source: test\n"
        "    holidays: [{name: 元旦, from: 2027-01-01, to: 2027-01-01}]\n"
    )
    assert table.covers(date(2027, 6, 1))
    assert not table.is_working_day(date(2027, 1, 1))


@given(
    start=st.dates(min_value=date(2023, 1, 1), max_value=date(2028, 12, 31)),
    n=st.integers(min_value=0, max_value=60),
)
def test_adding_working_days_is_monotonic(start: date, n: int) -> None:
    for calendar in (CN, US):
        day = calendar.add_working_days(start, n)
        after = calendar.add_working_days(start, n + 1)
        assert start <= day < after
        assert calendar.is_working_day(after)
        assert after - start <= timedelta(days=3 * (n + 1) + 10)

"""Working-day calendars: China's State Council table with make-up days, and US federal holidays.

Counting convention: ``add_working_days(start, n)`` returns the n-th working day *after*
``start``; the day of receipt itself never counts, whether or not it is a working day.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from rightsdesk.policy import sourcefile

_SATURDAY = 5
_BUNDLED = Path(__file__).parent / "data" / "cn_holidays.yml"


@runtime_checkable
class WorkCalendar(Protocol):
    """What deadline arithmetic needs from a calendar."""

    @property
    def name(self) -> str: ...

    def is_working_day(self, day: date) -> bool: ...

    def covers(self, day: date) -> bool: ...

    def add_working_days(self, start: date, n: int) -> date: ...


def add_working_days(calendar: WorkCalendar, start: date, n: int) -> date:
    """The n-th working day after ``start`` (``start`` itself never counts); n=0 gives ``start``."""
    if n < 0:
        raise ValueError(f"cannot add a negative number of working days ({n})")
    day, counted = start, 0
    while counted < n:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return day


def uncovered_years(calendar: WorkCalendar, start: date, end: date) -> tuple[int, ...]:
    """Years between ``start`` and ``end`` (inclusive) that ``calendar`` has no table for."""
    years = range(start.year, end.year + 1)
    return tuple(y for y in years if not (calendar.covers(date(y, 1, 1))))


@dataclass(frozen=True)
class WeekdayCalendar:
    """Monday to Friday are working days; the fallback when no holiday table applies."""

    name: str = "Monday-Friday"

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < _SATURDAY

    def covers(self, day: date) -> bool:
        return True

    def add_working_days(self, start: date, n: int) -> date:
        return add_working_days(self, start, n)


class _Holiday(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: str
    start: date = Field(alias="from")
    end: date = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> _Holiday:
        if self.end < self.start:
            raise ValueError(f"'to' ({self.end}) is before 'from' ({self.start})")
        return self


class _Year(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    holidays: list[_Holiday]
    workdays: list[date] = []

    @field_validator("workdays")
    @classmethod
    def _weekends_only(cls, days: list[date]) -> list[date]:
        weekdays = [str(d) for d in days if d.weekday() < _SATURDAY]
        if weekdays:
            raise ValueError(f"make-up working days must be a Saturday or Sunday: {weekdays}")
        return days


class _Table(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    years: dict[int, _Year]


@dataclass(frozen=True)
class ChineseWorkCalendar:
    """China's working days: the State Council's holidays and 调休 make-up days, as data.

    Years missing from the table count Monday to Friday; callers must say so (see ``covers``).
    """

    holidays: frozenset[date]
    workdays: frozenset[date]
    years: frozenset[int]
    sources: tuple[str, ...] = ()
    name: str = "Chinese working days (State Council holiday table)"

    @classmethod
    def bundled(cls) -> ChineseWorkCalendar:
        """The table shipped with rightsdesk (see ``policy/data/cn_holidays.yml``)."""
        return _bundled()

    @classmethod
    def load(cls, path: str | Path) -> ChineseWorkCalendar:
        """A table in the bundled file's format, e.g. one that adds next year's notice."""
        return cls._from(sourcefile.load(path, _Table))

    @classmethod
    def loads(cls, text: str, *, source: str = "<holidays>") -> ChineseWorkCalendar:
        return cls._from(sourcefile.loads(text, _Table, source=source))

    @classmethod
    def _from(cls, table: _Table) -> ChineseWorkCalendar:
        holidays = {
            h.start + timedelta(days=i)
            for year in table.years.values()
            for h in year.holidays
            for i in range((h.end - h.start).days + 1)
        }
        workdays = {d for year in table.years.values() for d in year.workdays}
        sources = tuple(f"{y}: {table.years[y].source}" for y in sorted(table.years))
        return cls(frozenset(holidays), frozenset(workdays), frozenset(table.years), sources)

    def covers(self, day: date) -> bool:
        return day.year in self.years

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day not in self.holidays and day.weekday() < _SATURDAY

    def add_working_days(self, start: date, n: int) -> date:
        return add_working_days(self, start, n)


@functools.cache
def _bundled() -> ChineseWorkCalendar:
    return ChineseWorkCalendar.load(_BUNDLED)


@functools.cache
def us_federal_holidays(year: int) -> frozenset[date]:
    """The observed US federal holidays (5 U.S.C. 6103) that fall in ``year``.

    A holiday on a Saturday is observed the Friday before, on a Sunday the Monday after; so
    New Year's Day of ``year + 1`` may be observed on 31 December of ``year``.
    """
    observed = {_observed(d) for y in (year, year + 1) for d in _fixed_rule_holidays(y)}
    return frozenset(d for d in observed if d.year == year)


def _fixed_rule_holidays(year: int) -> list[date]:
    days = [
        date(year, 1, 1),  # New Year's Day
        _nth_weekday(year, 1, 0, 3),  # Birthday of Martin Luther King, Jr.
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _last_weekday(year, 5, 0),  # Memorial Day
        date(year, 7, 4),  # Independence Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        date(year, 11, 11),  # Veterans Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving Day
        date(year, 12, 25),  # Christmas Day
    ]
    if year >= 2021:
        days.append(date(year, 6, 19))  # Juneteenth National Independence Day
    return days


def _observed(day: date) -> date:
    if day.weekday() == _SATURDAY:
        return day - timedelta(days=1)
    if day.weekday() == _SATURDAY + 1:
        return day + timedelta(days=1)
    return day


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


@dataclass(frozen=True)
class USBusinessCalendar:
    """CCPA business days: Monday to Friday except the observed US federal holidays."""

    name: str = "US business days (federal holidays)"

    def covers(self, day: date) -> bool:
        return True

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < _SATURDAY and day not in us_federal_holidays(day.year)

    def add_working_days(self, start: date, n: int) -> date:
        return add_working_days(self, start, n)

"""Retention periods such as ``3y``, ``18m``, ``30d`` or ``1y6m``."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

_PART = re.compile(r"(\d+)([ymd])")
_WHOLE = re.compile(r"^(\d+[ymd])+$")


@dataclass(frozen=True)
class Period:
    years: int = 0
    months: int = 0
    days: int = 0

    @classmethod
    def parse(cls, text: str) -> Period:
        compact = text.replace(" ", "").lower()
        if not _WHOLE.match(compact):
            raise ValueError(f"period {text!r} must look like 3y, 18m, 30d or 1y6m")
        amounts = {"y": 0, "m": 0, "d": 0}
        for number, unit in _PART.findall(compact):
            amounts[unit] += int(number)
        return cls(amounts["y"], amounts["m"], amounts["d"])

    def after(self, start: date) -> date:
        """The day this period ends when it starts on ``start``; Jan 31 + 1m = Feb 28."""
        day = start.date() if isinstance(start, datetime) else start
        months = day.month - 1 + self.months + 12 * self.years
        year, month = day.year + months // 12, months % 12 + 1
        clamped = min(day.day, calendar.monthrange(year, month)[1])
        return date.fromordinal(date(year, month, clamped).toordinal() + self.days)

    def before(self, end: date) -> date:
        """The earliest start whose period has not yet ended on ``end`` (``after`` reversed)."""
        day = end.date() if isinstance(end, datetime) else end
        day = date.fromordinal(day.toordinal() - self.days)
        months = day.month - 1 - self.months - 12 * self.years
        year, month = day.year + months // 12, months % 12 + 1
        clamped = min(day.day, calendar.monthrange(year, month)[1])
        return date(year, month, clamped)

    def __str__(self) -> str:
        parts = [
            f"{n}{u}" for n, u in ((self.years, "y"), (self.months, "m"), (self.days, "d")) if n
        ]
        return "".join(parts) or "0d"

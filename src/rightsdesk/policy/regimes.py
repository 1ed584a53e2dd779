"""The legal regimes rightsdesk knows, with their deadline rules as data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from rightsdesk.domain.periods import Period
from rightsdesk.policy.calendars import WorkCalendar


class Regime(StrEnum):
    """A body of rules a request may fall under; several may apply to one request."""

    PROVIDER_CN = "provider_cn"  # the provider's published policy / PIPL practice in China
    GBT35273 = "gbt35273"  # GB/T 35273-2020 Personal information security specification
    GDPR = "gdpr"
    CCPA = "ccpa"


class CalendarKind(StrEnum):
    """Which working-day calendar a regime counts in."""

    CN = "cn"
    US = "us"


class Unit(StrEnum):
    CALENDAR_DAYS = "calendar days"
    WORKING_DAYS = "working days"
    MONTHS = "months"


@dataclass(frozen=True)
class Span:
    """A time limit counted from the day of receipt, which itself never counts."""

    amount: int
    unit: Unit

    def after(self, received: date, calendar: WorkCalendar | None) -> date:
        """The last day of this span for a request received (locally) on ``received``."""
        if self.unit is Unit.WORKING_DAYS:
            if calendar is None:
                raise ValueError(f"{self} needs a working-day calendar")
            return calendar.add_working_days(received, self.amount)
        if self.unit is Unit.MONTHS:
            return Period(months=self.amount).after(received)
        return received + timedelta(days=self.amount)

    def __str__(self) -> str:
        unit = self.unit.value.removesuffix("s") if self.amount == 1 else self.unit.value
        return f"{self.amount} {unit}"


@dataclass(frozen=True)
class RegimeRules:
    """One regime's deadlines; ``extension_limit`` is the longest total time from receipt."""

    regime: Regime
    title: str
    basis: str
    timezone: str
    respond: Span
    calendar: CalendarKind | None = None  # needed when a span counts working days
    acknowledge: Span | None = None
    extension_limit: Span | None = None
    opt_out: Span | None = None


RULES: dict[Regime, RegimeRules] = {
    Regime.PROVIDER_CN: RegimeRules(
        Regime.PROVIDER_CN,
        title="Provider policy (PIPL practice)",
        basis="provider policy and App rules 2019: 15 Chinese working days, no extension",
        timezone="Asia/Shanghai",
        respond=Span(15, Unit.WORKING_DAYS),
        calendar=CalendarKind.CN,
    ),
    Regime.GBT35273: RegimeRules(
        Regime.GBT35273,
        title="GB/T 35273-2020",
        basis="GB/T 35273-2020 §8.7: 30 days, no extension",
        timezone="Asia/Shanghai",
        respond=Span(30, Unit.CALENDAR_DAYS),
    ),
    Regime.GDPR: RegimeRules(
        Regime.GDPR,
        title="GDPR",
        basis="GDPR Art. 12(3): one month, extendable by two further months",
        timezone="Europe/Brussels",
        respond=Span(1, Unit.MONTHS),
        extension_limit=Span(3, Unit.MONTHS),
    ),
    Regime.CCPA: RegimeRules(
        Regime.CCPA,
        title="CCPA/CPRA",
        basis="CCR §7021: acknowledge in 10 business days, respond in 45 days (+45, max 90)",
        timezone="America/Los_Angeles",
        respond=Span(45, Unit.CALENDAR_DAYS),
        calendar=CalendarKind.US,
        acknowledge=Span(10, Unit.WORKING_DAYS),
        extension_limit=Span(90, Unit.CALENDAR_DAYS),
        opt_out=Span(15, Unit.WORKING_DAYS),
    ),
}


#: Days a closed request's case record keeps the person's identity, per regime, and why.
#: No law names a period for most; each default says what it rests on (docs/rights.md).
CASE_RECORD_DAYS: dict[Regime, tuple[int, str]] = {
    Regime.PROVIDER_CN: (
        3 * 365,
        "PIPL Art. 56 keeps processing records 3 years; applied to request records [S]",
    ),
    Regime.GBT35273: (3 * 365, "as provider_cn: GB/T 35273 names no period [U]"),
    Regime.GDPR: (
        365,
        "the GDPR names no period; Art. 5(1)(e) storage limitation: one year for follow-ups",
    ),
    Regime.CCPA: (2 * 365, "CCR §7101: records of requests are kept at least 24 months"),
}


def case_retention(regimes: Iterable[Regime]) -> tuple[int, str]:
    """The longest record duty of ``regimes`` (every regime's record must be kept), and why."""
    chosen = sorted(set(regimes)) or sorted(Regime)
    days, reason = max(CASE_RECORD_DAYS[r] for r in chosen)
    return days, reason

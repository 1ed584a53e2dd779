"""Due dates per regime, the strictest one winning, and the rules for extending them.

A due date is a local calendar day in the regime's timezone: the answer is in time when it
goes out before that day ends there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.policy.calendars import WorkCalendar, uncovered_years
from rightsdesk.policy.regimes import RULES, CalendarKind, Regime, RegimeRules, Span, Unit

#: Request types with the opt-out deadline where the regime has one (CCR 7026(f), 7027(g)).
OPT_OUTS = frozenset(
    {RequestType.WITHDRAW_CONSENT, RequestType.OPT_OUT, RequestType.LIMIT_SENSITIVE}
)


@dataclass(frozen=True)
class Due:
    """A regime's due day, kept with the timezone in which that day is counted."""

    regime: Regime
    day: date
    timezone: str

    @property
    def ends_at(self) -> datetime:
        """The first instant after the due day, in the regime's timezone."""
        return datetime.combine(self.day + timedelta(days=1), time(), ZoneInfo(self.timezone))

    def __str__(self) -> str:
        return f"{self.day.isoformat()} ({self.timezone})"


@dataclass(frozen=True)
class RegimeDeadline:
    """One regime's view: acknowledge by, respond by, and the furthest an extension may reach."""

    regime: Regime
    received_on: date
    acknowledge: Due | None
    respond: Due
    extension_limit: Due
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Deadlines:
    """The deadlines that bind a request: the earliest of every applicable regime."""

    received_at: datetime
    governing: Regime
    acknowledge: Due | None
    respond: Due
    extension_limit: Due
    per_regime: tuple[RegimeDeadline, ...]
    reasons: tuple[str, ...]

    @property
    def extendable(self) -> bool:
        return self.extension_limit.ends_at > self.respond.ends_at


@dataclass(frozen=True)
class Extension:
    """An accepted extension: the new due date and why it was allowed."""

    previous: Due
    respond: Due
    reasons: tuple[str, ...]


def compute(
    received_at: datetime,
    regimes: Iterable[Regime],
    calendars: Mapping[CalendarKind, WorkCalendar],
    timezones: Mapping[Regime, str] | None = None,
    request_type: RequestType | None = None,
) -> Deadlines:
    """Deadlines for a request received at ``received_at`` (timezone-aware) under ``regimes``."""
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise PolicyError("received_at must be timezone-aware (UTC recommended)")
    chosen = sorted(set(regimes))
    if not chosen:
        raise PolicyError("at least one regime must apply to a request")
    zones = timezones or {}
    per = tuple(
        _for_regime(RULES[r], received_at, calendars, zones.get(r), request_type) for r in chosen
    )
    respond = min((d.respond for d in per), key=lambda d: d.ends_at)
    acks = [d.acknowledge for d in per if d.acknowledge is not None]
    acknowledge = min(acks, key=lambda d: d.ends_at) if acks else None
    limit = min((d.extension_limit for d in per), key=lambda d: d.ends_at)
    reasons = [reason for d in per for reason in d.reasons]
    if len(per) > 1:
        reasons.append(_strictest(per, respond))
    return Deadlines(received_at, respond.regime, acknowledge, respond, limit, per, tuple(reasons))


def _for_regime(
    rules: RegimeRules,
    received_at: datetime,
    calendars: Mapping[CalendarKind, WorkCalendar],
    timezone: str | None,
    request_type: RequestType | None,
) -> RegimeDeadline:
    zone = timezone or rules.timezone
    received = received_at.astimezone(ZoneInfo(zone)).date()
    calendar = calendars[rules.calendar] if rules.calendar is not None else None
    name = rules.regime.value
    reasons = [f"{name}: received on {received} in {zone}; {rules.basis}"]
    opt_out = request_type in OPT_OUTS and rules.opt_out is not None
    respond_span = rules.opt_out if opt_out and rules.opt_out else rules.respond
    ack_span = None if opt_out else rules.acknowledge
    limit_span = None if opt_out else rules.extension_limit

    def due(span: Span, what: str) -> Due:
        day = span.after(received, calendar)
        reasons.append(f"{name}: {what} by {day} ({span} after the day of receipt)")
        if calendar is not None and span.unit is Unit.WORKING_DAYS:
            reasons.extend(_coverage(name, calendar, received, day))
        return Due(rules.regime, day, zone)

    if opt_out:
        reasons.append(f"{name}: opt-out request, {respond_span}, no extension")
    acknowledge = due(ack_span, "acknowledge") if ack_span else None
    respond = due(respond_span, "respond")
    limit = due(limit_span, "extended response at the latest") if limit_span else respond
    if limit_span is None:
        reasons.append(f"{name}: no extension is possible")
    return RegimeDeadline(rules.regime, received, acknowledge, respond, limit, tuple(reasons))


def _coverage(name: str, calendar: WorkCalendar, start: date, end: date) -> list[str]:
    missing = uncovered_years(calendar, start, end)
    if not missing:
        return []
    years = ", ".join(str(y) for y in missing)
    return [
        f"{name}: calendar '{calendar.name}' has no holiday table for {years}; "
        "counted Monday-Friday in those years, so check the date by hand"
    ]


def _strictest(per: tuple[RegimeDeadline, ...], respond: Due) -> str:
    others = ", ".join(f"{d.regime.value} {d.respond}" for d in per if d.respond is not respond)
    return f"strictest deadline wins: {respond.regime.value} {respond} (others: {others})"


def extend(
    deadlines: Deadlines,
    *,
    now: datetime,
    reason: str,
    current: Due | None = None,
    until: date | None = None,
) -> Extension:
    """Extend the response due date, or raise PolicyError saying which rule forbids it.

    The notice with its reason must go out before the current due date ends (GDPR Art. 12(3),
    CCR §7021(b)); the new date defaults to, and may never pass, the extension limit.
    """
    current = current or deadlines.respond
    limit = deadlines.extension_limit
    if not deadlines.extendable:
        raise PolicyError(f"{_blocker(deadlines)} allows no extension; respond by {current}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise PolicyError("now must be timezone-aware")
    if now >= current.ends_at:
        raise PolicyError(
            f"the due date {current} has passed; an extension notice must be sent before it"
        )
    if len(reason.split()) < 3:
        raise PolicyError("an extension needs a reason of at least a few words for the notice")
    target = until or limit.day
    if target > limit.day:
        raise PolicyError(f"cannot extend to {target}: the latest possible date is {limit}")
    if target <= current.day:
        raise PolicyError(f"cannot extend to {target}: it is not after the current due {current}")
    new = Due(current.regime, target, current.timezone)
    return Extension(
        current,
        new,
        (
            f"extension notice sent at {now.isoformat()}, before the due date {current}",
            f"new due date {new}; the latest possible is {limit} ({limit.regime.value})",
            f"reason given: {reason.strip()}",
        ),
    )


def _blocker(deadlines: Deadlines) -> str:
    """The regime whose rules stop an extension, for the error message."""
    fixed = [d.regime.value for d in deadlines.per_regime if d.extension_limit == d.respond]
    return ", ".join(fixed) or deadlines.governing.value


class Urgency(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class DeadlineStatus:
    """Whether a request is on track, at risk (few days left) or overdue, and why."""

    state: Urgency
    due: Due
    days_left: int
    reasons: tuple[str, ...]


def status(due: Due, now: datetime, at_risk_days: int) -> DeadlineStatus:
    """Classify ``now`` against ``due``; ``days_left`` counts local days (0 = due today)."""
    today = now.astimezone(ZoneInfo(due.timezone)).date()
    left = (due.day - today).days
    if now >= due.ends_at:
        state, why = Urgency.OVERDUE, f"the due date {due} has passed"
    elif left <= at_risk_days:
        state, why = Urgency.AT_RISK, f"{left} day(s) left until {due}, threshold {at_risk_days}"
    else:
        state, why = Urgency.ON_TRACK, f"{left} day(s) left until {due}"
    return DeadlineStatus(state, due, left, (why,))

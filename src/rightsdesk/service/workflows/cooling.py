"""The cooling-off period of an account cancellation, bounded by the request's deadline (CAN-09).

The period starts at approval, so it must fit, with the days before approval and a day to run,
within the shortest time the regimes give to answer. Working days make that time vary: 15
Chinese working days span 18 calendar days for a request received on Sunday 2024-01-21 (due
2024-02-08, the Spring Festival's make-up Sunday counted), 21 for one received on a Friday of
an ordinary week. ``check`` takes the shortest over every day of the years the calendars
know, and refuses a setting that does not fit at start-up; ``cool_off`` still cuts a period
short for a request approved late, so its run never starts after its due day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rightsdesk.audit import events
from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.requests import Event, RequestType, Status
from rightsdesk.policy import Policy, Regime
from rightsdesk.service.requests import lifecycle
from rightsdesk.service.runtime.context import CoolingOff, Services, Unit
from rightsdesk.store.models import Request

#: Time kept for the run itself after the cooling-off ends.
RUN_DAYS = 1
#: Years searched when no calendar lists its own (calendar-day regimes vary little).
_FALLBACK_YEARS = (2024, 2025, 2026)


@dataclass(frozen=True)
class Room:
    """The fewest calendar days from receipt to the due day, and the request that has them."""

    days: int
    received: date
    due: date
    regime: Regime


def shortest(policy: Policy, regimes: list[Regime]) -> Room:
    """The shortest room to answer a cancellation received on any day of the known years."""
    years = sorted({y for c in policy.calendars.values() for y in getattr(c, "years", ())})
    best: Room | None = None
    for year in years or _FALLBACK_YEARS:
        day = date(year, 1, 1)
        while day.year == year:
            start = datetime.combine(day, time(12), UTC)
            found = policy.deadlines(start, regimes, RequestType.CANCEL_ACCOUNT)
            for one in found.per_regime:
                days = (one.respond.day - one.received_on).days
                if best is None or days < best.days:
                    best = Room(days, one.received_on, one.respond.day, one.regime)
            day += timedelta(days=1)
    assert best is not None
    return best


def check(settings: CoolingOff, policy: Policy) -> None:
    """CAN-09: refuse a cooling-off that can push a cancellation past its deadline."""
    days = settings.days
    if days <= 0:
        return
    regimes = list(policy.config.regimes) or [Regime.PROVIDER_CN]
    room = shortest(policy, regimes)
    need = settings.approval_days + days + RUN_DAYS
    if need > room.days:
        most = room.days - settings.approval_days - RUN_DAYS
        raise PolicyError(
            f"RIGHTSDESK_COOLING_OFF_DAYS={days} (cooling_off_days={days}) can overrun the "
            f"deadline: {room.regime.value} gives as little as {room.days} calendar days "
            f"(received {room.received}, due {room.due}), and {settings.approval_days} "
            f"day(s) before approval (RIGHTSDESK_APPROVAL_DAYS) plus {days} cooling off plus "
            f"{RUN_DAYS} to run make {need}; use at most {max(most, 0)}"
        )


def cool_off(services: Services, work: Unit, request: Request) -> bool:
    """At approval: hold a confirmed cancellation for the cooling-off period, cut so the run
    still starts a day before the due day ends. True when it must wait (the sweep starts it
    once the period is over); False when there is no period, or no room left for one."""
    days = services.slices.cooling_off.days
    held = "cooling_off_until" in request.params  # the period ran already: go on
    if days <= 0 or held or Status(request.status) is not Status.APPROVED:
        return False
    wanted = work.now + timedelta(days=days)
    latest = _due_ends(services, request) - timedelta(days=RUN_DAYS)
    until = min(wanted, latest)
    if until < wanted:
        lifecycle.record(
            work,
            request,
            events.COOLING_OFF_SHORTENED,
            actor="system",
            data={"until": until.isoformat(), "configured_days": days},
        )
    if until <= work.now:
        return False
    request.params = {**request.params, "cooling_off_until": until.isoformat()}
    lifecycle.advance(
        work, request, Event.COOL_OFF, actor="system", data={"until": until.isoformat()}
    )
    return True


def cooled(request: Request, now: datetime) -> bool:
    """True once the cooling-off period of a request in ``cooling_off`` has passed."""
    until = request.params.get("cooling_off_until")
    return until is None or now >= datetime.fromisoformat(until)


def _due_ends(services: Services, request: Request) -> datetime:
    """The first instant after the request's due day, in its governing regime's timezone."""
    zone = ZoneInfo(services.policy.timezone(Regime(request.governing_regime)))
    return datetime.combine(request.due + timedelta(days=1), time(), zone)

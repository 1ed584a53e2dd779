"""Codes sent and wrong codes entered, counted per person and per client address.

A lock-out per code is not enough: cancelling and submitting again (or asking for another
request type) gave an attacker fresh guesses. So every send and every wrong guess is a row keyed
by a keyed hash of the person (their subject key) and of the client's address; the counts span
requests, types and cancellations. Each key has a cap per hour and per day, and past a few free
tries each further one waits twice as long as the one before (exponential back-off). Reaching an
hourly or daily cap is audited as a ``lockout`` event, which operators see in the request's
history, in ``GET /v1/admin/lockouts`` (``recent``), in ``rightsdesk status`` and as the
``rightsdesk_lockouts_last_day`` metric.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from rightsdesk.audit import events
from rightsdesk.audit import log as audit
from rightsdesk.domain.errors import Code, LockedOutError
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.store.models import Attempt, AuditEvent, Request

HOUR, DAY = timedelta(hours=1), timedelta(days=1)


class Kind(StrEnum):
    SEND = "send"
    GUESS = "guess"


@dataclass(frozen=True)
class Cap:
    """At most ``hour`` per hour and ``day`` per day; after ``free`` in a day, each next one
    waits ``base`` doubled for every one beyond ``free`` since the last."""

    hour: int
    day: int
    free: int
    base: timedelta

    def wait(self, in_day: int) -> timedelta:
        if in_day < self.free:
            return timedelta(0)
        wait: timedelta = self.base * 2 ** (in_day - self.free)
        return min(wait, DAY)


#: A 6-digit code at 20 guesses a day per person takes about 137 years to find by chance.
CAPS: dict[tuple[str, Kind], Cap] = {
    ("person", Kind.GUESS): Cap(hour=10, day=20, free=5, base=timedelta(seconds=30)),
    ("person", Kind.SEND): Cap(hour=5, day=10, free=3, base=timedelta(seconds=60)),
    ("client", Kind.GUESS): Cap(hour=30, day=100, free=10, base=timedelta(seconds=10)),
    ("client", Kind.SEND): Cap(hour=20, day=50, free=10, base=timedelta(seconds=30)),
}


@dataclass(frozen=True)
class Keys:
    """The counters one action is charged to: the person's, and the client's when known."""

    person: str
    client: str | None

    def scoped(self) -> list[tuple[str, str]]:
        return [("person", self.person)] + ([("client", self.client)] if self.client else [])


def keys(services: Services, request: Request, client: str | None) -> Keys:
    person = services.secrets.mac("attempts-person", request.subject_key)
    return Keys(person, services.secrets.mac("attempts-client", client) if client else None)


def check(work: Unit, counted: Keys, kind: Kind) -> None:
    """Raise ``LockedOutError`` while any counter is over its cap or backing off."""
    for scope, key in counted.scoped():
        block = _blocked(work, key, kind, CAPS[scope, kind])
        if block is not None:
            what = "wrong codes" if kind is Kind.GUESS else "codes sent"
            raise LockedOutError(
                f"too many {what} for this {'contact' if scope == 'person' else 'address'}; "
                f"try again after {block.until:%Y-%m-%d %H:%M:%S} UTC",
                code=Code.TOO_MANY_ATTEMPTS,
                params={"until": f"{block.until:%Y-%m-%d %H:%M:%S}"},
            )


def count(work: Unit, request_id: str, counted: Keys, kind: Kind) -> None:
    """Charge one ``kind`` to every counter of ``counted``; audit a cap it reaches."""
    for scope, key in counted.scoped():
        work.session.add(Attempt(key=key, kind=kind.value, at=work.now))
        work.session.flush()
        block = _blocked(work, key, kind, CAPS[scope, kind])
        if block is not None and block.cap != "back-off":
            audit.append(
                work.session,
                at=work.now,
                actor="system",
                event=events.LOCKOUT,
                request_id=request_id,
                data={
                    "scope": scope,
                    "kind": kind.value,
                    "cap": block.cap,
                    "until": block.until.isoformat(),
                },
            )


@dataclass(frozen=True)
class Block:
    until: datetime
    cap: str  # day | hour | back-off


def _blocked(work: Unit, key: str, kind: Kind, cap: Cap) -> Block | None:
    query = select(Attempt.at).where(
        Attempt.key == key, Attempt.kind == kind.value, Attempt.at > work.now - DAY
    )
    times = sorted(work.session.scalars(query))
    in_hour = [t for t in times if t > work.now - HOUR]
    if len(times) >= cap.day:
        return Block(times[len(times) - cap.day] + DAY, "day")
    if len(in_hour) >= cap.hour:
        return Block(in_hour[len(in_hour) - cap.hour] + HOUR, "hour")
    if not times:
        return None
    ready = times[-1] + cap.wait(len(times))
    return Block(ready, "back-off") if work.now < ready else None


@dataclass(frozen=True)
class Lockout:
    """One ``lockout`` audit event, as its hashed record says."""

    at: datetime
    request_id: str | None
    scope: str  # person | client
    kind: str  # send | guess
    cap: str  # hour | day
    until: datetime


def recent(services: Services, hours: int, limit: int = 100) -> list[Lockout]:
    """The newest lock-outs of the last ``hours``, newest first (what operators watch)."""
    with unit(services) as work:
        return _recent(work.session, work.now - timedelta(hours=hours), limit)


def _recent(session: Session, since: datetime, limit: int) -> list[Lockout]:
    query = (
        select(AuditEvent)
        .where(AuditEvent.event == events.LOCKOUT.name, AuditEvent.at >= since)
        .order_by(AuditEvent.seq.desc())
        .limit(limit)
    )
    found = []
    for row in session.scalars(query):
        record, data = row.record, row.record["data"]
        found.append(
            Lockout(
                at=audit.event_time(record),
                request_id=record["request_id"],
                scope=data["scope"],
                kind=data["kind"],
                cap=data["cap"],
                until=datetime.fromisoformat(data["until"]),
            )
        )
    return found


def counted_since(session: Session, since: datetime) -> dict[tuple[str, str], int]:
    """Lock-outs since ``since`` by (scope, kind), every pair of ``CAPS`` present."""
    found = {(scope, kind.value): 0 for scope, kind in CAPS}
    query = select(AuditEvent.record).where(
        AuditEvent.event == events.LOCKOUT.name, AuditEvent.at >= since
    )
    for record in session.scalars(query):
        pair = (record["data"]["scope"], record["data"]["kind"])
        found[pair] = found.get(pair, 0) + 1
    return found

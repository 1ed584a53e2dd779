"""The service at a glance, from the store: what `rightsdesk status` prints and metrics export.

A few aggregate queries (no row is loaded), so a Prometheus scrape every 15 s costs the store
little; the deadline counts use the operator filter's definition (``views.deadline_is``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from rightsdesk.audit import log as audit
from rightsdesk.domain.jobs import ACTIVE
from rightsdesk.domain.jobs import DeliveryState as D
from rightsdesk.domain.jobs import JobState as J
from rightsdesk.service.requests import views
from rightsdesk.service.runtime.context import Services, unit
from rightsdesk.service.verification import attempts
from rightsdesk.store.models import Delivery, Job, Request

#: Job states worth watching; ``done`` only grows and says nothing about health.
JOB_STATES = tuple(s.value for s in (J.QUEUED, J.RUNNING, J.WAITING, J.FAILED))
#: Delivery states worth watching (``acknowledged`` is the happy end).
DELIVERY_STATES = tuple(s.value for s in (D.PENDING, D.SENT, D.FAILED))
DEADLINES = ("at_risk", "overdue")
#: Lock-outs are counted over this window (the longest cap is a day's).
LOCKOUT_WINDOW = timedelta(days=1)


@dataclass(frozen=True)
class Overview:
    at: datetime
    #: (type, status) -> requests
    requests: dict[tuple[str, str], int]
    #: "at_risk" | "overdue" -> type -> open requests
    deadlines: dict[str, dict[str, int]]
    #: job state -> jobs (every state of JOB_STATES present)
    jobs: dict[str, int]
    oldest_queued_at: datetime | None
    #: delivery state -> deliveries (every state of DELIVERY_STATES present)
    deliveries: dict[str, int]
    audit_seq: int
    audit_hash: str
    #: (scope, kind) -> lock-outs audited in the last day (person/client, guess/send)
    lockouts: dict[tuple[str, str], int]

    @property
    def oldest_queued_seconds(self) -> float:
        """How long the longest-waiting queued job has waited (0 when none is queued)."""
        if self.oldest_queued_at is None:
            return 0.0
        return max(0.0, (self.at - self.oldest_queued_at).total_seconds())

    @property
    def queue_depth(self) -> int:
        return sum(self.jobs[s] for s in ACTIVE)

    def to_json(self) -> dict[str, Any]:
        by_type: dict[str, dict[str, int]] = {}
        for (type_, status), count in sorted(self.requests.items()):
            by_type.setdefault(type_, {})[status] = count
        return {
            "at": self.at.isoformat(),
            "requests": by_type,
            "deadlines": self.deadlines,
            "jobs": self.jobs,
            "queue_depth": self.queue_depth,
            "oldest_queued_seconds": round(self.oldest_queued_seconds, 3),
            "deliveries": self.deliveries,
            "audit": {"seq": self.audit_seq, "hash": self.audit_hash},
            "lockouts_last_day": [
                {"scope": scope, "kind": kind, "count": n}
                for (scope, kind), n in sorted(self.lockouts.items())
            ],
        }


def gather(services: Services) -> Overview:
    """Count requests, deadlines, jobs, deliveries and the day's lock-outs now, in one read
    transaction."""
    with unit(services) as work:
        requests, deadlines = _requests(services, work.session, work.now)
        jobs, oldest = _jobs(work.session)
        head = audit.head(work.session)
        return Overview(
            at=work.now,
            requests=requests,
            deadlines=deadlines,
            jobs=jobs,
            oldest_queued_at=oldest,
            deliveries=_deliveries(work.session),
            audit_seq=head.seq,
            audit_hash=head.hash,
            lockouts=attempts.counted_since(work.session, work.now - LOCKOUT_WINDOW),
        )


def _requests(
    services: Services, session: Session, now: datetime
) -> tuple[dict[tuple[str, str], int], dict[str, dict[str, int]]]:
    flags = [
        func.sum(case((views.deadline_is(services, now, state), 1), else_=0)) for state in DEADLINES
    ]
    query = select(Request.type, Request.status, func.count(), *flags).group_by(
        Request.type, Request.status
    )
    counts: dict[tuple[str, str], int] = {}
    deadlines: dict[str, dict[str, int]] = {state: {} for state in DEADLINES}
    for type_, status, count, *flagged in session.execute(query):
        counts[(type_, status)] = int(count)
        for state, n in zip(DEADLINES, flagged, strict=True):
            if n:
                deadlines[state][type_] = deadlines[state].get(type_, 0) + int(n)
    return counts, deadlines


def _jobs(session: Session) -> tuple[dict[str, int], datetime | None]:
    query = (
        select(Job.state, func.count(), func.min(Job.updated_at))
        .where(Job.state.in_(JOB_STATES))
        .group_by(Job.state)
    )
    jobs = dict.fromkeys(JOB_STATES, 0)
    oldest = None
    for state, count, earliest in session.execute(query):
        jobs[state] = int(count)
        if state == J.QUEUED:
            oldest = earliest  # re-queuing a job sets updated_at, so this is time in the queue
    return jobs, oldest


def _deliveries(session: Session) -> dict[str, int]:
    query = (
        select(Delivery.state, func.count())
        .where(Delivery.state.in_(DELIVERY_STATES))
        .group_by(Delivery.state)
    )
    found = dict.fromkeys(DELIVERY_STATES, 0)
    found.update({state: int(count) for state, count in session.execute(query)})
    return found

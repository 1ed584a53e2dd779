"""The last weeks at a glance for the operator console's dashboard: what came in, how fast it was
answered against its deadline, what is at risk or overdue, and on which grounds we refused.

Read in one transaction; at-risk and overdue counts are ``overview.gather``'s (the operator
filter's definition), so the dashboard, the queue's filter and the metrics never disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from rightsdesk.domain.outcome import Outcome
from rightsdesk.domain.requests import RequestType, Status
from rightsdesk.service.runtime import overview
from rightsdesk.service.runtime.context import Services, unit
from rightsdesk.store.models import Request

#: Weeks the dashboard looks back over.
WEEKS = 12
#: Buckets of "days to spare" when a request was answered: (label key, lowest, highest).
MARGINS = (
    ("late_8", None, -8),
    ("late_1", -7, -1),
    ("spare_0", 0, 6),
    ("spare_7", 7, 13),
    ("spare_14", 14, None),
)


@dataclass(frozen=True)
class Trends:
    #: Mondays of the weeks shown, oldest first
    weeks: list[date]
    #: type -> requests received per week (aligned with ``weeks``)
    received: dict[str, list[int]]
    #: margin bucket key -> requests closed in the window with that many days to spare
    margins: dict[str, int]
    #: "at_risk" | "overdue" -> type -> open requests now
    deadlines: dict[str, dict[str, int]]
    #: refusal ground code -> refusals (whole or of a part) in the window
    grounds: dict[str, int]


def gather(services: Services, weeks: int = WEEKS) -> Trends:
    """The dashboard's numbers for the ``weeks`` weeks up to now (weeks start on Monday, UTC)."""
    with unit(services) as work:
        today = work.now.date()
        first = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
        start = datetime.combine(first, datetime.min.time(), tzinfo=work.now.tzinfo)
        rows = work.session.execute(
            select(
                Request.type,
                Request.status,
                Request.received_at,
                Request.closed_at,
                Request.due,
                Request.outcome,
            ).where((Request.received_at >= start) | (Request.closed_at >= start))
        ).all()
    mondays = [first + timedelta(weeks=n) for n in range(weeks)]
    received = {t.value: [0] * weeks for t in RequestType}
    margins = dict.fromkeys((key for key, _, _ in MARGINS), 0)
    grounds: Counter[str] = Counter()
    for row in rows:
        if row.received_at >= start:
            received[row.type][(row.received_at.date() - first).days // 7] += 1
        if row.closed_at is None or row.closed_at < start:
            continue
        if row.status != Status.CANCELLED.value:
            margins[_margin((row.due - row.closed_at.date()).days)] += 1
        outcome: Outcome = row.outcome
        refusals = [outcome.refusal, *outcome.refused_parts]
        grounds.update(r.ground for r in refusals if r is not None and r.ground)
    return Trends(
        weeks=mondays,
        received={t: counts for t, counts in received.items() if any(counts)},
        margins=margins,
        deadlines=overview.gather(services).deadlines,
        grounds=dict(grounds.most_common()),
    )


def _margin(spare: int) -> str:
    for key, low, high in MARGINS:
        if (low is None or spare >= low) and (high is None or spare <= high):
            return key
    raise AssertionError(spare)  # the buckets cover every integer

"""The dashboard's numbers (service/runtime/trends.py): received per week, margins, refusals by ground."""

from __future__ import annotations

import pytest

from rightsdesk.domain.requests import RequestType
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.runtime import operators, trends
from rightsdesk.service.runtime.context import Services
from tests.mailbox import Mailbox
from tests.service.conftest import Clock
from tests.service.flows import submit, verify


def test_the_weeks_count_what_came_in_how_early_it_was_answered_and_why_it_was_refused(
    services: Services, mailbox: Mailbox, clock: Clock
) -> None:
    _, key = operators.create_key(services, "dashboard", ["decide"])
    operator = operators.authenticate(services, key)
    done = submit(services, RequestType.DELETE)
    verify(services, mailbox, done)
    clock.advance(days=2)
    requests.refuse(
        services,
        operator,
        done.request.id,
        ground="legal_obligation",
        justification="a court order",
    )
    clock.advance(days=7)
    submit(services, RequestType.ACCESS, "someone.else@example.com")

    found = trends.gather(services)
    assert len(found.weeks) == trends.WEEKS and found.weeks[-1].weekday() == 0
    assert found.received == {
        "delete": [0] * (trends.WEEKS - 2) + [1, 0],
        "access": [0] * (trends.WEEKS - 1) + [1],
    }
    spare = (done.request.due - clock.now.date()).days + 7  # answered a week before "now"
    assert found.margins == {key: int(key == trends._margin(spare)) for key in found.margins}
    assert found.grounds == {"legal_obligation": 1}
    assert found.deadlines == {"at_risk": {}, "overdue": {}}


@pytest.mark.parametrize(
    ("spare", "bucket"),
    [
        (-30, "late_8"),
        (-8, "late_8"),
        (-7, "late_1"),
        (-1, "late_1"),
        (0, "spare_0"),
        (6, "spare_0"),
        (7, "spare_7"),
        (13, "spare_7"),
        (14, "spare_14"),
        (90, "spare_14"),
    ],
)
def test_every_margin_falls_in_one_bucket(spare: int, bucket: str) -> None:
    assert trends._margin(spare) == bucket

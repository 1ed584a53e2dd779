"""The job and delivery tables: what each event does from each state, and what it refuses."""

from __future__ import annotations

import pytest

from rightsdesk.domain.errors import ConflictError
from rightsdesk.domain.jobs import (
    ACTIVE,
    DeliveryEvent,
    DeliveryState,
    JobEvent,
    JobState,
    StateError,
    next_delivery_state,
    next_job_state,
)

J, D = JobState, DeliveryState


@pytest.mark.parametrize(
    ("state", "event", "after"),
    [
        (J.QUEUED, JobEvent.START, J.RUNNING),
        (J.RUNNING, JobEvent.START, J.RUNNING),  # a lapsed lease taken over
        (J.RUNNING, JobEvent.WAIT, J.WAITING),
        (J.WAITING, JobEvent.ENQUEUE, J.QUEUED),
        (J.RUNNING, JobEvent.FINISH, J.DONE),
        (J.RUNNING, JobEvent.FAIL, J.FAILED),
        (J.FAILED, JobEvent.ENQUEUE, J.QUEUED),
    ],
)
def test_a_job_moves_as_the_table_says(state: JobState, event: JobEvent, after: JobState) -> None:
    assert next_job_state(state, event) is after


@pytest.mark.parametrize("event", list(JobEvent))
def test_a_done_job_never_moves_again(event: JobEvent) -> None:
    with pytest.raises(ConflictError, match=r"cannot \w+ a job that is done \(it is closed\)"):
        next_job_state(J.DONE, event)


def test_a_failed_job_is_only_queued_again() -> None:
    with pytest.raises(StateError, match=r"possible now: enqueue\)"):
        next_job_state(J.FAILED, JobEvent.START)
    assert J.FAILED not in ACTIVE


@pytest.mark.parametrize(
    ("state", "event", "after"),
    [
        (D.PENDING, DeliveryEvent.SEND, D.SENT),
        (D.PENDING, DeliveryEvent.ACKNOWLEDGE, D.ACKNOWLEDGED),
        (D.SENT, DeliveryEvent.ACKNOWLEDGE, D.ACKNOWLEDGED),
        (D.PENDING, DeliveryEvent.FAIL, D.FAILED),
        (D.FAILED, DeliveryEvent.RETRY, D.PENDING),
        (D.SENT, DeliveryEvent.RETRY, D.PENDING),
    ],
)
def test_a_delivery_moves_as_the_table_says(
    state: DeliveryState, event: DeliveryEvent, after: DeliveryState
) -> None:
    assert next_delivery_state(state, event) is after


@pytest.mark.parametrize("event", list(DeliveryEvent))
def test_an_acknowledged_delivery_never_moves_again(event: DeliveryEvent) -> None:
    with pytest.raises(StateError, match="acknowledged"):
        next_delivery_state(D.ACKNOWLEDGED, event)

"""Jobs and deliveries: their states and the one transition table of each.

A *job* runs an approved request (or the backup before an account cancellation); the queue only
says "work on job X", the job's row says how far it is. A *delivery* is one event for one
recipient (a webhook, a recipient's mail, the host platform), attempted until it is taken.
As for requests (``domain/requests.py``), a state changes only through its table.
"""

from __future__ import annotations

from enum import StrEnum

from rightsdesk.domain.states import StateError, next_state

__all__ = ["StateError"]


class JobState(StrEnum):
    QUEUED = "queued"  # waiting for a worker
    RUNNING = "running"  # leased to a worker
    WAITING = "waiting"  # for a person (a step-up code) or a date (cooling off), not a worker
    DONE = "done"
    FAILED = "failed"  # the run failed and was rolled back; an operator may retry


class JobEvent(StrEnum):
    ENQUEUE = "enqueue"  # (again): approved, retried, or a person or date came
    START = "start"  # a worker took the lease (or took over a lapsed one)
    WAIT = "wait"
    FINISH = "finish"  # ran, or found nothing to run
    FAIL = "fail"


J = JobState
#: Jobs a worker may still have to run (one per request and kind).
ACTIVE = frozenset({J.QUEUED, J.RUNNING, J.WAITING})
#: Jobs the lease sweep looks after: waiting ones wait for a person or a date, not a worker.
SWEPT = frozenset({J.QUEUED, J.RUNNING})
#: Jobs no worker takes (a done job is never queued again).
SETTLED = frozenset({J.DONE, J.FAILED})

JOB_TRANSITIONS: dict[tuple[JobState, JobEvent], JobState] = {
    **{(s, JobEvent.ENQUEUE): J.QUEUED for s in ACTIVE | {J.FAILED}},
    **{(s, JobEvent.START): J.RUNNING for s in ACTIVE},
    **{(s, JobEvent.WAIT): J.WAITING for s in ACTIVE},
    **{(s, JobEvent.FINISH): J.DONE for s in ACTIVE},
    **{(s, JobEvent.FAIL): J.FAILED for s in ACTIVE},
}


class DeliveryState(StrEnum):
    PENDING = "pending"  # to be attempted (again) at next_attempt_at
    SENT = "sent"  # e-mail handed over; waits for an operator's acknowledgement
    ACKNOWLEDGED = "acknowledged"
    FAILED = "failed"  # every attempt failed; an operator may retry


class DeliveryEvent(StrEnum):
    SEND = "send"
    ACKNOWLEDGE = "acknowledge"
    FAIL = "fail"
    RETRY = "retry"


D = DeliveryState
DELIVERY_TRANSITIONS: dict[tuple[DeliveryState, DeliveryEvent], DeliveryState] = {
    (D.PENDING, DeliveryEvent.SEND): D.SENT,
    (D.PENDING, DeliveryEvent.FAIL): D.FAILED,
    **{(s, DeliveryEvent.ACKNOWLEDGE): D.ACKNOWLEDGED for s in (D.PENDING, D.SENT, D.FAILED)},
    **{(s, DeliveryEvent.RETRY): D.PENDING for s in (D.PENDING, D.SENT, D.FAILED)},
}


def next_job_state(state: JobState, event: JobEvent) -> JobState:
    """The job's state after ``event``, or StateError when the table does not allow it."""
    return next_state("job", JOB_TRANSITIONS, state, event)


def next_delivery_state(state: DeliveryState, event: DeliveryEvent) -> DeliveryState:
    """The delivery's state after ``event``, or StateError when the table does not allow it."""
    return next_state("delivery", DELIVERY_TRANSITIONS, state, event)

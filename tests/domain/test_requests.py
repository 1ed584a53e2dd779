"""The transition table: what may happen to a request in each status, and nothing else."""

from __future__ import annotations

import pytest

from rightsdesk.domain.requests import (
    FINAL,
    NOTHING_RUN,
    OPEN,
    TRANSITIONS,
    Event,
    Status,
    TransitionError,
    next_status,
)

S, E = Status, Event


@pytest.mark.parametrize(
    ("status", "event", "after"),
    [
        (S.RECEIVED, E.CHALLENGE, S.IDENTITY_UNVERIFIED),
        (S.RECEIVED, E.VERIFY, S.VERIFIED),
        (S.IDENTITY_UNVERIFIED, E.VERIFY, S.VERIFIED),
        (S.IDENTITY_UNVERIFIED, E.EXPIRE, S.EXPIRED),
        (S.VERIFIED, E.QUOTE_FEE, S.AWAITING_FEE),
        (S.AWAITING_FEE, E.ACCEPT_FEE, S.AWAITING_APPROVAL),
        (S.VERIFIED, E.QUEUE_FOR_APPROVAL, S.AWAITING_APPROVAL),
        (S.AWAITING_APPROVAL, E.APPROVE, S.APPROVED),
        (S.APPROVED, E.REVERIFY, S.APPROVED),
        (S.APPROVED, E.START, S.IN_PROGRESS),
        (S.IN_PROGRESS, E.COMPLETE, S.COMPLETED),
        (S.IN_PROGRESS, E.COMPLETE_PARTIALLY, S.PARTIALLY_COMPLETED),
        (S.IN_PROGRESS, E.FAIL, S.FAILED),
        (S.FAILED, E.RETRY, S.APPROVED),
        (S.FAILED, E.REFUSE, S.REFUSED),
        (S.AWAITING_APPROVAL, E.CANCEL, S.CANCELLED),
    ],
)
def test_allowed_transitions(status: Status, event: Event, after: Status) -> None:
    assert next_status(status, event) is after


@pytest.mark.parametrize(
    ("status", "event"),
    [
        (S.IDENTITY_UNVERIFIED, E.APPROVE),  # INT-03: nothing is fulfilled before verification
        (S.IDENTITY_UNVERIFIED, E.START),
        (S.VERIFIED, E.START),
        (S.AWAITING_FEE, E.APPROVE),  # the fee must be accepted first
        (S.AWAITING_APPROVAL, E.START),
        (S.IN_PROGRESS, E.CANCEL),  # once work has run, the requester can no longer cancel
        (S.IN_PROGRESS, E.REFUSE),
        (S.COMPLETED, E.RETRY),
        (S.APPROVED, E.EXPIRE),
    ],
)
def test_forbidden_transitions_name_what_is_possible(status: Status, event: Event) -> None:
    with pytest.raises(
        TransitionError, match=f"cannot {event.value} a request that is {status.value}"
    ):
        next_status(status, event)


def test_closed_requests_never_change() -> None:
    for status in FINAL:
        assert not [e for (s, e) in TRANSITIONS if s is status]
        with pytest.raises(TransitionError, match="it is closed"):
            next_status(status, Event.CANCEL)


def test_requester_can_cancel_exactly_while_nothing_has_run() -> None:
    cancellable = {s for (s, e) in TRANSITIONS if e is Event.CANCEL}
    assert cancellable == NOTHING_RUN
    assert Status.IN_PROGRESS not in cancellable and Status.FAILED not in cancellable


def test_every_status_is_reachable_from_received() -> None:
    seen, frontier = {Status.RECEIVED}, [Status.RECEIVED]
    while frontier:
        current = frontier.pop()
        for (s, _), after in TRANSITIONS.items():
            if s is current and after not in seen:
                seen.add(after)
                frontier.append(after)
    assert seen == set(Status)
    assert set(Status) == OPEN | FINAL

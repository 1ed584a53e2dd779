"""A process that stops half-way through a job: the next one resumes it, and no work is doubled."""

from __future__ import annotations

from pydantic import SecretStr

from rightsdesk.domain.requests import RequestType
from rightsdesk.jobs.base import Handler
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import execution, views
from rightsdesk.service.runtime import leases, wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from tests.mailbox import Mailbox
from tests.service.conftest import Clock
from tests.service.flows import submit, verify
from tests.service.test_flow import OPERATOR


class Stalled:
    """A job backend whose process "dies" before running anything it was given."""

    def __init__(self) -> None:
        self.submitted: list[str] = []

    def bind(self, handler: Handler) -> None:
        self.handler = handler

    def submit(self, job_id: str) -> None:
        self.submitted.append(job_id)

    def drain(self, timeout: float | None = None) -> None:
        return None

    def close(self) -> None:
        return None


def test_a_job_stranded_mid_run_is_resumed_exactly_once(
    settings: Settings, clock: Clock, mailbox: Mailbox
) -> None:
    mailbox.clear()
    settings = settings.model_copy(
        update={"secret_key": SecretStr("recovery-secret-of-at-least-32-characters")}
    )
    dying = Stalled()
    first = wiring.build(settings, clock=clock, jobs=dying)
    done = submit(first, RequestType.DELETE)
    verify(first, mailbox, done)
    requests.approve(first, OPERATOR, done.request.id, None)
    (job_id,) = dying.submitted
    # the process starts the job (request in_progress), then dies before finishing it
    assert execution._start(first, job_id) is not None
    assert views.detail(first, done.request.id).status == "in_progress"
    wiring.close(first)

    second: Services = wiring.build(settings, clock=clock)
    try:
        assert execution.recover(second) == 0  # the dead process's lease is still live
        clock.advance(seconds=settings.lease_seconds + 1)
        assert execution.recover(second) == 1
        wiring.settle(second)  # the job, and the deliveries it causes (audited when sent)
        shown = views.detail(second, done.request.id)
        assert shown.status == "completed"
        assert [e.event for e in shown.events].count("start") == 1
        assert [e.event for e in shown.events].count("complete") == 1
        execution.run_job(second, job_id)  # a duplicate delivery changes nothing
        assert execution.recover(second) == 0
        assert views.detail(second, done.request.id).events == shown.events
    finally:
        wiring.close(second)


def test_a_job_whose_lease_lapsed_while_its_attempt_runs_is_left_to_that_attempt(
    settings: Settings, clock: Clock, mailbox: Mailbox
) -> None:
    """A stalled attempt (its heartbeat late, its lease lapsed) still runs the job: the sweep's
    new delivery leaves it alone, and takes it over once that attempt has ended unsettled. Two
    attempts erasing the same people in two data stores at once waited on each other for ever."""
    mailbox.clear()
    dying = Stalled()
    first = wiring.build(settings, clock=clock, jobs=dying)
    second: Services = wiring.build(settings, clock=clock)
    try:
        done = submit(first, RequestType.DELETE)
        verify(first, mailbox, done)
        requests.approve(first, OPERATOR, done.request.id, None)
        (job_id,) = dying.submitted
        assert execution._start(first, job_id) is not None
        with leases.fence(first, [job_id]) as fenced:  # the stalled attempt, still running
            assert fenced == [job_id]
            clock.advance(seconds=settings.lease_seconds + 1)
            assert execution.recover(second) == 1
            wiring.settle(second)
            assert views.detail(second, done.request.id).status == "in_progress"
            with leases.fence(second, [job_id]) as again:
                assert again == []
        clock.advance(seconds=settings.lease_seconds + 1)  # it ended without settling the job
        assert execution.recover(second) == 1
        wiring.settle(second)
        shown = views.detail(second, done.request.id)
        assert shown.status == "completed"
        assert [e.event for e in shown.events].count("complete") == 1
    finally:
        wiring.close(second)
        wiring.close(first)

"""Queueing the run of a request as a job: one active job per request and kind."""

from __future__ import annotations

import uuid

from sqlalchemy import inspect, select

from rightsdesk.domain.jobs import ACTIVE, JobEvent
from rightsdesk.domain.jobs import JobState as J
from rightsdesk.service.runtime import leases
from rightsdesk.service.runtime.context import Services, Unit
from rightsdesk.store.models import Job, Request


def enqueue(services: Services, work: Unit, request: Request, *, kind: str | None = None) -> Job:
    """Queue the run of an approved request (one active job per request and kind).

    ``kind`` "backup" is the export offered before an account cancellation is confirmed.
    """
    kind = kind or request.type
    # a request created in this transaction (not flushed yet: tickets in bulk) has no job
    job = (
        None
        if inspect(request).pending
        else work.session.scalars(
            select(Job).where(
                Job.request_id == request.id,
                Job.kind == kind,
                Job.state.in_([*ACTIVE, J.FAILED]),
            )
        ).first()
    )
    if job is None:
        job = Job(
            id=uuid.uuid4().hex,
            request_id=request.id,
            kind=kind,
            state=J.QUEUED.value,
            attempts=0,
            created_at=work.now,
            updated_at=work.now,
        )
        work.session.add(job)
    else:
        leases.move(job, JobEvent.ENQUEUE, work.now)
    leases.await_delivery(services, job, work.now)
    job_id = job.id
    work.after_commit.append(lambda: services.jobs.submit(job_id))
    return job


def settle(work: Unit, job_id: str, failure: str | None) -> None:
    """Mark a job done (or failed, keeping the message for operators) and end its lease."""
    job = work.session.get(Job, job_id, with_for_update=True)
    if job is not None and job.state in ACTIVE:  # not settled by an attempt that took over
        leases.move(job, JobEvent.FAIL if failure else JobEvent.FINISH, work.now)
        job.error = failure
        leases.release(job)

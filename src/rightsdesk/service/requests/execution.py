"""Running approved requests through the engine as jobs; finishing them with a signed receipt."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select

from rightsdesk.audit import log as audit
from rightsdesk.domain.errors import (
    AuthenticationError,
    Code,
    ConflictError,
    GuardError,
    NotFoundError,
    RightsdeskError,
)
from rightsdesk.domain.jobs import ACTIVE, SETTLED, JobEvent
from rightsdesk.domain.jobs import JobState as J
from rightsdesk.domain.requests import Event, RequestType, Status
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.casefiles import agents
from rightsdesk.service.requests import completion, lifecycle
from rightsdesk.service.requests.jobs import enqueue
from rightsdesk.service.runtime import leases
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.service.verification import codes as verification
from rightsdesk.service.workflows.base import Snapshot, Summary
from rightsdesk.service.workflows.table import workflow
from rightsdesk.store.models import Job, Request

log = logging.getLogger("rightsdesk.jobs")


def recover(services: Services) -> int:
    """Submit again the jobs whose lease lapsed (lost message, dead worker); how many.

    Safe from any number of processes at once: see ``leases.recover``. A resumed erasure
    continues from its checkpoint.
    """
    return leases.recover(services)


def retry(services: Services, work: Unit, request: Request, *, actor: str) -> None:
    lifecycle.advance(work, request, Event.RETRY, actor=actor)
    enqueue(services, work, request)


def run_job(services: Services, job_id: str) -> None:
    """Run one job; calling it again for the same id never does the work twice.

    The attempt holds a lease on the job, extended by a heartbeat while it runs; a second
    delivery while that lease is live does nothing.
    """
    owner = leases.token()
    snapshot = _start(services, job_id, owner)
    if snapshot is None:
        return
    if _batching(services, snapshot):
        _run_batch(services, job_id, snapshot, owner)
        return
    _run_one(services, job_id, snapshot, owner)


def _run_one(services: Services, job_id: str, snapshot: Snapshot, owner: str) -> None:
    with leases.fence(services, [job_id]) as fenced:
        if fenced:
            _run_fenced(services, job_id, snapshot, owner)
        else:
            _leave(job_id)


def _leave(job_id: str) -> None:
    log.warning(
        "job %s: an earlier attempt still runs it (its lease lapsed); leaving it to that one",
        job_id,
        extra={"job_id": job_id, "event": "job_fenced"},
    )


def _run_fenced(services: Services, job_id: str, snapshot: Snapshot, owner: str) -> None:
    fields = {"job_id": job_id, "request_id": snapshot.request_id}
    log.info("job %s started (%s)", job_id, snapshot.type.value, extra=fields)
    with leases.heartbeat(services, job_id, owner):
        if snapshot.aside:
            workflow(snapshot.type).aside(services, job_id, snapshot)
            return
        try:
            summary = _execute(services, snapshot)
        except RightsdeskError as exc:
            log.warning("job %s failed: %s", job_id, exc, extra={**fields, "event": "job_failed"})
            _fail(services, job_id, snapshot.request_id, exc)
            return
        _finish(services, job_id, snapshot.request_id, summary)
    log.info("job %s done", job_id, extra={**fields, "event": "job_done"})


def _execute(services: Services, snapshot: Snapshot) -> Summary:
    services.require_datamap()
    return workflow(snapshot.type).run(services, snapshot)


def _batching(services: Services, snapshot: Snapshot) -> bool:
    """Runs are batched when more of their kind wait; residue scans are per person."""
    settings = services.settings
    batchable = workflow(snapshot.type).batchable(snapshot)
    return settings.batch_size > 1 and not settings.verify_erasure and batchable


def _run_batch(services: Services, job_id: str, first: Snapshot, owner: str) -> None:
    """Take up to ``batch_size`` queued jobs of this one's type with it and run them in one
    set-based run, then settle them in one transaction. Alone when the queue is quiet, so a
    single request is not held back waiting."""
    flow = workflow(first.type)
    batch = [(job_id, first)]
    alone: list[tuple[str, Snapshot]] = []
    limit = services.settings.batch_size - 1
    for other, snapshot in _claim(services, job_id, limit, owner, first.type):
        (batch if flow.batchable(snapshot) else alone).append((other, snapshot))
    with leases.fence(services, [j for j, _ in batch]) as fenced:
        for one in {j for j, _ in batch} - set(fenced):
            _leave(one)
        if fenced:
            _run_fenced_batch(services, [(j, s) for j, s in batch if j in fenced], owner)
    for one, snapshot in alone:  # e.g. a scoped or disclosure deletion claimed with the rest
        _run_one(services, one, snapshot, owner)


def _run_fenced_batch(services: Services, batch: list[tuple[str, Snapshot]], owner: str) -> None:
    flow = workflow(batch[0][1].type)
    ids = [j for j, _ in batch]
    for one, snapshot in batch:
        fields = {"job_id": one, "request_id": snapshot.request_id, "batch": len(batch)}
        kind = flow.type.value
        log.info("job %s started (%s, batch of %d)", one, kind, len(batch), extra=fields)
    with leases.heartbeat(services, ids, owner):
        try:
            summaries = flow.run_batch(services, [s for _, s in batch])
        except GuardError as exc:
            if len(batch) == 1:
                _failed(services, batch, exc)
            else:  # the guard stops a run before any change: each alone (leases beating), so
                # only the member that over-reaches fails, with its reason; the others complete
                log.warning("batch of %d over-reached, each runs alone: %s", len(batch), exc)
                _run_alone(services, batch, owner)
        except RightsdeskError as exc:
            _failed(services, batch, exc)
        else:
            _finish_many(
                services,
                [
                    (one, s.request_id, summary)
                    for (one, s), summary in zip(batch, summaries, strict=True)
                ],
            )
            for one, snapshot in batch:
                fields = {"job_id": one, "request_id": snapshot.request_id, "event": "job_done"}
                log.info("job %s done", one, extra=fields)


def _run_alone(services: Services, jobs: list[tuple[str, Snapshot]], owner: str) -> None:
    """Each job on its own, already fenced by the batch that took it."""
    for one, snapshot in jobs:
        _run_fenced(services, one, snapshot, owner)


def _failed(services: Services, batch: list[tuple[str, Snapshot]], exc: RightsdeskError) -> None:
    for one, snapshot in batch:
        fields = {"job_id": one, "request_id": snapshot.request_id, "event": "job_failed"}
        log.warning("job %s failed: %s", one, exc, extra=fields)
    _fail_many(services, [(one, s.request_id) for one, s in batch], exc)


def _claim(
    services: Services, but: str, limit: int, owner: str, kind: RequestType
) -> list[tuple[str, Snapshot]]:
    """Lease the oldest queued jobs of type ``kind`` (up to ``limit``) in one transaction,
    skipping the jobs and requests other transactions hold; a job left out runs on its own
    message.

    A running job whose attempt died (lease lapsed, or re-submitted by the sweep with no owner)
    is taken too, so a batch interrupted by a killed worker is re-run as a batch, not one
    request per lease."""
    if limit < 1:
        return []
    with unit(services) as work:
        lapsed = and_(
            Job.state == J.RUNNING,
            or_(Job.lease_owner.is_(None), Job.lease_until.is_(None), Job.lease_until < work.now),
        )
        jobs = work.session.scalars(
            select(Job)
            .where(
                or_(Job.state == J.QUEUED, lapsed),
                Job.kind == kind.value,
                Job.id != but,
            )
            .order_by(Job.created_at, Job.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        found = lifecycle.load_many(work, [j.request_id for j in jobs], skip_locked=True)
        claimed = []
        for job in jobs:
            if job.request_id in found:
                snapshot = _begin(services, work, job, owner, found[job.request_id])
                if snapshot is not None:
                    claimed.append((job.id, snapshot))
        return claimed


def _start(services: Services, job_id: str, owner: str | None = None) -> Snapshot | None:
    """Lease the job to ``owner`` and move it to running; None when there is nothing to run."""
    if not _may_start(services, job_id, owner):
        return None
    with unit(services) as work:
        job = work.session.get(Job, job_id, with_for_update=True)
        if job is None:
            return None
        return _begin(services, work, job, owner or leases.token())


def _may_start(services: Services, job_id: str, owner: str | None) -> bool:
    """A look without a lock first: most deliveries of a batched job find it taken or done,
    and a row lock costs a write (and its commit a flush) even when nothing changes. A job
    this process finished is done for good (a done job is never queued again)."""
    if job_id in services.finished:
        return False
    with services.store.session() as session:
        job = session.get(Job, job_id)
        return not (
            job is None
            or job.state in SETTLED
            or leases.held_by_other(job, owner, services.clock())
        )


def _begin(
    services: Services, work: Unit, job: Job, owner: str, request: Request | None = None
) -> Snapshot | None:
    if job.state in SETTLED or leases.held_by_other(job, owner, work.now):
        return None
    snapshot = _snapshot(services, work, job, request)
    if snapshot is None:  # done or waiting (for a person or a date), not for a worker
        leases.release(job)
        return None
    leases.move(job, JobEvent.START, work.now)
    job.attempts += 1
    leases.grant(services, job, owner, work.now)
    return snapshot


def _snapshot(
    services: Services, work: Unit, job: Job, request: Request | None = None
) -> Snapshot | None:
    """What the job runs on; moves the request to in_progress, or the job to done/waiting.

    ``request`` is the job's request when the caller has already locked it."""
    request = request or lifecycle.load(work, job.request_id)
    status = Status(request.status)
    identities = tuple(Identity(i.kind, i.value) for i in request.identities)
    flow = workflow(request.type)
    if job.kind != request.type:  # a job beside the run, which the workflow queued
        if status is not Status.AWAITING_CONFIRMATION:
            leases.move(job, JobEvent.FINISH, work.now)
            return None
        return Snapshot(request.id, flow.type, identities, aside=True, **_told(request))
    if status is Status.COOLING_OFF:
        if not flow.ready(request, work.now):
            leases.move(job, JobEvent.WAIT, work.now)
            return None
        lifecycle.advance(work, request, Event.END_COOLING_OFF, actor="system")
        status = Status.APPROVED  # and a fresh proof of identity, as for any approved run
    if status is Status.APPROVED:
        if flow.on_approval(services, work, request) or not _fresh(services, work, request):
            leases.move(job, JobEvent.WAIT, work.now)
            return None
        lifecycle.advance(work, request, Event.START, actor="system", data={"job": job.id})
    elif status is not Status.IN_PROGRESS:  # cancelled or refused meanwhile: nothing to run
        leases.move(job, JobEvent.FINISH, work.now)
        return None
    kind, held = RequestType(request.type), request.outcome.held()
    params = dict(request.params)
    return Snapshot(request.id, kind, identities, params, held=held, **_told(request))


def _told(request: Request) -> dict[str, Any]:
    """What the answer's wording depends on: the person's language and the regimes."""
    return {"locale": request.locale, "regimes": tuple(request.regimes)}


def _fresh(services: Services, work: Unit, request: Request) -> bool:
    """Whether the run may start on the person's last proof of identity (INT-04); when not,
    a step-up code goes out and the run waits for it."""
    # a follow-up (e.g. after a withdrawal) has no requester to enter a step-up code
    # nor one its agent's power of attorney verified: the person is not asked (CCR 7063(b))
    followup = request.verification_method in {"followup", agents.BY_ATTORNEY}
    fresh = not workflow(request.type).fresh_identity or followup
    fresh = fresh or verification.is_fresh(services, request, work.now)
    if fresh and not verification.fraud_pending(request):  # a fraud flag asks again (INT-05)
        return True
    verification.challenge(services, work, request, purpose="step_up", charged=False)
    return False


def _fail(services: Services, job_id: str, request_id: str, exc: RightsdeskError) -> None:
    _fail_many(services, [(job_id, request_id)], exc)


def _fail_many(services: Services, failed: Sequence[tuple[str, str]], exc: RightsdeskError) -> None:
    """Mark (job id, request id) pairs failed in one transaction: the job keeps the message for
    operators, the audit record only the error's class and labels (``audit.cause``)."""
    message = str(exc)
    with unit(services) as work:
        jobs, requests = _locked(work, [j for j, _ in failed], [r for _, r in failed])
        for job_id, request_id in failed:
            request = requests[request_id]
            if Status(request.status) is not Status.IN_PROGRESS:
                continue  # an attempt that took over after a lapsed lease has settled it
            lifecycle.advance(work, request, Event.FAIL, actor="system", reason=audit.cause(exc))
            if (job := jobs.get(job_id)) is not None and job.state in ACTIVE:
                leases.move(job, JobEvent.FAIL, work.now)
                job.error = message
                leases.release(job)


def _finish(services: Services, job_id: str, request_id: str, summary: dict[str, Any]) -> None:
    _finish_many(services, [(job_id, request_id, summary)])


def _finish_many(services: Services, finished: Sequence[tuple[str, str, dict[str, Any]]]) -> None:
    """Complete (job id, request id, run summary) triples in one transaction: status, signed
    receipt and answer for each, with one lock of the audit chain for them all."""
    with unit(services) as work:
        jobs, requests = _locked(work, [j for j, _, _ in finished], [r for _, r, _ in finished])
        done = [
            job_id
            for job_id, request_id, summary in finished
            if completion.complete(services, work, jobs.get(job_id), requests[request_id], summary)
        ]
    services.finished.add(done)


def _locked(
    work: Unit, job_ids: Sequence[str], request_ids: Sequence[str]
) -> tuple[dict[str, Job], dict[str, Request]]:
    """Jobs, then their requests, row-locked in that order (as ``_claim`` and ``_start`` do)."""
    jobs = work.session.scalars(select(Job).where(Job.id.in_(job_ids)).with_for_update())
    return {j.id: j for j in jobs}, lifecycle.load_many(work, request_ids)


def export_file(services: Services, request_id: str, expires: str, signature: str) -> Path:
    """The export archive behind a signed, unexpired link."""
    expected = services.secrets.mac("download", request_id, expires)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise AuthenticationError("this download link is not valid", code=Code.LINK_INVALID)
    if not expires.isdigit() or int(expires) < services.clock().timestamp():
        raise AuthenticationError(
            "this download link has expired; ask for a new export", code=Code.LINK_EXPIRED
        )
    path = services.exports_dir / f"{request_id}.zip"
    if not path.exists():
        raise NotFoundError("the export is no longer available", code=Code.EXPORT_GONE)
    return path


def run_now(services: Services, request_id: str) -> None:
    """Operator action: start the run of an approved request (its job is queued again)."""
    with unit(services) as work:
        request = lifecycle.load(work, request_id)
        if Status(request.status) is not Status.APPROVED:
            raise ConflictError(
                f"only approved requests run; this one is {request.status}",
                code=Code.NOT_APPROVED,
            )
        enqueue(services, work, request)

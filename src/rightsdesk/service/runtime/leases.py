"""Leases on jobs: who runs a job now, kept alive by heartbeats, taken over when they lapse.

The broker is never trusted to know what is running. A job's row says it: ``lease_owner`` is
one token per attempt and ``lease_until`` the moment it lapses. Enqueuing gives a queued job a
delivery lease (no owner): if no worker has started it by then, its message was lost (a broker
restarted empty, a worker killed holding it) and the sweep submits it again. A running job's
worker extends its lease every ``heartbeat_seconds``; when the worker dies the lease lapses and
the sweep submits the job again, which resumes from the store and the engine's checkpoints.

A lease also lapses while its attempt still runs, when the heartbeat stalls (a loaded machine,
a long pause). Two attempts changing the same rows in two data stores can then wait on each other
across the stores, where no database sees the cycle: seen in a scale test as two threads of one
worker, each holding a transaction in one store and waiting in the other, for ever, the new
attempt's heartbeat keeping its lease live. So each attempt also ``fence``s its jobs for as long
as it runs, on the store: a PostgreSQL session advisory lock per job (released when the attempt
ends, or when its process dies and the session closes), on a SQLite store (one process) a set of
the jobs running in this process. A new attempt that finds a job fenced leaves it to the one
still running: its lease lapses and the sweep submits it again until the job is settled.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from rightsdesk.domain.jobs import SWEPT, JobEvent, JobState, next_job_state
from rightsdesk.service.runtime.context import Services
from rightsdesk.store.models import Job

log = logging.getLogger("rightsdesk.jobs")

#: A queued job is submitted again at most every this many leases while it waits.
MAX_BACKOFF = 4
#: The first key of every job's fence (two-key advisory locks; limits.py uses other first keys).
FENCE_CLASS = int.from_bytes(hashlib.sha256(b"rightsdesk.jobs").digest()[:4], "big", signed=True)
_TRY = sa.text("SELECT pg_try_advisory_lock(:classid, :objid)")
_UNLOCK = sa.text("SELECT pg_advisory_unlock(:classid, :objid)")
#: Jobs fenced in this process, per SQLite store (its URL): one process uses such a store.
_FENCED: dict[str, set[str]] = {}
_FENCED_LOCK = threading.Lock()


def token() -> str:
    """A new owner token: one per attempt, so a lapsed attempt cannot extend a new one's lease.

    It names the machine and process first, so an operator sees who holds a job.
    """
    return f"{socket.gethostname()[:30]}.{os.getpid()}.{uuid.uuid4().hex[:16]}"


def lapses(services: Services, now: datetime) -> datetime:
    return now + timedelta(seconds=services.settings.lease_seconds)


def held_by_other(job: Job, owner: str | None, now: datetime) -> bool:
    """Whether another attempt holds a live lease on ``job`` (a second delivery then stops)."""
    return (
        job.state == JobState.RUNNING
        and job.lease_owner is not None
        and job.lease_owner != owner
        and job.lease_until is not None
        and job.lease_until > now
    )


def move(job: Job, event: JobEvent, now: datetime) -> JobState:
    """The one place a job's state changes after creation: through the job transition table
    (StateError when it does not allow ``event``)."""
    state = next_job_state(JobState(job.state), event)
    job.state, job.updated_at = state.value, now
    return state


def grant(services: Services, job: Job, owner: str, now: datetime) -> None:
    """Lease ``job`` to ``owner`` (in the transaction that moves it to running)."""
    job.lease_owner, job.lease_until = owner, lapses(services, now)


def await_delivery(services: Services, job: Job, now: datetime) -> None:
    """A queued job must be started before this lease lapses, or it is submitted again."""
    job.lease_owner, job.lease_until = None, lapses(services, now)


def release(job: Job) -> None:
    """The job finished, failed or waits for a person: nothing for the sweep to watch."""
    job.lease_owner, job.lease_until = None, None


def extend(services: Services, job_id: str | Sequence[str], owner: str) -> bool:
    """Push the lease back (of a batch's jobs too); False when none is this attempt's any more."""
    now = services.clock()
    ids = [job_id] if isinstance(job_id, str) else list(job_id)
    with services.store.session() as session:
        result = session.execute(
            update(Job)
            .where(Job.id.in_(ids), Job.lease_owner == owner, Job.state == JobState.RUNNING)
            .values(lease_until=lapses(services, now))
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))


def _still_running(services: Services, job_id: str | Sequence[str]) -> bool:
    """Whether a job is still running (under another lease) rather than just finished."""
    ids = [job_id] if isinstance(job_id, str) else list(job_id)
    with services.store.session() as session:
        states = session.scalars(select(Job.state).where(Job.id.in_(ids))).all()
        return JobState.RUNNING in states


@contextmanager
def heartbeat(services: Services, job_id: str | Sequence[str], owner: str) -> Iterator[None]:
    """Extend the lease (of one job, or of every job of a batch) every ``heartbeat_seconds``
    on one thread while the block runs."""
    stop = threading.Event()
    beat = threading.Thread(
        target=_beat, args=(services, job_id, owner, stop), name="rightsdesk-lease", daemon=True
    )
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join()


def _beat(
    services: Services, job_id: str | Sequence[str], owner: str, stop: threading.Event
) -> None:
    while not stop.wait(services.settings.heartbeat_seconds):
        try:
            if not extend(services, job_id, owner):
                if _still_running(services, job_id):
                    # swept after a stall: another attempt may run it; ours ends idempotently
                    log.warning("lease on job %s lost; another worker may take it over", job_id)
                return
        except SQLAlchemyError:
            log.exception("heartbeat of job %s failed; retrying", job_id)


def recover(services: Services, limit: int = 1000) -> int:
    """Submit again every queued or running job whose lease lapsed; how many were submitted.

    Each gets a fresh delivery lease in the same transaction (rows another sweeper holds are
    skipped), so sweepers running at once never both submit a job. A queued job may simply be
    waiting behind a long backlog, so its lease grows with its wait (up to ``MAX_BACKOFF``
    leases): a backlog costs a few duplicate messages, not one per job per lease.
    """
    now = services.clock()
    lease = timedelta(seconds=services.settings.lease_seconds)
    with services.store.session() as session:
        stranded = list(
            session.scalars(
                select(Job)
                .where(Job.state.in_(SWEPT), or_(Job.lease_until.is_(None), Job.lease_until < now))
                .order_by(Job.created_at)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        for job in stranded:
            waited = now - job.updated_at if job.state == JobState.QUEUED else lease
            job.lease_owner, job.lease_until = (
                None,
                now + min(max(lease, waited), MAX_BACKOFF * lease),
            )
        ids = [job.id for job in stranded]
    for job_id in ids:
        services.jobs.submit(job_id)
    return len(ids)


def sweep_forever(services: Services, stop: threading.Event) -> None:
    """Recover lapsed jobs every ``heartbeat_seconds`` until ``stop`` is set (workers, serve)."""
    while not stop.wait(services.settings.heartbeat_seconds):
        try:
            recover(services)
        except Exception:  # a database or broker outage: the next sweep tries again
            log.exception("lease sweep failed; retrying")


@contextmanager
def fence(services: Services, job_ids: Sequence[str]) -> Iterator[list[str]]:
    """Fence what is free of ``job_ids`` without waiting, for the block; yields those ids.

    A job left out is fenced by an attempt still running (see the module's notes)."""
    if services.store.is_sqlite:
        with _FENCED_LOCK:
            running = _FENCED.setdefault(services.store.url, set())
            free = [job for job in job_ids if job not in running]
            running.update(free)
        try:
            yield free
        finally:
            with _FENCED_LOCK:
                running.difference_update(free)
        return
    conn = services.store.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    held: list[str] = []
    try:
        held = [job for job in job_ids if conn.execute(_TRY, _fence_key(job)).scalar_one()]
        yield held
    finally:
        try:
            for job in held:
                conn.execute(_UNLOCK, _fence_key(job))
        except SQLAlchemyError:
            conn.invalidate()  # closing the session is what releases its locks, in any state
        finally:
            conn.close()


def _fence_key(job_id: str) -> dict[str, int]:
    digest = hashlib.sha256(job_id.encode()).digest()
    return {"classid": FENCE_CLASS, "objid": int.from_bytes(digest[:4], "big", signed=True)}

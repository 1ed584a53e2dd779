"""Running approved requests through the engine as jobs; finishing them with a signed receipt."""

from __future__ import annotations

import hmac
import json
import shutil
import uuid
import zipfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from rightsdesk.domain.errors import (
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PolicyError,
    RightsdeskError,
)
from rightsdesk.domain.requests import Event, RequestType, Status
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.runner import Engine
from rightsdesk.service import lifecycle, receipts, runs, verification
from rightsdesk.service.context import Services, Unit, unit
from rightsdesk.store.models import Job, Request

#: Request types this version runs through the engine; the others wait for their workflows.
EXECUTABLE = frozenset({RequestType.ACCESS, RequestType.DELETE})
ACTIVE_JOB = ("queued", "running", "waiting")


@dataclass(frozen=True)
class Snapshot:
    """What a job needs from the request, read in one transaction and used outside it."""

    request_id: str
    type: RequestType
    identities: tuple[Identity, ...]


def enqueue(services: Services, work: Unit, request: Request) -> Job | None:
    """Queue the run of an approved request (one active job per request); None if not runnable."""
    if RequestType(request.type) not in EXECUTABLE:
        lifecycle.record(
            work,
            request,
            "awaiting_workflow",
            actor="system",
            reason=f"{request.type} requests are carried out by their own workflow",
        )
        return None
    job = work.session.scalars(
        select(Job).where(Job.request_id == request.id, Job.state.in_((*ACTIVE_JOB, "failed")))
    ).first()
    if job is None:
        job = Job(
            id=uuid.uuid4().hex,
            request_id=request.id,
            kind=request.type,
            state="queued",
            attempts=0,
            created_at=work.now,
            updated_at=work.now,
        )
        work.session.add(job)
    else:
        job.state, job.updated_at = "queued", work.now
    job_id = job.id
    work.after_commit.append(lambda: services.jobs.submit(job_id))
    return job


def recover(services: Services) -> int:
    """Resubmit jobs left queued or running by a process that stopped (single-process mode).

    With one process nothing else can be running them; leases for many workers come with
    the scale-out backend. A resumed erasure continues from its checkpoint.
    """
    with services.store.session() as session:
        stranded = list(session.scalars(select(Job.id).where(Job.state.in_(["queued", "running"]))))
    for job_id in stranded:
        services.jobs.submit(job_id)
    return len(stranded)


def retry(services: Services, work: Unit, request: Request, *, actor: str) -> None:
    lifecycle.advance(work, request, Event.RETRY, actor=actor)
    enqueue(services, work, request)


def run_job(services: Services, job_id: str) -> None:
    """Run one job; calling it again for the same id never does the work twice."""
    snapshot = _start(services, job_id)
    if snapshot is None:
        return
    try:
        summary = _execute(services, snapshot)
    except RightsdeskError as exc:
        _fail(services, job_id, snapshot.request_id, str(exc))
        return
    _finish(services, job_id, snapshot.request_id, summary)


def _start(services: Services, job_id: str) -> Snapshot | None:
    with unit(services) as work:
        job = work.session.get(Job, job_id, with_for_update=True)
        if job is None or job.state in {"done", "failed"}:
            return None
        request = lifecycle.load(work, job.request_id)
        status = Status(request.status)
        if status is Status.APPROVED:
            if not verification.is_fresh(services, request, work.now):
                verification.challenge(services, work, request, purpose="step_up")
                job.state, job.updated_at = "waiting", work.now
                return None
            lifecycle.advance(work, request, Event.START, actor="system", data={"job": job.id})
        elif status is not Status.IN_PROGRESS:  # cancelled or refused meanwhile: nothing to run
            job.state, job.updated_at = "done", work.now
            return None
        job.state, job.attempts, job.updated_at = "running", job.attempts + 1, work.now
        identities = tuple(Identity(i.kind, i.value) for i in request.identities)
        return Snapshot(request.id, RequestType(request.type), identities)


def _execute(services: Services, snapshot: Snapshot) -> dict[str, Any]:
    if services.datamap is None:
        raise PolicyError("no data map is configured (set RIGHTSDESK_DATAMAP)")
    subjects = [Subject(snapshot.request_id, snapshot.identities)]
    with runs.open_engine(services.datamap, services.settings) as engine:
        if snapshot.type is RequestType.ACCESS:
            return _export(services, engine, subjects, snapshot.request_id)
        result = engine.erase(subjects)
        summary: dict[str, Any] = {
            "run_id": result.run_id,
            "resumed": result.resumed,
            "collections": result.report[0],
        }
    if services.settings.verify_erasure:
        found = runs.verify_erasure(services.datamap, result, subjects, services.settings)
        summary["residue"] = [
            {
                "system": r.system,
                "tables_scanned": r.report.tables_scanned,
                "rows_scanned": r.report.rows_scanned,
                "flagged": [
                    f"{f.table}.{f.column} {json.dumps(f.to_json()['key'], default=str)}"
                    for f in r.flagged()
                ],
                "retained_hits": len(r.report.findings) - len(r.flagged()),
            }
            for r in found
        ]
    return summary


def _export(
    services: Services, engine: Engine, subjects: list[Subject], request_id: str
) -> dict[str, Any]:
    work_dir = services.exports_dir / f"{request_id}.partial"
    shutil.rmtree(work_dir, ignore_errors=True)
    exports, _ = runs.export(engine, subjects, work_dir)
    archive = services.exports_dir / f"{request_id}.zip"
    _zip(exports[0].directory, archive)
    shutil.rmtree(work_dir, ignore_errors=True)
    return {
        "collections": {name: {"found": n} for name, n in exports[0].rows.items()},
        "file": archive.name,
    }


def _zip(directory: Path, archive: Path) -> None:
    partial = archive.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(directory))
    partial.chmod(0o600)
    partial.replace(archive)


def _fail(services: Services, job_id: str, request_id: str, message: str) -> None:
    with unit(services) as work:
        job = work.session.get(Job, job_id, with_for_update=True)
        request = lifecycle.load(work, request_id)
        lifecycle.advance(work, request, Event.FAIL, actor="system", reason=message)
        if job is not None:
            job.state, job.error, job.updated_at = "failed", message, work.now


def _finish(services: Services, job_id: str, request_id: str, summary: dict[str, Any]) -> None:
    with unit(services) as work:
        job = work.session.get(Job, job_id, with_for_update=True)
        request = lifecycle.load(work, request_id)
        outcome = {**request.outcome, "run": summary}
        extra: dict[str, Any] = {}
        if "file" in summary:
            expires = work.now + timedelta(hours=services.settings.export_ttl_hours)
            outcome["export"] = {"file": summary["file"], "expires_at": expires.isoformat()}
            extra["download_url"] = download_url(services, request.id, expires.timestamp())
            extra["expires_at"] = expires.isoformat(timespec="minutes")
        event = Event.COMPLETE_PARTIALLY if outcome.get("refused_parts") else Event.COMPLETE
        lifecycle.advance(work, request, event, actor="system", data={"job": job_id})
        request.outcome = outcome
        receipt_id = receipts.issue(services, work, request)
        request.outcome = {**outcome, "receipt_id": receipt_id}
        if job is not None:
            job.state, job.updated_at = "done", work.now
        context = {"receipt_id": receipt_id, **extra, **receipts.notice_context(request)}
        work.notices.append(verification.notice(request, "completed", context))


def download_url(services: Services, request_id: str, expires: float) -> str:
    stamp = str(int(expires))
    signature = services.secrets.mac("download", request_id, stamp)
    base = services.settings.public_url.rstrip("/")
    return f"{base}/v1/requests/{request_id}/export?expires={stamp}&signature={signature}"


def export_file(services: Services, request_id: str, expires: str, signature: str) -> Path:
    """The export archive behind a signed, unexpired link."""
    expected = services.secrets.mac("download", request_id, expires)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise AuthenticationError("this download link is not valid")
    if not expires.isdigit() or int(expires) < services.clock().timestamp():
        raise AuthenticationError("this download link has expired; ask for a new export")
    path = services.exports_dir / f"{request_id}.zip"
    if not path.exists():
        raise NotFoundError("the export is no longer available")
    return path


def run_now(services: Services, request_id: str) -> None:
    """Operator action: start the run of an approved request (its job is queued again)."""
    with unit(services) as work:
        request = lifecycle.load(work, request_id)
        if Status(request.status) is not Status.APPROVED:
            raise ConflictError(f"only approved requests run; this one is {request.status}")
        if enqueue(services, work, request) is None:
            raise ConflictError(
                f"{request.type} requests are not run by the engine in this version"
            )

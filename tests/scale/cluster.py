"""A local cluster for the fault tests: a PostgreSQL store, a broker, `rightsdesk worker`s.

The test process takes requests in and approves them (its job backend submits to the
broker); the workers are real subprocesses that can be killed, and the store is read
directly to decide whether every request was done exactly once.
"""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import create_engine, func, select, text

from rightsdesk.audit import log as audit
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.jobs.base import Handler
from rightsdesk.jobs.celery import CeleryBackend
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import intake
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.runtime.operators import Operator, Scope
from rightsdesk.settings import Settings
from rightsdesk.store.models import AuditEvent, Job, Receipt, Request

OPERATOR = Operator("scale-test", "fault tests", frozenset(Scope))


@dataclass(frozen=True)
class Lease:
    """How long a running job's lease lasts without a heartbeat, and how often one is sent."""

    seconds: float
    heartbeat: float


#: Short leases for the tests that kill a worker or lose a broker, so the jobs it held are taken
#: over (and lost messages re-sent by the sweep) within seconds. They are as short as a machine
#: under load allows: a worker descheduled for 3 s loses its lease and its job runs again.
SHORT = Lease(3.0, 0.5)
#: The deployed defaults (Settings), for the tests that kill nothing: there a job run twice means
#: a message taken twice, never a heartbeat that came late on a busy machine (a scale loop
#: on 2026-12-03 saw a job attempted 4 times at load 20 with the short lease, done once).
DEPLOYED = Lease(
    Settings.model_fields["lease_seconds"].default,
    Settings.model_fields["heartbeat_seconds"].default,
)


class Holding:
    """A job backend that only collects ids, so a batch is queued before any worker runs."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def bind(self, handler: Handler) -> None:
        return None

    def submit(self, job_id: str) -> None:
        self.ids.append(job_id)

    def drain(self, timeout: float | None = None) -> None:
        return None

    def close(self) -> None:
        return None


@dataclass
class Cluster:
    settings: Settings
    env: dict[str, str]
    logs: Path
    #: The demo platform's data stores (system name -> URL), PostgreSQL databases.
    data: dict[str, str]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def start_worker(
        self, concurrency: int = 2, metrics_port: int | None = None
    ) -> subprocess.Popen[bytes]:
        options = ["--concurrency", str(concurrency)]
        if metrics_port is not None:
            options += ["--metrics-port", str(metrics_port)]
        return self._spawn(["worker", *options], f"worker-{len(self.workers)}")

    def start_api(self, port: int) -> subprocess.Popen[bytes]:
        """`rightsdesk serve` on ``port`` (stopped with the workers)."""
        return self._spawn(["serve", "--port", str(port)], "api")

    def _spawn(self, arguments: list[str], name: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "rightsdesk", *arguments]
        with (self.logs / f"{name}.log").open("wb") as log:  # the child keeps its copy
            process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.workers.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        process.send_signal(signal.SIGKILL)
        process.wait(10)

    def stop(self) -> None:
        for process in self.workers:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.workers:
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)

    def tail(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.logs.glob("*.log"))
        )

    @contextmanager
    def services(self, jobs: Holding | None = None) -> Iterator[Services]:
        built = wiring.build(self.settings, jobs=jobs)
        try:
            yield built
        finally:
            wiring.close(built)


def make_cluster(
    tmp_path: Path,
    store_url: str,
    broker_url: str,
    datamap: Path,
    data: dict[str, str],
    lease: Lease = SHORT,
) -> Cluster:
    state = tmp_path / "state"
    values = {
        "STATE_DIR": str(state),
        "DATABASE_URL": store_url,
        "DATAMAP": str(datamap),
        "SECRET_KEY": "scale-test-secret-of-at-least-thirty-two-characters",
        "MASKING_KEY": "scale-test-masking-key",
        "VAULT_MASTER_KEY": base64.b64encode(b"k" * 32).decode(),
        "MAIL_URL": (tmp_path / "outbox").as_uri(),
        "SMS_URL": "none",
        "JOB_BACKEND": "celery",
        "BROKER_URL": broker_url,
        "LEASE_SECONDS": str(lease.seconds),
        "HEARTBEAT_SECONDS": str(lease.heartbeat),
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSDESK_")}
    env |= {f"RIGHTSDESK_{k}": v for k, v in values.items()}
    env |= {f"RIGHTSDESK_DEMO_{system.upper()}_URL": url for system, url in data.items()}
    logs = tmp_path / "logs"
    logs.mkdir()
    settings = Settings(
        state_dir=state,
        database_url=store_url,
        datamap=datamap,
        secret_key=SecretStr(values["SECRET_KEY"]),
        masking_key=SecretStr(values["MASKING_KEY"]),
        vault_master_key=SecretStr(values["VAULT_MASTER_KEY"]),
        mail_url=values["MAIL_URL"],
        sms_url="none",
        job_backend="celery",
        broker_url=broker_url,
        lease_seconds=lease.seconds,
        heartbeat_seconds=lease.heartbeat,
    )
    return Cluster(settings, env, logs, data)


def emails(cluster: Cluster, count: int) -> list[str]:
    """The e-mail addresses of the first ``count`` people of the demo platform."""
    engine = create_engine(cluster.data["platform"])
    try:
        with engine.connect() as conn:
            query = text("SELECT email FROM accounts ORDER BY id LIMIT :n")
            rows = conn.execute(query, {"n": count}).scalars().all()
    finally:
        engine.dispose()
    assert len(rows) == count, f"the demo platform has only {len(rows)} people"
    return list(rows)


def approve_erasures(services: Services, people: list[str]) -> list[str]:
    """One operator-verified, approved erasure request per person; their request ids."""
    ids = []
    for email in people:
        done = intake.submit(
            services,
            intake.Submission(
                RequestType.DELETE,
                (Identity("email", email),),
                channel="ticket",
                evidence="ticket SCALE-1",
                actor="operator",
            ),
        )
        requests.approve(services, OPERATOR, done.request.id, None)
        ids.append(done.request.id)
    return ids


def completed(services: Services) -> int:
    with services.store.session() as session:
        query = select(func.count()).where(Request.status == "completed")
        return int(session.scalar(query) or 0)


def wait_until(check: Callable[[], bool], timeout: float, what: str, cluster: Cluster) -> float:
    """Seconds until ``check`` held; fails with the workers' logs after ``timeout``."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what} not reached within {timeout:.0f} s\n{cluster.tail()}")
        time.sleep(0.2)
    return time.monotonic() - start


def messages(services: Services, job_ids: list[str]) -> list[str]:
    """Hand each job id to the broker; the Celery task ids of those messages."""
    backend = services.jobs
    assert isinstance(backend, CeleryBackend)
    return [backend.task.apply_async((j,), queue=backend.queue).id for j in job_ids]


def ran(cluster: Cluster, task_ids: list[str]) -> bool:
    """Whether the workers have run every one of these Celery tasks (their logs say so)."""
    logs = "".join(p.read_text(errors="replace") for p in cluster.logs.glob("worker-*.log"))
    return all(f"run_job[{task}] succeeded" in logs for task in task_ids)


def assert_done_exactly_once(services: Services, ids: list[str]) -> None:
    """Every request completed once (one start, one completion, one receipt, one job) and the
    audit chain verifies."""
    with services.store.session() as session:
        statuses = dict(session.execute(select(Request.id, Request.status)).tuples().all())
        assert {statuses[i] for i in ids} == {"completed"}
        for event in ("start", "complete"):
            counts = session.execute(
                select(AuditEvent.request_id, func.count())
                .where(AuditEvent.event == event)
                .group_by(AuditEvent.request_id)
            ).all()
            assert dict(counts) == dict.fromkeys(ids, 1), event
        receipts = session.execute(
            select(Receipt.request_id, func.count()).group_by(Receipt.request_id)
        ).all()
        assert dict(receipts) == dict.fromkeys(ids, 1)
        jobs = session.execute(select(Job.request_id, Job.state, Job.lease_owner)).all()
        assert sorted(j.request_id for j in jobs) == sorted(ids)  # one job per request
        assert {(j.state, j.lease_owner) for j in jobs} == {("done", None)}
    entries, breaks = audit.check(services.store)
    assert breaks == [] and entries > 0, breaks[:3]


def accounts_left(cluster: Cluster, people: list[str]) -> int:
    """Accounts of ``people`` still in the platform (its foreign keys forbid orphan rows)."""
    engine = create_engine(cluster.data["platform"])
    try:
        with engine.connect() as conn:
            query = text("SELECT count(*) FROM accounts WHERE email = ANY(:people)")
            return int(conn.execute(query, {"people": people}).scalar_one())
    finally:
        engine.dispose()

"""A first look at scale-out throughput (issue 5), not yet the issue's full benchmark:
``python -m bench.scale [--requests N] [--people N]``.

Approved erasure requests (operator-verified tickets, taken in through the service layer and
held back), then 1 and then 2 ``rightsdesk worker`` processes (Redis broker, PostgreSQL store
and data stores) run them; the figure is completed erasures per second from the moment the job
ids are sent until the last request is completed. Intake is timed apart.
"""

from __future__ import annotations

import argparse
import base64
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import create_engine, func, select, text

from rightsdesk.demo import platform
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.jobs.base import Handler
from rightsdesk.service import intake, requests, wiring
from rightsdesk.service.operators import Operator, Scope
from rightsdesk.settings import Settings
from rightsdesk.store.models import Request

ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BROKER = "redis://127.0.0.1:6379/14"
DESK = Operator("bench", "bench desk", frozenset(Scope))


class Held:
    """A job backend that keeps the ids, so intake is timed apart from the workers."""

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


def _databases(tag: str) -> dict[str, str]:
    engine = create_engine(ADMIN, isolation_level="AUTOCOMMIT")
    names = {s: f"rd_bench_{tag}_{s}" for s in ("store", "platform", "billing")}
    with engine.connect() as conn:
        for name in names.values():
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return {s: ADMIN.replace("/test", f"/{n}") for s, n in names.items()}


def run(workers: int, requests_: int, people: int, tmp: Path) -> tuple[float, float]:
    """(intake seconds, completed erasures per second) with ``workers`` worker processes."""
    urls = _databases(f"w{workers}")
    data = {"platform": urls["platform"], "billing": urls["billing"]}
    platform.create_schema(data)
    platform.populate(data, people)
    env_values = {
        "STATE_DIR": str(tmp / f"state{workers}"),
        "DATABASE_URL": urls["store"],
        "DATAMAP": str(platform.DATAMAP),
        "SECRET_KEY": "bench",
        "MASKING_KEY": "bench",
        "VAULT_MASTER_KEY": base64.b64encode(b"b" * 32).decode(),
        "MAIL_URL": (tmp / "outbox").as_uri(),
        "SMS_URL": "none",
        "JOB_BACKEND": "celery",
        "BROKER_URL": BROKER,
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSDESK_")}
    env |= {f"RIGHTSDESK_{k}": v for k, v in env_values.items()}
    env |= {f"RIGHTSDESK_DEMO_{s.upper()}_URL": u for s, u in data.items()}
    os.environ.update({f"RIGHTSDESK_DEMO_{s.upper()}_URL": u for s, u in data.items()})
    settings = Settings(
        state_dir=tmp / f"state{workers}",
        database_url=urls["store"],
        datamap=platform.DATAMAP,
        secret_key=SecretStr("bench"),
        masking_key=SecretStr("bench"),
        vault_master_key=SecretStr(env_values["VAULT_MASTER_KEY"]),
        mail_url=env_values["MAIL_URL"],
        sms_url="none",
        job_backend="celery",
        broker_url=BROKER,
    )
    engine = create_engine(data["platform"])
    with engine.connect() as conn:
        emails = conn.execute(
            text("SELECT email FROM accounts ORDER BY id LIMIT :n"), {"n": requests_}
        ).scalars()
        people_emails = list(emails)
    engine.dispose()
    held = Held()
    started = time.perf_counter()
    built = wiring.build(settings, jobs=held)
    try:
        for email in people_emails:
            done = intake.submit(
                built,
                intake.Submission(
                    RequestType.DELETE,
                    (Identity("email", email),),
                    channel="ticket",
                    evidence="bench ticket",
                    actor="operator",
                ),
            )
            requests.approve(built, DESK, done.request.id, None)
    finally:
        wiring.close(built)
    intake_seconds = time.perf_counter() - started
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "rightsdesk", "worker", "--concurrency", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    built = wiring.build(settings)
    try:
        time.sleep(3)  # the workers connect to the broker
        started = time.perf_counter()
        for job_id in held.ids:
            built.jobs.submit(job_id)
        while True:
            with built.store.session() as session:
                done_count = session.scalar(
                    select(func.count()).where(Request.status == "completed")
                )
            if done_count == len(held.ids):
                break
            time.sleep(0.2)
        rate = len(held.ids) / (time.perf_counter() - started)
    finally:
        wiring.close(built)
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(30)
    return intake_seconds, rate


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--people", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            took, rate = run(workers, args.requests, args.people, Path(tmp))
            print(
                f"{workers} worker process(es): intake {args.requests} in {took:.1f} s "
                f"({args.requests / took:.0f}/s); {rate:.1f} completed erasures/s",
                flush=True,
            )


if __name__ == "__main__":
    main()

"""One run's fresh databases and environment, the API server and worker processes that use them
(started, awaited until they answer, stopped and reaped), and the poller that waits for their work."""

from __future__ import annotations

import base64
import os
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
from celery import Celery
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import data
from rightsdesk.demo import platform
from rightsdesk.service.runtime import operators, wiring
from rightsdesk.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
BROKER = "redis://127.0.0.1:6379/14"
#: Step-up freshness (minutes) for the benchmark: by default (15) a deletion that waits longer
#: than that in the queue asks the person for a new code instead of running.
STEP_UP_MINUTES = "1440"


def dsn(url: str) -> str:
    parsed = make_url(url)
    return f"host={parsed.host} port={parsed.port or 5432} user={parsed.username} dbname={parsed.database}"


def admin(statements: Sequence[str]) -> None:
    engine = create_engine(data.POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def database_name(url: str) -> str:
    return url.rsplit("/", 1)[1]


@dataclass
class Run:
    """One run's fresh databases, state folder and environment (server and workers alike)."""

    tag: str
    folder: Path
    store: str
    copy: dict[str, str]
    env: dict[str, str]
    key: str

    @property
    def databases(self) -> list[str]:
        return [database_name(u) for u in (self.store, *self.copy.values())]


@contextmanager
def prepared(found: Mapping[str, str], backend: str, tag: str, tmp: Path) -> Iterator[Run]:
    """A fresh store (migrated, keyed) and platform copy; both dropped afterwards."""
    store_name = f"rdb_scale_{tag}_store"
    admin([f"DROP DATABASE IF EXISTS {store_name} WITH (FORCE)", f"CREATE DATABASE {store_name}"])
    store = data.POSTGRES_ADMIN.replace("/test", f"/{store_name}")
    run = Run(tag, tmp / tag, store, {}, {}, "")
    try:
        run.copy = data.scratch(found, f"scale_{tag}")
        run.env = _environment(run, backend)
        run.key = _operator_key(run.env)
        yield run
    finally:
        names = run.databases if run.copy else [store_name]
        admin([f"DROP DATABASE IF EXISTS {n} WITH (FORCE)" for n in names])


def _environment(run: Run, backend: str) -> dict[str, str]:
    """The environment the server and the workers run in: this one's, minus RIGHTSDESK_*,
    plus the run's own settings."""
    values = {
        "STATE_DIR": str(run.folder / "state"),
        "DATABASE_URL": run.store,
        "DATAMAP": str(platform.DATAMAP),
        "SECRET_KEY": "bench-scale-secret-key-0123456789abcdef",
        "MASKING_KEY": "bench-scale",
        "VAULT_MASTER_KEY": base64.b64encode(b"s" * 32).decode(),
        "MAIL_URL": (run.folder / "outbox").as_uri(),
        "SMS_URL": "none",
        "JOB_BACKEND": backend,
        "BROKER_URL": BROKER,
        "LOG_LEVEL": "WARNING",
        "STEP_UP_MINUTES": STEP_UP_MINUTES,
        **{f"DEMO_{s.upper()}_URL": u for s, u in run.copy.items()},
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSDESK_")}
    return env | {f"RIGHTSDESK_{k}": v for k, v in values.items()}


def _operator_key(env: Mapping[str, str]) -> str:
    """Migrate the store and make an operator key, once here, so the server and the workers
    never race to do it."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        services = wiring.build(Settings())
    finally:
        os.environ.clear()
        os.environ.update(saved)
    try:
        return operators.create_key(services, "bench scale", ["decide"])[1]
    finally:
        wiring.close(services)


class Processes:
    """The API server and worker processes of one run; all stopped and reaped on exit."""

    def __init__(self, run: Run, api_processes: int = 1) -> None:
        self.run = run
        self.api_processes = api_processes
        self.server: subprocess.Popen[bytes] | None = None
        self.workers: list[subprocess.Popen[bytes]] = []
        self.url = ""

    def __enter__(self) -> Processes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _spawn(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        self.run.folder.mkdir(parents=True, exist_ok=True)
        with (self.run.folder / f"{name}.log").open("ab") as log:
            return subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    *(command if command[0] == "uvicorn" else ["rightsdesk", *command]),
                ],
                cwd=ROOT,
                env=self.run.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def serve(self) -> None:
        port = _free_port()
        where = ["--host", "127.0.0.1", "--port", str(port)]
        if self.api_processes == 1:
            self.server = self._spawn("server", ["serve", *where])
        else:  # the factory for ASGI servers; each process builds its own Services
            factory = ["--factory", "rightsdesk.api.server:create", "--no-access-log"]
            self.server = self._spawn(
                "server", ["uvicorn", *factory, *where, "--workers", str(self.api_processes)]
            )
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            self._alive()
            with suppress(httpx.TransportError):
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            time.sleep(0.2)
        raise SystemExit(f"the API server did not answer within 60 s; see {self.run.folder}")

    def start_workers(self, count: int) -> None:
        for number in range(count):
            self.workers.append(self._spawn(f"worker{number}", ["worker", "--concurrency", "2"]))
        control = Celery("bench", broker=BROKER, set_as_current=False)
        deadline = time.monotonic() + 60
        try:
            while time.monotonic() < deadline:
                self._alive()
                if len(control.control.ping(timeout=0.5) or []) >= count:
                    return
            raise SystemExit(f"{count} worker(s) did not answer within 60 s; see {self.run.folder}")
        finally:
            control.close()

    def _alive(self) -> None:
        for process in [p for p in (self.server, *self.workers) if p is not None]:
            if process.poll() is not None:
                raise SystemExit(
                    f"{process.args!r} exited with {process.returncode}; log: {self.tail()}"
                )

    def tail(self) -> str:
        logs = sorted(self.run.folder.glob("*.log"))
        return "\n".join(p.read_text(errors="replace")[-2000:] for p in logs)

    def pids(self) -> dict[int, str]:
        found = {p.pid: "workers" for p in self.workers}
        if self.server is not None:
            found[self.server.pid] = "API server"
        return found

    def stop(self) -> None:
        processes = [p for p in (*self.workers, self.server) if p is not None]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.workers, self.server = [], None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Progress(threading.Thread):
    """Polls the store's request statuses (one GROUP BY) until ``total`` are completed."""

    def __init__(self, store: str, total: int) -> None:
        super().__init__(name="bench-progress", daemon=True)
        self.total = total
        self.conn = psycopg.connect(dsn(store), autocommit=True)
        row = self.conn.execute("SELECT pg_backend_pid()").fetchone()
        self.backend_pid = int(row[0]) if row else 0
        self.counts: Counter[str] = Counter()
        self.started = threading.Event()  # a job is running (or done)
        self.started_at = 0.0
        self.done = threading.Event()
        self.done_at = 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.wait(0.1 if not self.started.is_set() else 0.25):
                rows = self.conn.execute("SELECT status, count(*) FROM requests GROUP BY status")
                self.counts = Counter({str(s): int(n) for s, n in rows})
                now = time.perf_counter()
                if (
                    not self.started.is_set()
                    and self.counts["in_progress"] + self.counts["completed"]
                ):
                    self.started_at = now
                    self.started.set()
                if self.counts["completed"] >= self.total:
                    self.done_at = now
                    self.done.set()
                    return
        finally:
            self.conn.close()

    def wait(self, label: str, processes: Processes, stall: float = 180) -> None:
        """Until done; a progress line every 10 s; fail on failed requests or a long stall."""
        last, last_count, last_change = time.monotonic(), -1, time.monotonic()
        while not self.done.wait(1):
            processes._alive()
            completed, now = self.counts["completed"], time.monotonic()
            if self.counts["failed"]:
                raise SystemExit(f"{label}: {self.counts['failed']} request(s) failed; see logs")
            if completed != last_count:
                last_count, last_change = completed, now
            elif now - last_change > stall:
                raise SystemExit(
                    f"{label}: no progress for {stall:g} s; statuses {dict(self.counts)}"
                )
            if now - last >= 10:
                last = now
                print(f"    {label}: {dict(sorted(self.counts.items()))}", flush=True)

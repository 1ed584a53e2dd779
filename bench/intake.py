"""``python -m bench intake``: submissions per second and their latency through uvicorn.

The real API (POST /v1/requests) runs under uvicorn in its own process, with 1 and then 2
worker processes; ``wrk`` drives it from another process. The floor is the same uvicorn and
FastAPI serving one endpoint that does the single durable INSERT a minimal intake needs, through
the same engine (driver, pool, pragmas, ``BEGIN IMMEDIATE`` on SQLite); ``GET /healthz`` shows
what HTTP alone costs. Mail goes to a ``file://`` outbox: no SMTP server in the measured path.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import FastAPI, Header, status
from sqlalchemy import create_engine, text

from bench import data, loadgen, report
from rightsdesk.api.app import create_app
from rightsdesk.service.runtime import wiring
from rightsdesk.settings import Settings
from rightsdesk.store.db import Store

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_DB = "rdb_intake"
TARGET_RATE, TARGET_P99_MS = 300.0, 100.0
FLOOR_TABLE = """CREATE TABLE floor_requests (
    id VARCHAR(32) PRIMARY KEY,
    email VARCHAR(320) NOT NULL,
    idempotency_key VARCHAR(128) UNIQUE,
    received_at TIMESTAMP NOT NULL
)"""
FLOOR_INSERT = text(
    "INSERT INTO floor_requests (id, email, idempotency_key, received_at) "
    "VALUES (:id, :email, :key, :at)"
)


def rightsdesk_app() -> FastAPI:
    """uvicorn factory: the real API, configured by the RIGHTSDESK_* variables the bench sets."""
    return create_app(wiring.build(Settings()))


def floor_app() -> FastAPI:
    """uvicorn factory: parse the same JSON, store one row (unique idempotency key), answer 201."""
    store = Store(Settings().store_url())
    app = FastAPI()

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/v1/requests", status_code=status.HTTP_201_CREATED)
    def submit(
        body: dict[str, Any],
        idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    ) -> dict[str, str]:
        request_id = uuid.uuid4().hex
        values = {
            "id": request_id,
            "email": body["identities"][0]["value"],
            "key": idempotency_key,
            "at": datetime.now(UTC).replace(tzinfo=None),
        }
        with store.engine.begin() as conn:
            conn.execute(FLOOR_INSERT, values)
        return {"id": request_id}

    return app


@dataclass(frozen=True)
class Case:
    label: str
    factory: str
    workers: int
    path: str = "/v1/requests"
    method: str = "POST"


@dataclass
class Row:
    case: Case
    load: loadgen.Load
    stored: int | None


@dataclass
class Results:
    backend: str
    connections: int
    seconds: float
    rows: list[Row] = field(default_factory=list)

    def floor(self, workers: int) -> loadgen.Load | None:
        return next(
            (
                r.load
                for r in self.rows
                if r.case.factory == "floor_app" and r.case.workers == workers
            ),
            None,
        )


def cases() -> list[Case]:
    """Floor and rightsdesk alternate, so that machine noise hits both alike."""
    found = [Case("GET /healthz (HTTP only)", "rightsdesk_app", 1, "/healthz", "GET")]
    for workers in (1, 2):
        found.append(Case("floor: one INSERT", "floor_app", workers))
        found.append(Case("rightsdesk POST /v1/requests", "rightsdesk_app", workers))
    return found


def run(backend: str, *, connections: int, seconds: float, warmup: float) -> Results:
    results = Results(backend, connections, seconds)
    print(f"intake on {backend}: {connections} connections, {seconds:g} s per case", flush=True)
    for case in cases():
        with tempfile.TemporaryDirectory(prefix="rdb-intake-") as folder:
            env = prepare(backend, Path(folder))
            with serving(case, env) as url:
                warm = loadgen.drive(
                    url + case.path,
                    seconds=warmup,
                    connections=connections,
                    prefix="warm",
                    method=case.method,
                )
                load = loadgen.drive(
                    url + case.path,
                    seconds=seconds,
                    connections=connections,
                    prefix="run",
                    method=case.method,
                )
            stored = None if case.method == "GET" else count(backend, Path(folder), case)
        answered = warm.ok + load.ok
        # wrk stops with up to `connections` requests in flight, which the server still stores
        if stored is not None and not answered <= stored <= answered + 2 * connections:
            raise RuntimeError(f"{case.label}: {answered} answered 201, {stored} stored")
        results.rows.append(Row(case, load, stored))
        print(
            f"  {case.label}, {case.workers} worker(s): {load.rate:,.0f}/s, p50 {load.p50:.1f} ms,"
            f" p99 {load.p99:.1f} ms, errors {load.errors}",
            flush=True,
        )
    return results


def prepare(backend: str, folder: Path) -> dict[str, str]:
    """A fresh store, migrated and keyed once here, so that two workers never race to do it."""
    url = None
    if backend == "postgres":
        url = data.POSTGRES_ADMIN.replace("/test", f"/{POSTGRES_DB}")
        admin = create_engine(data.POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)"))
                conn.execute(text(f"CREATE DATABASE {POSTGRES_DB}"))
        finally:
            admin.dispose()
    env = {
        "RIGHTSDESK_STATE_DIR": str(folder / "state"),
        "RIGHTSDESK_MAIL_URL": (folder / "outbox").as_uri(),
        "RIGHTSDESK_SECRET_KEY": "bench-intake-secret-key-0123456789abcdef",
        **({"RIGHTSDESK_DATABASE_URL": url} if url else {}),
    }
    settings = Settings(
        state_dir=folder / "state",
        mail_url=env["RIGHTSDESK_MAIL_URL"],
        secret_key=env["RIGHTSDESK_SECRET_KEY"],
        database_url=url,
    )
    services = wiring.build(settings)
    try:
        with services.store.engine.begin() as conn:
            conn.execute(text(FLOOR_TABLE))
    finally:
        wiring.close(services)
    return env


def count(backend: str, folder: Path, case: Case) -> int:
    """Rows the run stored (warm-up included): each 201 must be one distinct request."""
    url = (
        data.POSTGRES_ADMIN.replace("/test", f"/{POSTGRES_DB}")
        if backend == "postgres"
        else f"sqlite:///{folder / 'state' / 'rightsdesk.db'}"
    )
    table = "floor_requests" if case.factory == "floor_app" else "requests"
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    finally:
        engine.dispose()


@contextmanager
def serving(case: Case, env: dict[str, str]) -> Iterator[str]:
    """uvicorn (uvloop, httptools) serving ``case.factory``; stopped and reaped on exit."""
    port = _free_port()
    command = [
        *(sys.executable, "-m", "uvicorn", "--factory", f"bench.intake:{case.factory}"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(case.workers)),
        *("--no-access-log", "--log-level", "warning"),
    ]
    environ = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
    server = subprocess.Popen(command, cwd=ROOT, env=environ)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_ready(url: str, server: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"uvicorn exited with {server.returncode} before serving")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"uvicorn did not answer {url}/healthz within {timeout:g} s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def record(results: Results) -> None:
    """Rewrite this backend's intake table in docs/benchmarks.md (between its markers)."""
    name = f"intake-{results.backend}"
    start, end = report.START.format(backend=name), report.END.format(backend=name)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        start,
        f"### intake on {results.backend} (measured {stamp})",
        "",
        f"Machine: {report.machine()}. wrk: 1 thread, {results.connections} connections, "
        f"{results.seconds:g} s measured after a warm-up.",
        "",
        "| server | workers | 2xx/s | p50 | p95 | p99 | errors | rows stored | vs floor | target |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *[_line(results, row) for row in results.rows],
        end,
    ]
    text_ = report.DOC.read_text(encoding="utf-8")
    if start in text_:
        before, rest = text_.split(start, 1)
        text_ = before + "\n".join(lines) + rest.split(end, 1)[1]
    else:
        text_ = text_.rstrip() + "\n\n" + "\n".join(lines) + "\n"
    report.DOC.write_text(text_, encoding="utf-8")
    print(f"recorded in {report.DOC}")


def _line(results: Results, row: Row) -> str:
    load, case = row.load, row.case
    floor = results.floor(case.workers)
    share = "-"
    if case.factory == "rightsdesk_app" and case.method == "POST" and floor is not None:
        share = f"{load.rate / floor.rate:.0%} of floor"
    target = "-"
    if case.factory == "rightsdesk_app" and case.method == "POST" and results.backend == "postgres":
        met = load.rate >= TARGET_RATE and load.p99 < TARGET_P99_MS
        target = (
            f"{'met' if met else 'missed'} (>= {TARGET_RATE:.0f}/s, p99 < {TARGET_P99_MS:.0f} ms)"
        )
    cells = [
        case.label,
        str(case.workers),
        f"{load.rate:,.0f}",
        f"{load.p50:.1f} ms",
        f"{load.p95:.1f} ms",
        f"{load.p99:.1f} ms",
        str(load.errors),
        "-" if row.stored is None else f"{row.stored:,}",
        share,
        target,
    ]
    return f"| {' | '.join(cells)} |"

"""Issue 5's scale-out benchmark: ``python -m bench.scale [--people N] [--requests N] ...``.

Erasure requests end to end: operator-verified tickets submitted and approved through the HTTP
API (``rightsdesk serve``), run by the in-process job backend or by 1 or 2 ``rightsdesk worker``
processes (Celery on Redis), against the PostgreSQL demo platform; rightsdesk's own store is a
fresh PostgreSQL database per run, and every run erases a fresh copy of the platform. For each
configuration: end to end (intake and workers at once), intake alone and the worker stage alone
(a full queue drained; Celery only), with the CPU each process used; then the raw-SQL floor
(``bench/floor.py``) and the engine alone erasing the same people in batches of 100.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import psycopg
import redis

from bench import data, floor, report, scenarios
from bench.cpu import Cpu, CpuSampler
from bench.processes import (
    BROKER,
    STEP_UP_MINUTES,
    Processes,
    Progress,
    Run,
    admin,
    database_name,
    dsn,
    prepared,
)
from rightsdesk.domain.subjects import Subject

BATCH = 100  # RIGHTSDESK_BATCH_SIZE's default: deletions a worker erases in one run
TARGET_RATE, TARGET_SCALING = 500.0, 1.6
OLD_HEADING = "## Scale-out, a first look"
HEADING = "## Scale-out (`python -m bench.scale`, issue 5)"


@dataclass(frozen=True)
class Config:
    key: str
    label: str
    workers: int  # worker processes; 0: the API server runs the jobs itself

    @property
    def backend(self) -> str:
        return "celery" if self.workers else "inprocess"


CONFIGS = {
    c.key: c
    for c in (
        Config("inprocess", "in-process (API server runs the jobs, 2 threads)", 0),
        Config("celery1", "Celery, 1 worker process (2 threads)", 1),
        Config("celery2", "Celery, 2 worker processes (2 threads each)", 2),
    )
}


@dataclass(frozen=True)
class Load:
    clients: int  # concurrent API connections
    api_processes: int  # API server processes (1: `rightsdesk serve`; more: uvicorn --workers)
    per_call: int = 1  # tickets per call: 1 submits and approves each; more use the batch call

    @property
    def intake(self) -> str:
        if self.per_call == 1:
            return "one ticket per call (submit, then approve: 2 calls per request)"
        return f"{self.per_call} tickets per call (`POST /v1/admin/requests/batch`, approve: true)"

    @property
    def key(self) -> str:
        """Each intake mode keeps its own results block in the benchmarks page."""
        return "scale" if self.per_call == 1 else f"scale-{self.per_call}-per-call"


@dataclass
class Outcome:
    config: Config
    end_to_end: float | None = None  # completed erasures/s, intake and workers at once
    intake_during: float | None = None  # approved requests/s while the workers ran
    intake_alone: float | None = None  # approved requests/s with no worker running
    drain: float | None = None  # completed erasures/s of a full queue
    cpu: Cpu | None = None  # over the worker stage (the whole end-to-end run in-process)
    messages: int | None = None  # broker messages waiting after intake alone
    intake_cpu: Cpu | None = None  # over intake alone
    notes: list[str] = field(default_factory=list)


# -- services and intake ----------------------------------------------------------------------


def check_services(configs: Sequence[Config]) -> None:
    """Fail early, with a clear message, when PostgreSQL or Redis is not there."""
    try:
        with psycopg.connect(dsn(data.POSTGRES_ADMIN), connect_timeout=3):
            pass
    except psycopg.Error as exc:
        raise SystemExit(f"PostgreSQL at {data.POSTGRES_ADMIN} is not reachable: {exc}") from exc
    if any(c.workers for c in configs):
        try:
            redis.Redis.from_url(BROKER, socket_connect_timeout=3).ping()
        except redis.RedisError as exc:
            raise SystemExit(f"Redis at {BROKER} is not reachable: {exc}") from exc


async def _intake(url: str, key: str, emails: Sequence[str], load: Load) -> float:
    """Submit and approve one ticket per person over ``load.clients`` connections, one ticket
    or ``load.per_call`` tickets per call; the seconds from the first POST to the last
    approval."""
    size = load.per_call
    pending = iter(enumerate([emails[i : i + size] for i in range(0, len(emails), size)]))
    errors: Counter[str] = Counter()
    samples: dict[str, str] = {}
    headers = {"X-API-Key": key}
    limits = httpx.Limits(max_connections=load.clients, max_keepalive_connections=load.clients)

    def failed(what: str, response: httpx.Response) -> None:
        errors[f"{what} {response.status_code}"] += 1
        samples.setdefault(f"{what} {response.status_code}", response.text[:300])

    async def client(http: httpx.AsyncClient) -> None:
        for number, chunk in pending:
            tickets = [_ticket(email, number * size + n) for n, email in enumerate(chunk)]
            if size > 1:
                body = {"requests": tickets, "approve": True}
                made = await http.post("/v1/admin/requests/batch", json=body, headers=headers)
                if made.status_code != 201:
                    failed("batch", made)
                continue
            made = await http.post("/v1/admin/requests", json=tickets[0], headers=headers)
            if made.status_code != 201:
                failed("submit", made)
                continue
            approved = await http.post(
                f"/v1/admin/requests/{made.json()['id']}/approve", json={}, headers=headers
            )
            if approved.status_code != 200:
                failed("approve", approved)

    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=300) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(load.clients)))
        took = time.perf_counter() - started
    if errors:
        raise SystemExit(f"intake answered errors {dict(errors)}; e.g. {samples}")
    return took


def _ticket(email: str, number: int) -> dict[str, object]:
    return {
        "type": "delete",
        "identities": [{"kind": "email", "value": email}],
        "evidence": f"bench ticket {number}",
    }


# -- the runs ---------------------------------------------------------------------------------


def end_to_end(run: Run, config: Config, emails: Sequence[str], load: Load, out: Outcome) -> None:
    """Intake with the workers already running; the clock stops at the last completion."""
    with Processes(run, load.api_processes) as procs:
        procs.serve()
        if config.workers:
            procs.start_workers(config.workers)
        progress = Progress(run.store, len(emails))
        sampler = CpuSampler(procs.pids(), run.databases, {os.getpid()})
        sampler.client.add(progress.backend_pid)
        progress.start()
        sampler.begin()
        started = time.perf_counter()
        try:
            took = asyncio.run(_intake(procs.url, run.key, emails, load))
            print(f"    intake done in {took:.1f} s ({len(emails) / took:,.0f}/s)", flush=True)
            progress.wait("end to end", procs)
        finally:
            progress.stop.set()
        cpu = sampler.end()
    out.intake_during = len(emails) / took
    out.end_to_end = len(emails) / (progress.done_at - started)
    if not config.workers:
        out.cpu = cpu
    print(
        f"  end to end: {out.end_to_end:,.1f} erasures/s (intake meanwhile "
        f"{out.intake_during:,.0f}/s); CPU {cpu.summary()}",
        flush=True,
    )


def drain(run: Run, config: Config, emails: Sequence[str], load: Load, out: Outcome) -> None:
    """Intake with no worker running (the jobs wait in the broker), then the workers drain it."""
    broker = redis.Redis.from_url(BROKER)
    with Processes(run, load.api_processes) as procs:
        procs.serve()
        sampler = CpuSampler(procs.pids(), run.databases, {os.getpid()})
        sampler.begin()
        took = asyncio.run(_intake(procs.url, run.key, emails, load))
        out.intake_cpu = sampler.end()
        out.intake_alone = len(emails) / took
        out.messages = int(broker.llen("rightsdesk"))
        print(
            f"  intake alone: {out.intake_alone:,.0f} requests/s ({took:.1f} s); "
            f"{out.messages:,} messages waiting; CPU {out.intake_cpu.summary()}",
            flush=True,
        )
        progress = Progress(run.store, len(emails))
        progress.start()
        try:
            procs.start_workers(config.workers)
            if not progress.started.wait(120):
                raise SystemExit(f"no job started within 120 s; log: {procs.tail()}")
            sampler = CpuSampler(procs.pids(), run.databases, {os.getpid()})
            sampler.client.add(progress.backend_pid)
            sampler.begin()
            progress.wait("worker stage", procs)
            out.cpu = sampler.end()
        finally:
            progress.stop.set()
    out.drain = len(emails) / (progress.done_at - progress.started_at)
    print(f"  worker stage: {out.drain:,.1f} erasures/s; CPU {out.cpu.summary()}", flush=True)


def measure(
    found: Mapping[str, str], config: Config, emails: Sequence[str], load: Load, tmp: Path
) -> Outcome:
    out = Outcome(config)
    print(f"{config.label}:", flush=True)
    if config.workers:
        redis.Redis.from_url(BROKER).flushdb()
        with prepared(found, config.backend, f"{config.key}_drain", tmp) as run:
            drain(run, config, emails, load, out)
    else:
        out.notes.append("worker stage not separable: the API server runs the jobs")
    redis.Redis.from_url(BROKER).flushdb()
    with prepared(found, config.backend, f"{config.key}_e2e", tmp) as run:
        end_to_end(run, config, emails, load, out)
    return out


def bare(found: Mapping[str, str], emails: Sequence[str], tmp: Path) -> tuple[float, float]:
    """(floor, engine) erasures/s of the same people in batches of ``BATCH``, each on its own
    fresh copy; the floor replays the changes the engine computes first (untimed)."""
    people = scenarios.subjects(dict(enumerate(emails)), list(range(len(emails))))
    batches = [people[i : i + BATCH] for i in range(0, len(people), BATCH)]
    rates = []
    for label in ("floor", "engine"):
        copy = data.scratch(found, f"scale_{label}")
        try:
            spent = _erase(scenarios.Pair(copy, tmp / f"checkpoints-{label}"), batches, label)
        finally:
            admin(
                [f"DROP DATABASE IF EXISTS {database_name(u)} WITH (FORCE)" for u in copy.values()]
            )
        rates.append(len(emails) / spent)
        print(f"{label}, batches of {BATCH}: {rates[-1]:,.0f} erasures/s ({spent:.1f} s)")
    return rates[0], rates[1]


def _erase(pair: scenarios.Pair, batches: Sequence[list[Subject]], label: str) -> float:
    """Seconds spent erasing ``batches`` one after the other (the floor's dry runs untimed)."""
    spent = 0.0
    try:
        for batch in batches:
            if label == "engine":
                started = time.perf_counter()
                pair.engine.erase(batch)
            else:
                changes = pair.engine.erase(batch, dry_run=True).changes
                wanted = [{"email": p.identities[0].value} for p in batch]
                started = time.perf_counter()
                floor.access(pair.plan, pair.raws, wanted)
                floor.apply(pair.raws, changes)
            spent += time.perf_counter() - started
    finally:
        pair.close()
    return spent


# -- the report -------------------------------------------------------------------------------


def lines(
    outcomes: Sequence[Outcome],
    bare_rates: tuple[float, float] | None,
    people: int,
    requests: int,
    load: Load,
    minutes: float,
) -> list[str]:
    one = next((o for o in outcomes if o.config.key == "celery1"), None)
    two = next((o for o in outcomes if o.config.key == "celery2"), None)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    rows = [_row(o, one) for o in outcomes]
    if bare_rates is not None:
        rows.extend(_bare_rows(bare_rates))
    return [
        report.START.format(backend=load.key),
        f"### {requests:,} erasure requests, {people:,} people, intake {load.intake} "
        f"(measured {stamp})",
        "",
        f"Machine: {report.machine()}. {load.clients} client connections, "
        f"{load.api_processes} API server process(es); whole run {minutes:.0f} min.",
        "",
        "| configuration | intake/s (alone / during end to end) | worker stage erasures/s | "
        "end-to-end erasures/s | vs 1 worker | CPU split over the worker stage (cores) |",
        "|---|---|---|---|---|---|",
        *rows,
        "",
        *_targets(outcomes, one, two),
        *[f"- {o.config.label}: {n}" for o in outcomes for n in o.notes],
        *[
            f"- {o.config.label}, CPU over intake alone: {o.intake_cpu.summary()}."
            for o in outcomes
            if o.intake_cpu is not None
        ],
        report.END.format(backend=load.key),
    ]


def _row(o: Outcome, one: Outcome | None) -> str:
    """One configuration's table row; ``one`` is the 1-worker outcome the scaling compares to."""
    versus = "-"
    if o.config.workers and one is not None and one.drain and o.drain:
        versus = f"{o.drain / one.drain:.2f}x (stage), "
        versus += f"{(o.end_to_end or 0) / (one.end_to_end or 1):.2f}x (end to end)"
    intake = " / ".join(
        "-" if v is None else f"{v:,.0f}" for v in (o.intake_alone, o.intake_during)
    )
    cpu = "-" if o.cpu is None else f"{o.cpu.summary()}; bottleneck: {o.cpu.bottleneck}"
    stage = "-" if o.drain is None else f"{o.drain:,.1f}"
    return (
        f"| {o.config.label} | {intake} | {stage} | {o.end_to_end or 0:,.1f} | {versus} | {cpu} |"
    )


def _bare_rows(bare_rates: tuple[float, float]) -> list[str]:
    return [
        f"| raw-SQL floor (bare psycopg, batches of {BATCH}, no service) | - | {bare_rates[0]:,.0f} | - | - | - |",
        f"| engine alone (`Engine.erase`, batches of {BATCH}, no service) | - | {bare_rates[1]:,.0f} | - | - | - |",
    ]


def _targets(outcomes: Sequence[Outcome], one: Outcome | None, two: Outcome | None) -> list[str]:
    """Issue 5's two targets, each met or missed."""
    best = max((o.end_to_end or 0 for o in outcomes), default=0.0)
    target = [
        f"- End to end >= {TARGET_RATE:.0f} completed erasures/s: "
        f"{'met' if best >= TARGET_RATE else 'missed'} (best {best:,.1f}/s)."
    ]
    if one is not None and two is not None and one.drain and two.drain and two.cpu:
        ratio = two.drain / one.drain
        verdict = "met" if ratio >= TARGET_SCALING else "missed"
        target.append(
            f"- 2 worker processes >= {TARGET_SCALING}x one (worker stage): {verdict} "
            f"({ratio:.2f}x); with 2 workers the {two.cpu.bottleneck} used the most CPU "
            f"(machine {two.cpu.busy:.0%} busy)."
        )
    return target


DESCRIPTION = f"""{HEADING}

Run it with `python -m bench.scale` (`--people`, default 1,000,000; `--requests`, default
10,000; `--configs inprocess,celery1,celery2`; `--clients`; `--api-processes`;
`--tickets-per-call`; `--no-floor`; `--no-record` prints only). It needs PostgreSQL and Redis
on loopback.

- **Data**: the demo platform with `--people` subjects in PostgreSQL (`bench/data.py`, built
  once), copied fresh (`CREATE DATABASE ... TEMPLATE`) for every run, because erasure destroys
  data; rightsdesk's store is a fresh PostgreSQL database per run. The same `--requests`
  people, drawn at random, are erased in every run.
- **Intake**: the real API (`rightsdesk serve`, one process, `RIGHTSDESK_API_THREADS` 2; or
  `--api-processes` uvicorn processes of the `rightsdesk.api.server:create` factory); an
  async httpx client with `--clients` connections submits one operator-verified ticket per
  person (`POST /v1/admin/requests`, type delete, with evidence) and approves it
  (`POST /v1/admin/requests/{{id}}/approve`): two calls per request; deletions need an
  operator's approval by the default policy. With `--tickets-per-call N` it sends N tickets
  per `POST /v1/admin/requests/batch` with `approve: true` instead (a help desk's backlog);
  each mode keeps its own results block below. Mail goes to a `file://` outbox.
- **Configurations**: the in-process backend (the API server runs the jobs on 2 threads);
  Celery on Redis (`{BROKER}`, flushed before each run) with 1 and with 2
  `rightsdesk worker --concurrency 2` processes. Deletions are batched
  (`RIGHTSDESK_BATCH_SIZE` {BATCH}). `RIGHTSDESK_STEP_UP_MINUTES` is {STEP_UP_MINUTES}: with the
  default 15, an approved deletion that waits longer in the queue asks the person for a new code.
- **End to end**: workers running, then from the first POST until every request is
  `completed` (the harness polls the store). **Intake alone**: the same intake with no worker
  running (the jobs wait in the broker). **Worker stage**: then the workers start and drain
  that full queue, from the first job started to the last completed (Celery only; in-process
  the server that takes requests also runs them).
- **CPU split**: CPU seconds per process from `/proc` over the worker stage (over the whole
  end-to-end run for in-process), in cores: the worker processes, the API server, PostgreSQL
  (the backends on this run's databases plus the server's own processes), the harness (client,
  poller), and the machine's busy share (every process, whoever runs it). "Bottleneck" names
  whichever of the workers, the API server and PostgreSQL used the most CPU.
- **Floor**: the same people erased on a fresh copy by `bench/floor.py` (bare psycopg, the
  engine's statements, changes computed beforehand untimed) in batches of {BATCH}, as the
  workers batch them: the ceiling for the data-store part. "Engine alone" is `Engine.erase` on
  batches of {BATCH} on another copy, without the service (no requests, audit, receipts).
"""


def record(section: list[str]) -> None:
    """Put this run's block (its first and last lines are its markers) under the benchmark's
    heading: the first time, the description replaces the first look; a new intake mode's
    block goes after the blocks already there."""
    start, end = section[0], section[-1]
    doc = report.DOC.read_text(encoding="utf-8")
    if start not in doc:
        if HEADING in doc:
            before, _, rest = doc.partition(HEADING)
            cut = rest.find("\n## ")
            cut = len(rest) if cut < 0 else cut
            doc = f"{before}{HEADING}{rest[:cut].rstrip()}\n\n{start}\n{end}\n{rest[cut:]}"
        else:
            before, found, rest = doc.partition(OLD_HEADING)
            after = rest[rest.find("\n## ") :] if found and "\n## " in rest else ""
            block = f"{DESCRIPTION}\n{start}\n{end}\n"
            doc = (before.rstrip() + "\n\n" + block + after).rstrip() + "\n"
        report.DOC.write_text(doc, encoding="utf-8")
    report.replace_section(start, end, section)


# -- the command ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    # a plain kill stops the run as Ctrl-C does: servers, workers and databases cleaned up
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    parser = _parser()
    args = parser.parse_args(argv)
    wanted = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = sorted(set(wanted) - set(CONFIGS))
    if unknown:
        parser.error(f"unknown configuration(s) {', '.join(unknown)}; use {', '.join(CONFIGS)}")
    if args.requests > args.people:
        parser.error("--requests cannot exceed --people (one request per person)")
    configs = [CONFIGS[k] for k in wanted]
    check_services(configs)
    began = time.perf_counter()
    print(f"scale-out: {args.requests:,} requests, {args.people:,} people", flush=True)
    found = data.urls("postgres", args.people)
    ids = random.Random(5).sample(range(1, args.people + 1), args.requests)
    emails = list(data.people(found, ids).values())
    load = Load(args.clients, args.api_processes, args.tickets_per_call)
    with tempfile.TemporaryDirectory(prefix="rdb-scale-") as folder:
        outcomes = [measure(found, c, emails, load, Path(folder)) for c in configs]
        bare_rates = None if args.no_floor else bare(found, emails, Path(folder))
    minutes = (time.perf_counter() - began) / 60
    section = lines(outcomes, bare_rates, args.people, args.requests, load, minutes)
    print("\n".join(section[1:-1]))
    if not args.no_record:
        record(section)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8, help="concurrent API connections")
    parser.add_argument(
        "--configs",
        default=",".join(CONFIGS),
        help=f"comma-separated subset of {', '.join(CONFIGS)} (default: all)",
    )
    parser.add_argument(
        "--api-processes",
        type=int,
        default=1,
        help="API server processes: 1 runs `rightsdesk serve`, more run uvicorn --workers N "
        "with the rightsdesk.api.server:create factory",
    )
    parser.add_argument(
        "--tickets-per-call",
        type=int,
        default=1,
        help="1: submit and approve each ticket (2 calls); N: N tickets per batch call, "
        "approved in the same call (each mode records its own results block)",
    )
    parser.add_argument("--no-floor", action="store_true", help="skip the floor and engine rows")
    parser.add_argument("--no-record", action="store_true", help="print only")
    return parser


if __name__ == "__main__":
    main()

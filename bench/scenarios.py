"""The measured scenarios (a)-(e), each against its floor in the same run."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bench import data, floor
from bench.measure import Timing, clock, interleaved
from rightsdesk.connectors.base import Change, Connector, Row
from rightsdesk.connectors.sql import SqlConnector
from rightsdesk.datamap import DataMap, loads
from rightsdesk.demo import platform
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.checkpoint import FileCheckpoints
from rightsdesk.engine.plan import Step
from rightsdesk.engine.runner import Engine
from rightsdesk.engine.traversal import Owners
from rightsdesk.masking.base import MaskingKey


@dataclass
class Results:
    backend: str
    subjects: int
    lines: list[tuple[str, str, str, str, str]] = field(
        default_factory=list
    )  # figure, ours, floor, ratio, target

    def add(self, figure: str, ours: str, base: str, ratio: str, target: str) -> None:
        self.lines.append((figure, ours, base, ratio, target))
        print(f"  {figure}: ours {ours} | floor {base} | {ratio} | target {target}", flush=True)


class Counting:
    def __init__(self) -> None:
        self.count = 0

    def rows(self, step: Step, rows: Sequence[Row], owners: Sequence[Owners]) -> None:
        self.count += len(rows)


def datamap_for(urls: Mapping[str, str]) -> DataMap:
    env = {
        "RIGHTSDESK_DEMO_PLATFORM_URL": urls["platform"],
        "RIGHTSDESK_DEMO_BILLING_URL": urls["billing"],
    }
    return loads(
        platform.DATAMAP.read_text(encoding="utf-8"), source=str(platform.DATAMAP), env=env
    )


class Pair:
    """The engine and the floor opened on the same databases."""

    def __init__(self, urls: Mapping[str, str], state: Path) -> None:
        self.datamap = datamap_for(urls)
        self.connectors: dict[str, Connector] = {
            s.name: SqlConnector(s.name, s.url) for s in self.datamap.systems
        }
        self.engine = Engine(
            self.datamap,
            self.connectors,
            key=MaskingKey(b"bench"),
            checkpoints=FileCheckpoints(state),
            today=date.today,
        )
        self.raws = {s.name: floor.Raw(s.url) for s in self.datamap.systems}
        self.plan = self.engine.plan(frozenset({"email"}))

    def close(self) -> None:
        for connector in self.connectors.values():
            connector.close()
        for raw in self.raws.values():
            raw.close()


def subjects(emails: Mapping[int, str], ids: Sequence[int]) -> list[Subject]:
    return [Subject(str(i), (Identity("email", emails[i]),)) for i in ids]


def access_latency(results: Results, urls: Mapping[str, str], ids: list[int], label: str) -> Timing:
    emails = data.people(urls, ids)
    with tempfile.TemporaryDirectory() as state:
        pair = Pair(urls, Path(state))
        try:
            people = subjects(emails, ids)
            check_same_rows(pair, people[0])
            for person in people[:5]:  # warm caches and prepared statements on both sides
                pair.engine.access([person], Counting())
                floor.access(pair.plan, pair.raws, [{"email": person.identities[0].value}])
            ours, base = interleaved(
                len(people),
                lambda n: pair.engine.access([people[n]], Counting()),
                lambda n: floor.access(
                    pair.plan, pair.raws, [{"email": people[n].identities[0].value}]
                ),
            )
        finally:
            pair.close()
    results.add(
        f"(a) access, one person, {label}",
        ours.ms(),
        base.ms(),
        f"{ours.median / base.median:.2f}x floor",
        "<= 2x",
    )
    return ours


def check_same_rows(pair: Pair, person: Subject) -> None:
    sink = Counting()
    stats = pair.engine.access([person], sink)
    rows, queries = floor.access(pair.plan, pair.raws, [{"email": person.identities[0].value}])
    if (sink.count, stats.queries) != (rows, queries):
        raise SystemExit(
            f"engine and floor disagree: rows {sink.count} vs {rows}, lookups {stats.queries} vs {queries}"
        )


def erasure(
    results: Results, urls: Mapping[str, str], population: int, batch: int, samples: int
) -> None:
    rng = random.Random(11)
    ids = rng.sample(range(2, population + 1), 2 * samples + 2 * batch)
    single_a, single_b = ids[:samples], ids[samples : 2 * samples]
    batch_a, batch_b = ids[2 * samples : 2 * samples + batch], ids[2 * samples + batch :]
    emails = data.people(urls, ids)
    copy = data.scratch(urls, "erase")
    with tempfile.TemporaryDirectory() as state:
        pair = Pair(copy, Path(state))
        try:
            changes = {i: _dry(pair, subjects(emails, [i])) for i in single_b}
            ours, base = interleaved(
                samples,
                lambda n: pair.engine.erase(subjects(emails, [single_a[n]])),
                lambda n: _floor_erase(pair, emails[single_b[n]], changes[single_b[n]]),
            )
            results.add(
                "(b) erasure, one person",
                ours.ms(),
                base.ms(),
                f"{ours.median / base.median:.2f}x floor",
                "-",
            )
            batch_changes = _dry(pair, subjects(emails, batch_b))
            people_a = subjects(emails, batch_a)
            ours_batch = clock(lambda: pair.engine.erase(people_a))
            base_batch = clock(
                lambda: _floor_erase_many(pair, [emails[i] for i in batch_b], batch_changes)
            )
        finally:
            pair.close()
    results.add(
        f"(c) batch erasure, {batch:,} people",
        f"{ours_batch:.2f} s",
        f"{base_batch:.2f} s",
        f"{ours_batch / base_batch:.2f}x floor",
        "<= 1.3x",
    )
    per_subject = ours_batch / batch
    results.add(
        "(c) per person: batch vs one at a time",
        f"{per_subject * 1000:.3f} ms",
        f"{ours.median * 1000:.2f} ms",
        f"{ours.median / per_subject:.0f}x faster",
        ">= 100x",
    )
    floor_per_subject = base_batch / batch
    results.add(
        "(c) the same for the floor itself (batch vs one at a time)",
        f"{floor_per_subject * 1000:.3f} ms",
        f"{base.median * 1000:.2f} ms",
        f"{base.median / floor_per_subject:.0f}x faster",
        "(reference)",
    )


def _dry(pair: Pair, people: list[Subject]) -> dict[str, list[Change]]:
    """The changes a real run would apply, computed untimed for the floor to replay."""
    return pair.engine.erase(people, dry_run=True).changes


def _floor_erase(pair: Pair, email: str, changes: Any) -> None:
    floor.access(pair.plan, pair.raws, [{"email": email}])
    floor.apply(pair.raws, changes)


def _floor_erase_many(pair: Pair, emails: list[str], changes: Any) -> None:
    floor.access(pair.plan, pair.raws, [{"email": e} for e in emails])
    floor.apply(pair.raws, changes)


def memory(results: Results, backend: str, heavy: int) -> None:
    urls = data.urls(backend, 1000, heavy)
    email = data.people(urls, [1])[1]
    env = {
        **os.environ,
        "RIGHTSDESK_DEMO_PLATFORM_URL": urls["platform"],
        "RIGHTSDESK_DEMO_BILLING_URL": urls["billing"],
    }
    with tempfile.TemporaryDirectory() as out:
        ours = _peak_rss(
            [
                sys.executable,
                "-m",
                "rightsdesk",
                "access",
                "--datamap",
                str(platform.DATAMAP),
                "--identity",
                f"email={email}",
                "--out",
                out,
            ],
            env,
            out,
        )
        with (Path(out) / "platform.login_events.csv").open(encoding="utf-8") as handle:
            rows = sum(1 for _ in handle) - 1
        base = _peak_rss([sys.executable, "-c", _RAW_EXPORT, urls["platform"], out], env, out)
    results.add(
        f"(e) peak RSS, export of one person with {rows:,} rows",
        f"{ours:.0f} MB",
        f"{base:.0f} MB",
        f"{ours / base:.1f}x floor",
        "< 300 MB",
    )


_RAW_EXPORT = """
import csv, sys
from sqlalchemy.engine import make_url
url = make_url(sys.argv[1])
if url.get_backend_name() == "postgresql":
    import psycopg
    conn = psycopg.connect(host=url.host, port=url.port, user=url.username, dbname=url.database)
    cursor = conn.cursor(name="export")
else:
    import sqlite3
    conn = sqlite3.connect(url.database)
    cursor = conn.cursor()
cursor.execute("SELECT id, account_id, ip, user_agent, at FROM login_events WHERE account_id = 1")
with open(sys.argv[2] + "/raw.csv", "w", newline="") as handle:
    writer = csv.writer(handle)
    while rows := cursor.fetchmany(5000):
        writer.writerows(rows)
"""


_PEAK = """
import atexit, runpy, sys
peak_file = sys.argv[1]
def report():
    status = open("/proc/self/status").read().split("VmHWM:")[1].split()[0]
    open(peak_file, "w").write(status)
atexit.register(report)
target, sys.argv = sys.argv[2], sys.argv[2:]
if target == "-c":
    code, sys.argv = sys.argv[1], ["-c", *sys.argv[2:]]
    exec(compile(code, "<raw>", "exec"), {"__name__": "__main__"})
else:
    runpy.run_module(target, run_name="__main__", alter_sys=True)
"""


def _peak_rss(command: list[str], env: dict[str, str], cwd: str) -> float:
    """Peak RSS in MB of the command (VmHWM of its own address space, read as it exits)."""
    peak = Path(cwd) / "peak.txt"
    target = command[2] if command[1] == "-m" else "-c"
    rest = command[3:] if command[1] == "-m" else command[2:]
    argv = [command[0], "-c", _PEAK, str(peak), target, *rest]
    completed = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed with {completed.returncode}")
    return int(peak.read_text()) / 1024

"""``python -m bench discovery``: the personal-data scanner's throughput and peak memory.

(a) ``classify_column`` over every text column of the demo platform, in values classified per
second, against the same values merely streamed (``len(v.strip())``) and against one compiled
regex over them; (b) ``residue.scan`` in rows scanned per second for 1 and 1,000 people's
needles, against a plain SELECT of the same columns streamed and discarded. Peak RSS (VmHWM)
is read in a fresh child process per figure, so each number is that work's own.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import data, report
from bench.measure import Timing, clock
from rightsdesk.connectors.base import Discoverable
from rightsdesk.discovery import DETECTORS, classify_column
from rightsdesk.discovery.residue import scan
from rightsdesk.discovery.sample import classify_all, open_store, stream_columns

SUBJECTS = 10_000
SAMPLES = (1_000, 10_000)
BATCHES = (1, 1_000)
#: Needle values shorter than this are not searched for (as rightsdesk.engine.needles does).
MIN_NEEDLE = 5
#: The "one compiled regex" reference: an e-mail-like search over each value.
ONE_REGEX = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
ROOT = Path(__file__).resolve().parent.parent

Columns = dict[tuple[str, str, str], list[str | None]]


@dataclass
class Found:
    backend: str
    subjects: int
    lines: list[tuple[str, ...]] = field(default_factory=list)
    detectors: list[tuple[str, ...]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *row: str) -> None:
        self.lines.append(row)
        print("  " + " | ".join(row), flush=True)


def run(backend: str, subjects: int = SUBJECTS, repeats: int = 3) -> Found:
    print(f"discovery on {backend}: {subjects:,} people", flush=True)
    urls = data.urls(backend, subjects)
    found = Found(backend, subjects)
    columns = _load(urls, max(SAMPLES))
    found.notes.append(
        f"{len(columns)} text columns in {len(urls)} databases; "
        f"{sum(map(len, columns.values())):,} values loaded for the largest sample"
    )
    for sample in SAMPLES:
        _classification(found, columns, sample, repeats)
    _per_detector(found, columns, min(SAMPLES))
    _end_to_end(found, urls, max(SAMPLES))
    for batch in BATCHES:
        _residue(found, urls, batch, repeats)
    _memory(found, backend, subjects)
    return found


# (a) classification ----------------------------------------------------------------------------


def _load(urls: Mapping[str, str], rows: int) -> Columns:
    """Up to ``rows`` non-null values of every text column, as the scanner samples them."""
    columns: Columns = {}
    for system, url in urls.items():
        store = open_store(system, url)
        try:
            for table, column, values in stream_columns(store, store.describe(), rows=rows):
                columns[(system, table, column)] = list(values)
        finally:
            store.close()
    return columns


def _checked(values: list[str | None], sample: int) -> int:
    """How many values ``classify_column(sample=sample)`` looks at (non-empty, bounded)."""
    count = 0
    for position, raw in enumerate(values):
        if count >= sample or position >= sample * 10:
            break
        count += bool(raw and raw.strip())
    return count


def _classify(columns: Columns, sample: int, detectors: Any = DETECTORS) -> None:
    for (_, _, name), values in columns.items():
        classify_column(name, values[:sample], sample=sample, detectors=detectors)


def _stream(columns: Columns, sample: int) -> int:
    total = 0
    for values in columns.values():
        for raw in values[:sample]:
            value = raw.strip() if raw is not None else ""
            if value:
                total += len(value)
    return total


def _one_regex(columns: Columns, sample: int) -> int:
    hits = 0
    for values in columns.values():
        for raw in values[:sample]:
            value = raw.strip() if raw is not None else ""
            if value and ONE_REGEX.search(value):
                hits += 1
    return hits


def _rate(count: int, timing: Timing) -> str:
    return f"{count / timing.median:,.0f}/s ({_secs(timing.median)})"


def _secs(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _classification(found: Found, columns: Columns, sample: int, repeats: int) -> None:
    values = sum(_checked(v, sample) for v in columns.values())
    classify, stream, regex = [], [], []
    for _ in range(repeats):  # interleaved, so machine noise hits all three
        classify.append(clock(lambda: _classify(columns, sample)))
        stream.append(clock(lambda: _stream(columns, sample)))
        regex.append(clock(lambda: _one_regex(columns, sample)))
    c, s, r = Timing(classify), Timing(stream), Timing(regex)
    label = f"(a) classify_column, sample {sample:,} ({values:,} values)"
    found.add(label, _rate(values, c), _rate(values, s), f"{c.median / s.median:,.0f}x stream")
    found.add(
        f"(a) one compiled regex per value, sample {sample:,}",
        _rate(values, r),
        _rate(values, s),
        f"{r.median / s.median:.1f}x stream; classify = {c.median / r.median:.0f}x this",
    )


def _per_detector(found: Found, columns: Columns, sample: int) -> None:
    """Each detector alone over the same values: which ones cost the most."""
    values = sum(_checked(v, sample) for v in columns.values())
    base = min(clock(lambda: _classify(columns, sample, detectors=[])) for _ in range(3))
    costs = []
    for detector in DETECTORS:
        took = min(clock(lambda d=detector: _classify(columns, sample, [d])) for _ in range(2))
        costs.append((took - base, detector.name))
    total = sum(cost for cost, _ in costs)
    for cost, name in sorted(costs, reverse=True):
        found.detectors.append(
            (name, f"{cost / values * 1e6:.2f} µs", f"{cost / total * 100:.0f}%" if total else "-")
        )
    found.detectors.append(
        ("(no detector: loop and shape only)", f"{base / values * 1e6:.2f} µs", "-")
    )


def _end_to_end(found: Found, urls: Mapping[str, str], rows: int) -> None:
    """classify_all on open connections vs draining the same streamed samples."""

    def each(action: Callable[[Discoverable, Any], object]) -> None:
        for url in urls.values():
            store = open_store("bench", url)
            try:
                action(store, store.describe())
            finally:
                store.close()

    def classified(store: Discoverable, info: Any) -> None:
        classify_all(store, info, rows=rows)

    def drained(store: Discoverable, info: Any) -> None:
        for _, _, values in stream_columns(store, info, rows=rows):
            for _ in values:
                pass

    a, b = Timing([]), Timing([])
    for _ in range(2):
        a.samples.append(clock(lambda: each(classified)))
        b.samples.append(clock(lambda: each(drained)))
    found.add(
        f"(a) classify_all from the database, sample {rows:,} (schema + SELECTs included)",
        _secs(a.median),
        f"{_secs(b.median)} (same SELECTs drained)",
        f"{a.median / b.median:.1f}x",
    )


# (b) residue scan ------------------------------------------------------------------------------


def needles(urls: Mapping[str, str], batch: int, seed: int = 7) -> dict[str, set[str]]:
    """The identifying values of ``batch`` people: e-mail, phone, national id, long names."""
    engine = sa.create_engine(urls["platform"])
    try:
        with engine.connect() as conn:
            total = conn.execute(sa.text("SELECT max(id) FROM accounts")).scalar_one()
            ids = random.Random(seed).sample(range(1, total + 1), batch)
            found: dict[str, set[str]] = {str(i): set() for i in ids}
            inside = ",".join(map(str, ids))
            for query in (
                f"SELECT id, email, phone, display_name FROM accounts WHERE id IN ({inside})",
                "SELECT account_id, national_id, real_name FROM identity_verifications "
                f"WHERE account_id IN ({inside})",
            ):
                for key, *values in conn.execute(sa.text(query)):
                    found[str(key)] |= {v for v in values if v and len(v) >= MIN_NEEDLE}
            return found
    finally:
        engine.dispose()


def plain_select(url: str, chunk: int = 5000) -> int:
    """The baseline: every text column (and the key) of every table, streamed and discarded."""
    engine = sa.create_engine(url)
    rows = 0
    try:
        with engine.connect() as conn:
            metadata = sa.MetaData()
            metadata.reflect(conn, views=False, resolve_fks=False)
            for table in sorted(metadata.tables.values(), key=lambda t: t.name):
                text = [c for c in table.columns if isinstance(c.type, sa.String | sa.JSON)]
                if not text:
                    continue
                query = sa.select(*table.primary_key.columns, *text)
                result = conn.execution_options(yield_per=chunk).execute(query)
                for part in result.partitions():
                    rows += len(part)
    finally:
        engine.dispose()
    return rows


def _scan_all(urls: Mapping[str, str], wanted: Mapping[str, set[str]]) -> tuple[int, int]:
    rows = findings = 0
    for url in urls.values():
        result = scan(url, wanted)
        rows, findings = rows + result.rows_scanned, findings + len(result.findings)
    return rows, findings


def _residue(found: Found, urls: Mapping[str, str], batch: int, repeats: int) -> None:
    wanted = needles(urls, batch)
    count = sum(map(len, wanted.values()))
    scanned, selected = [], []
    rows = findings = plain = 0
    for _ in range(repeats):
        started = time.perf_counter()
        rows, findings = _scan_all(urls, wanted)
        scanned.append(time.perf_counter() - started)
        started = time.perf_counter()
        plain = sum(plain_select(url) for url in urls.values())
        selected.append(time.perf_counter() - started)
    if plain != rows:
        raise AssertionError(f"baseline read {plain:,} rows, the scan {rows:,}")
    s, b = Timing(scanned), Timing(selected)
    people = "person" if batch == 1 else "people"
    found.add(
        f"(b) residue.scan, {batch:,} {people} ({count:,} needles, {findings:,} cells found)",
        _rate(rows, s),
        _rate(rows, b),
        f"{s.median / b.median:.1f}x SELECT",
    )


# peak memory, one child process per figure -----------------------------------------------------


def child(mode: str, backend: str, subjects: int) -> None:
    """Run one figure's work alone and print the process's peak RSS in kB (VmHWM)."""
    urls = data.urls(backend, subjects)
    rows = max(SAMPLES)
    if mode in {"classify", "drain"}:
        for url in urls.values():
            store = open_store("bench", url)
            info = store.describe()
            if mode == "classify":
                classify_all(store, info, rows=rows)
            else:
                for _, _, values in stream_columns(store, info, rows=rows):
                    for _ in values:
                        pass
            store.close()
    elif mode == "scan":
        _scan_all(urls, needles(urls, max(BATCHES)))
    elif mode == "select":
        needles(urls, max(BATCHES))
        for url in urls.values():
            plain_select(url)
    status = Path("/proc/self/status").read_text()
    print(status.split("VmHWM:")[1].split()[0])


def _peak(mode: str, backend: str, subjects: int) -> float:
    command = [sys.executable, "-m", "bench.discovery", mode, backend, str(subjects)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return int(done.stdout.split()[-1]) / 1024


def _memory(found: Found, backend: str, subjects: int) -> None:
    idle = _peak("idle", backend, subjects)
    for mode, base, label in (
        ("classify", "drain", f"classify_all, sample {max(SAMPLES):,}"),
        ("scan", "select", f"residue.scan, {max(BATCHES):,} people"),
    ):
        mine, theirs = _peak(mode, backend, subjects), _peak(base, backend, subjects)
        found.add(
            f"(a/b) peak RSS, {label}",
            f"{mine:.0f} MB (+{mine - idle:.0f} MB)",
            f"{theirs:.0f} MB (+{theirs - idle:.0f} MB)",
            f"{mine / theirs:.2f}x",
        )
    found.notes.append(
        f"a child process that only imports and opens the data peaks at {idle:.0f} MB"
    )


# recording -------------------------------------------------------------------------------------


def record(found: Found) -> None:
    name = f"discovery-{found.backend}"
    start, end = f"<!-- results:{name}:start -->", f"<!-- results:{name}:end -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        start,
        f"### discovery on {found.backend}: {found.subjects:,} people (measured {stamp})",
        "",
        f"Machine: {report.machine()}. {'; '.join(found.notes)}.",
        "",
        "| figure | scanner | baseline | ratio |",
        "|---|---|---|---|",
        *[f"| {' | '.join(row)} |" for row in found.lines],
        "",
        f"Cost of each detector alone, per value, sample {min(SAMPLES):,}:",
        "",
        "| detector | per value | share |",
        "|---|---|---|",
        *[f"| {' | '.join(row)} |" for row in found.detectors],
        end,
    ]
    report.replace_section(start, end, lines)


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2], int(sys.argv[3]))

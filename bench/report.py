"""Write one backend's results into docs/benchmarks.md, with the machine and the date."""

from __future__ import annotations

import os
import platform
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from bench.scenarios import Results

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
START = "<!-- results:{backend}:start -->"
END = "<!-- results:{backend}:end -->"


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM; Linux {platform.release()}; "
        f"Python {platform.python_version()}; SQLite {sqlite3.sqlite_version}"
    )


def record(results: Results, batch: int) -> None:
    start, end = START.format(backend=results.backend), END.format(backend=results.backend)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        start,
        f"### {results.backend}: {results.subjects:,} people (measured {stamp})",
        "",
        f"Machine: {machine()}.",
        "",
        "| figure | rightsdesk | floor (bare driver) | ratio | target |",
        "|---|---|---|---|---|",
        *[f"| {' | '.join(row)} |" for row in results.lines],
        end,
    ]
    replace_section(start, end, lines)


def replace_section(start: str, end: str, lines: list[str]) -> None:
    """Put ``lines`` (which begin with ``start`` and end with ``end``) into docs/benchmarks.md,
    in place of the section between those markers, or at the end the first time."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    if start in text:
        before, rest = text.split(start, 1)
        text = before + "\n".join(lines) + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + "\n".join(lines) + "\n"
    DOC.write_text(text, encoding="utf-8")
    print(f"recorded in {DOC}")

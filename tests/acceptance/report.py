"""Print the acceptance figures: ``python -m tests.acceptance.report [--details] [--record] [app]``.

Runs every application on every backend it supports (PostgreSQL must be up) and prints one row
per application and backend; ``--details`` shows where each person's figures come from, and
``--record`` writes the table into docs/benchmarks.md with the machine and the date.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.acceptance.apps import accounts, kanboard, shop, social
from tests.acceptance.scorer import AppScore, score
from tests.acceptance.truth import Application

APPLICATIONS: tuple[Application, ...] = tuple(
    m.APPLICATION for m in (shop, accounts, social, kanboard)
)

HEADER = (
    f"{'application':<10} {'backend':<8} {'tables':>6} {'rows':>5} {'recall':>6} {'worst':>5} "
    f"{'precision':>9} {'surviving':>9} {'others':>6} {'FK':>3} {'failed':>6} {'seconds':>7}"
)


def line(s: AppScore) -> str:
    return (
        f"{s.app:<10} {s.backend:<8} {s.tables:>6} {s.rows:>5} {s.recall:>6.2f} {s.worst_recall:>5.2f} "
        f"{s.precision:>9.3f} {s.surviving:>9} {s.others_changed:>6} {s.broken:>3} "
        f"{s.failed_runs:>6} {s.seconds:>7.1f}"
    )


def table(scores: list[AppScore]) -> str:
    return "\n".join([HEADER, *map(line, scores)])


def details(s: AppScore) -> str:
    """Per person: what was missed or over-exported, what survived where, what else changed."""
    out = [f"{s.app} on {s.backend}:"]
    for p in s.people:
        a, e = p.access, p.erasure
        out.append(f"  {p.subject.owner} ({p.subject.case})")
        out.append(
            f"    access: {a.hits}/{a.theirs} of theirs, {a.exported} exported, "
            f"recall {a.recall:.2f}, precision {a.precision:.3f}"
        )
        if a.missed:
            out.append(f"    missed: {dict(sorted(a.missed.items()))}")
        if a.others:
            out.append(f"    other people's rows exported: {dict(sorted(a.others.items()))}")
        if e.exit_code:
            out.append(f"    erase exited {e.exit_code}: {e.error}")
        for value, where in sorted(e.surviving.items()):
            out.append(f"    survives: {value!r} in {dict(sorted(where.items()))}")
        if e.not_theirs_changed:
            out.append(f"    rows not theirs changed: {dict(sorted(e.not_theirs_changed.items()))}")
        if e.broken:
            out.append(f"    broken references: {dict(e.broken)}")
    return "\n".join(out)


def record(scores: list[AppScore], seconds: float) -> None:
    """Write the figures into docs/benchmarks.md (between the acceptance markers)."""
    from bench.report import machine, replace_section

    start, end = "<!-- results:acceptance:start -->", "<!-- results:acceptance:end -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    origins = {app.name: app.origin for app in APPLICATIONS}
    lines = [
        start,
        f"### Acceptance figures on main (measured {stamp}, {seconds:.0f} s in all)",
        "",
        f"Machine: {machine()}.",
        "",
        "| application | backend | tables | rows | recall (worst person) | precision (worst) "
        "| values surviving | rows of others changed | broken references | failed erasures |",
        "|---|---|---|---|---|---|---|---|---|---|",
        *[
            f"| {s.app} | {s.backend} | {s.tables} | {s.rows} | {s.recall:.2f} "
            f"({s.worst_recall:.2f}) | {s.precision:.3f} | {s.surviving} | {s.others_changed} "
            f"| {s.broken} | {s.failed_runs} |"
            for s in scores
        ],
        "",
        *[f"- {name}: {origin}" for name, origin in origins.items()],
        end,
    ]
    replace_section(start, end, lines)


def main(argv: list[str]) -> None:
    wanted = [a for a in argv if not a.startswith("--")]
    scores, started = [], time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        for app in APPLICATIONS:
            if wanted and app.name not in wanted:
                continue
            for backend in app.backends:
                scores.append(score(app, backend, Path(folder) / f"{app.name}-{backend}"))
                if "--details" in argv:
                    print(details(scores[-1]), flush=True)
    print(table(scores))
    if "--record" in argv:
        record(scores, time.monotonic() - started)


if __name__ == "__main__":
    main(sys.argv[1:])

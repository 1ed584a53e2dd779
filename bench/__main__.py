"""``python -m bench`` (or ``make bench``): measure, print, and record in docs/benchmarks.md."""

from __future__ import annotations

import argparse
import random
import sys

from bench import consent, data, discovery, intake, report, rights, scans, scenarios


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "suite",
        nargs="?",
        choices=["engine", "intake", "discovery", "rights", "scans", "consent", "all"],
        default="engine",
        help="engine: access and erasure against the demo platform (the default); "
        "intake: POST /v1/requests under wrk against uvicorn (bench/intake.py); "
        "discovery: scanner throughput and peak memory (bench/discovery.py); "
        "rights: correction and the retention vault against bare SQL (bench/rights.py); "
        "scans: rows found by the text they hold, filtered by the database (bench/scans.py); "
        "consent: the host's consent check, cached, against raw SQL (bench/consent.py)",
    )
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument(
        "--subjects",
        type=int,
        help="people in the platform (default: 100,000 on SQLite, 1,000,000 on PostgreSQL)",
    )
    parser.add_argument("--batch", type=int, default=10_000, help="people in the batch erasure")
    parser.add_argument(
        "--samples", type=int, default=60, help="repetitions of each single-person figure"
    )
    parser.add_argument(
        "--heavy", type=int, default=1_000_000, help="rows of the person in the memory figure"
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, to check the harness; records nothing"
    )
    parser.add_argument(
        "--connections", type=int, default=16, help="intake: requests wrk keeps in flight"
    )
    parser.add_argument(
        "--seconds", type=float, default=8, help="intake: measured seconds per case"
    )
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgres"] if args.backend == "all" else [args.backend]
    if args.suite in {"engine", "all"}:
        engine(args, backends)
    if args.suite in {"intake", "all"}:
        intake_rates(args, backends)
    if args.suite in {"discovery", "all"}:
        for backend in backends:
            subjects = 1_000 if args.quick else (args.subjects or discovery.SUBJECTS)
            found = discovery.run(backend, subjects, repeats=1 if args.quick else 3)
            if not args.quick:
                discovery.record(found)
    if args.suite in {"rights", "all"}:
        for backend in backends:
            subjects = 2_000 if args.quick else (args.subjects or rights.SUBJECTS)
            found = rights.run(backend, subjects, samples=10 if args.quick else args.samples)
            if not args.quick:
                rights.record(found)
    if args.suite in {"scans", "all"}:
        scans.main(backends, quick=args.quick)
    if args.suite in {"consent", "all"}:
        people = 2_000 if args.quick else (args.subjects or consent.PEOPLE)
        checked = [consent.run(b, people, samples=100 if args.quick else 2_000) for b in backends]
        if not args.quick:
            consent.record(checked)
    print("done", file=sys.stderr)


def intake_rates(args: argparse.Namespace, backends: list[str]) -> None:
    for backend in backends:
        seconds, warmup = (2.0, 1.0) if args.quick else (args.seconds, 3.0)
        found = intake.run(backend, connections=args.connections, seconds=seconds, warmup=warmup)
        if not args.quick:
            intake.record(found)


def reads(args: argparse.Namespace, backends: list[str]) -> None:
    """The suites that read: text scans and consent checks."""
    if args.suite in {"scans", "all"}:
        scans.main(backends, quick=args.quick)
    if args.suite in {"consent", "all"}:
        consent_checks(args, backends)


def consent_checks(args: argparse.Namespace, backends: list[str]) -> None:
    people = 2_000 if args.quick else (args.subjects or consent.PEOPLE)
    checked = [consent.run(b, people, samples=100 if args.quick else 2_000) for b in backends]
    if not args.quick:
        consent.record(checked)


def engine(args: argparse.Namespace, backends: list[str]) -> None:
    for backend in backends:
        size = args.subjects or (100_000 if backend == "sqlite" else 1_000_000)
        batch, samples, heavy = args.batch, args.samples, args.heavy
        if args.quick:
            size, batch, samples, heavy = 5_000, 500, 10, 20_000
        results = run(backend, size, batch, samples, heavy)
        if not args.quick:
            report.record(results, batch)


def run(backend: str, size: int, batch: int, samples: int, heavy: int) -> scenarios.Results:
    print(f"{backend}: {size:,} people", flush=True)
    results = scenarios.Results(backend, size)
    rng = random.Random(5)
    big = data.urls(backend, size)
    small = data.urls(backend, size // 10)
    at_n = scenarios.access_latency(
        results, small, rng.sample(range(2, size // 10), samples), f"{size // 10:,} people (N)"
    )
    at_10n = scenarios.access_latency(
        results, big, rng.sample(range(2, size), samples), f"{size:,} people (10N)"
    )
    results.add(
        "(d) access latency at 10N vs N",
        at_10n.ms(),
        at_n.ms(),
        f"{at_10n.median / at_n.median:.2f}x",
        "<= 1.3x",
    )
    scenarios.erasure(results, big, size, batch, samples)
    scenarios.memory(results, backend, heavy)
    return results


if __name__ == "__main__":
    main()

"""Benchmark databases: the demo platform at a given size, built once and reused."""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import create_engine, text

from rightsdesk.demo import platform

DATA = Path(__file__).with_name(".data")
POSTGRES_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
GENERATOR_VERSION = 1


def urls(backend: str, subjects: int, heavy_rows: int = 0) -> dict[str, str]:
    """URLs of a populated demo platform with ``subjects`` people, building it if needed."""
    label = f"{backend}-{subjects}-{heavy_rows}-v{GENERATOR_VERSION}"
    if backend == "sqlite":
        directory = DATA / label
        found = platform.demo_urls(directory)
        if not (directory / "ready").exists():
            shutil.rmtree(directory, ignore_errors=True)
            directory.mkdir(parents=True)
            _populate(found, subjects, heavy_rows)
            (directory / "ready").write_text(json.dumps({"subjects": subjects}))
        return found
    found = {
        s: POSTGRES_ADMIN.replace("/test", f"/rdb_{s}_{subjects}_{heavy_rows}")
        for s in platform.SCHEMAS
    }
    marker = DATA / f"{label}.ready"
    if not marker.exists():
        recreate_postgres(found)
        _populate(found, subjects, heavy_rows)
        _analyze(found)
        DATA.mkdir(parents=True, exist_ok=True)
        marker.write_text("ready")
    return found


def _populate(found: Mapping[str, str], subjects: int, heavy_rows: int) -> None:
    started = time.perf_counter()
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.perf_counter()
        if now - last[0] > 5 or done == total:
            last[0] = now
            print(f"  generating: {done:,}/{total:,}", file=sys.stderr, flush=True)

    platform.populate(found, subjects, heavy_rows=heavy_rows, progress=progress)
    print(
        f"  generated {subjects:,} people (+{heavy_rows:,} heavy rows) in "
        f"{time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )


def recreate_postgres(found: Mapping[str, str]) -> None:
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            for url in found.values():
                name = url.rsplit("/", 1)[1]
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                conn.execute(text(f"CREATE DATABASE {name}"))
    finally:
        admin.dispose()


def _analyze(found: Mapping[str, str]) -> None:
    for url in found.values():
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as conn:
                conn.execute(text("ANALYZE"))
        finally:
            engine.dispose()


def people(found: Mapping[str, str], ids: list[int]) -> dict[int, str]:
    """Email of each account id."""
    engine = create_engine(found["platform"])
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                text(f"SELECT id, email FROM accounts WHERE id IN ({','.join(map(str, ids))})")
            )
            return {int(r[0]): str(r[1]) for r in rows}
    finally:
        engine.dispose()


def scratch(found: Mapping[str, str], name: str) -> dict[str, str]:
    """A throw-away copy of a benchmark platform, for benchmarks that erase."""
    copies = {}
    admin = None
    for system, url in found.items():
        if url.startswith("sqlite:///"):
            source = Path(url.removeprefix("sqlite:///"))
            target = source.parent / f"scratch-{name}-{source.name}"
            shutil.copyfile(source, target)
            copies[system] = f"sqlite:///{target}"
            continue
        admin = admin or create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        template = url.rsplit("/", 1)[1]
        copy = f"{template}_{name}"[:63]
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {copy} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {copy} TEMPLATE {template}"))
        copies[system] = url.rsplit("/", 1)[0] + f"/{copy}"
    if admin is not None:
        admin.dispose()
    return copies

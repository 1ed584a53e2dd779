"""Rows found by the text they hold (``contains:``), one person at a time (``python -m bench
scans``): a PHP-session table of many people, read with the database filtering rows by the
person's values (``Connector.scan(containing=)``) against the same engine reading the whole
table (what every erasure did before), interleaved in one run.
"""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench import data, report
from bench.measure import interleaved
from rightsdesk.connectors.sql import SqlConnector
from rightsdesk.datamap import loads
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine import payloads
from rightsdesk.engine.erasure import ErasureCollector
from rightsdesk.engine.runner import Engine
from rightsdesk.masking.base import MaskingKey

ROWS = 200_000

MAP = """
systems:
  - name: app
    url: "{url}"
    collections:
      - name: users
        fields:
          - {{name: id, primary_key: true}}
          - {{name: email, identity: email}}
      - name: sessions
        erase: delete_row
        fields:
          - {{name: id, primary_key: true}}
          - {{name: data, contains: [username, email]}}
"""


def _fill(url: str, rows: int) -> None:
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    table = sa.Table(
        "sessions", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("data", sa.Text)
    )
    sa.Table(  # the people table: empty, a person is known here by the email they give
        "users", meta, sa.Column("id", sa.Integer, primary_key=True), sa.Column("email", sa.Text)
    )
    meta.drop_all(engine)
    meta.create_all(engine)
    with engine.begin() as conn:
        for start in range(0, rows, 20_000):
            conn.execute(
                sa.insert(table),
                [
                    {
                        "id": n,
                        "data": f'user|a:2:{{s:8:"username";s:{len(f"user{n}")}:"user{n}";'
                        f's:5:"email";s:{len(f"user{n}@example.com")}:"user{n}@example.com";}}',
                    }
                    for n in range(start, min(rows, start + 20_000))
                ],
            )
    engine.dispose()


def main(backends: list[str], *, quick: bool) -> None:
    for backend in backends:
        found = run(backend, 20_000 if quick else ROWS, 3 if quick else 10)
        if not quick:
            record(found)


def _database(backend: str, folder: Path) -> str:
    """A SQLite file in ``folder``, or the PostgreSQL database ``rdbench_scans``, emptied."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'scans.db'}"
    url = data.POSTGRES_ADMIN.rsplit("/", 1)[0] + "/rdbench_scans"
    data.recreate_postgres({"app": url})
    return url


def run(backend: str, rows: int = ROWS, samples: int = 10) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        url = _database(backend, Path(tmp))
        _fill(url, rows)
        connector = SqlConnector("app", url)
        engine = Engine(loads(MAP.format(url=url)), {"app": connector}, key=MaskingKey(b"k"))
        people = random.Random(3).sample(range(rows), samples)

        def find(number: int) -> None:
            person = people[number]
            subject = Subject("p", (Identity("email", f"user{person}@example.com"),))
            collector = ErasureCollector()
            engine.walk_all([subject], collector)
            assert list(collector.found["app.sessions"]) == [person]

        def whole(number: int) -> None:
            limit, payloads.MAX_FILTERED = payloads.MAX_FILTERED, -1  # never filter
            try:
                find(number)
            finally:
                payloads.MAX_FILTERED = limit

        try:
            filtered, scanned = interleaved(samples, find, whole)
        finally:
            connector.close()
    ratio = f"{scanned.median / filtered.median:.1f}x faster"
    line = (f"find one person's session among {rows:,}", filtered.ms(), scanned.ms(), ratio)
    print("  " + " | ".join(line), flush=True)
    return backend, rows, [line]


def record(found: Any) -> None:
    backend, rows, lines = found
    start, end = f"<!-- results:scans-{backend}:start -->", f"<!-- results:scans-{backend}:end -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report.replace_section(
        start,
        end,
        [
            start,
            f"### contains: scans on {backend}: {rows:,} session rows (measured {stamp})",
            "",
            f"Machine: {report.machine()}.",
            "",
            "| figure | filtered by the database | whole table read (before) | ratio |",
            "|---|---|---|---|",
            *[f"| {' | '.join(row)} |" for row in lines],
            end,
        ],
    )

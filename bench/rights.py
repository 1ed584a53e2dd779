"""The rights workflows' own costs, each against what a minimal script would do (``python -m
bench rights``): a correction through the engine against the bare UPDATEs, sealing retained rows
in the vault against plain INSERTs of the same rows, and crypto-shredding against a DELETE.
"""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench import data, floor, report
from bench.measure import Timing, clock, interleaved
from bench.scenarios import Pair
from rightsdesk.domain.retention import HeldRow
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.correction import Copy
from rightsdesk.store.db import Store
from rightsdesk.store.models import VaultItem
from rightsdesk.vault.keys import LocalKeyProvider
from rightsdesk.vault.sealing import seal, shred_due

SUBJECTS = 20_000
NOW = datetime(2026, 11, 29, tzinfo=UTC)
LATER = date(2031, 1, 1)  # after every sealed row's retention


def run(backend: str, subjects: int = SUBJECTS, samples: int = 60, sealed: int = 1_000) -> Any:
    urls = data.urls(backend, subjects)
    lines: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        pair = Pair(urls, Path(tmp) / "runs")
        try:
            lines.append(_correction(pair, subjects, samples))
        finally:
            pair.close()
        rows = _held(urls, sealed)
        lines += _vault(Path(tmp), rows)
    for line in lines:
        print("  " + " | ".join(line), flush=True)
    return backend, subjects, lines


def _correction(pair: Pair, subjects: int, samples: int) -> tuple[str, str, str, str]:
    """Set a new phone and buyer name for one person: engine (find + one UPDATE per collection,
    checkpointed) against the floor (look the account up by email, then the same UPDATEs)."""
    rng = random.Random(11)
    people = rng.sample(range(2, subjects), samples)
    emails = _emails(pair, people)
    copies = {
        Copy("platform", "accounts", "phone"): None,
        Copy("billing", "invoices", "buyer_name"): None,
    }

    def ours(n: int) -> None:
        values = {c: f"{'1390' if c.field == 'phone' else 'Name '}{n:07d}" for c in copies}
        pair.engine.correct(Subject(str(n), (Identity("email", emails[n]),)), values)

    def base(n: int) -> None:
        platform, billing = pair.raws["platform"], pair.raws["billing"]
        mark = platform.mark
        cursor = platform.conn.cursor()
        cursor.execute(f"SELECT id FROM accounts WHERE email = {mark}", (emails[n],))
        (account,) = cursor.fetchone()
        cursor.execute(
            f"UPDATE accounts SET phone = {mark} WHERE id = {mark}", (f"1391{n:07d}", account)
        )
        platform.conn.commit()
        cursor = billing.conn.cursor()
        cursor.execute(
            f"UPDATE invoices SET buyer_name = {billing.mark} WHERE user_id = {billing.mark}",
            (f"Other {n:07d}", account),
        )
        billing.conn.commit()

    mine, floor_ = interleaved(samples, ours, base)
    return (
        "correction of one person (2 copies, 2 stores)",
        mine.ms(),
        floor_.ms(),
        f"{mine.median / floor_.median:.2f}x",
    )


def _emails(pair: Pair, people: list[int]) -> dict[int, str]:
    raw = pair.raws["platform"]
    cursor = raw.conn.cursor()
    found: dict[int, str] = {}
    for number, person in enumerate(people):
        cursor.execute(f"SELECT email FROM accounts WHERE id = {raw.mark}", (person,))
        found[number] = cursor.fetchone()[0]
    return found


def _held(urls: Mapping[str, str], count: int) -> list[HeldRow]:
    """``count`` invoice rows as the engine hands them over, one subject per ten rows."""
    raw = floor.Raw(urls["billing"])
    try:
        cursor = raw.conn.cursor()
        cursor.execute(
            "SELECT id, order_id, buyer_name, buyer_tax_id, amount, status, issued_at "
            f"FROM invoices ORDER BY id LIMIT {count}"
        )
        found = cursor.fetchall()
    finally:
        raw.close()
    columns = ("id", "order_id", "buyer_name", "buyer_tax_id", "amount", "status", "issued_at")
    return [
        HeldRow(
            subject=f"t{n // 10:031d}",
            system="billing",
            collection="invoices",
            key=str(row[0]),
            rule="tax-invoices",
            basis="tax law",
            until=date(2030, 1, 1),
            roles=("finance", "legal"),
            row=dict(zip(columns, row, strict=True)),
        )
        for n, row in enumerate(found)
    ]


def _vault(tmp: Path, rows: list[HeldRow]) -> list[tuple[str, str, str, str]]:
    """Seal into a fresh SQLite store, then shred; the floor writes and deletes the same rows
    as plain JSON in a bare table of the same shape, one transaction each."""
    provider = LocalKeyProvider(b"\x07" * 32)
    sealing: list[float] = []
    shredding: list[float] = []
    inserting: list[float] = []
    deleting: list[float] = []
    for attempt in range(3):
        store = Store(f"sqlite:///{tmp / f'store{attempt}.db'}")
        store.migrate()
        try:
            with store.session() as session:
                sealing.append(
                    clock(lambda s=session: seal(s, provider, rows, NOW, request_id="r"))
                )
            with store.session() as session:
                assert len(session.scalars(select(VaultItem.id)).all()) == len(rows)
                shredding.append(clock(lambda s=session: shred_due(s, LATER, NOW + timedelta(1))))
        finally:
            store.close()
        plain = sqlite3.connect(tmp / f"plain{attempt}.db")
        try:
            plain.execute("CREATE TABLE items (id TEXT PRIMARY KEY, subject TEXT, row TEXT)")
            plain.execute("CREATE INDEX ix_subject ON items (subject)")
            payload = [
                (f"{r.subject}:{r.key}", r.subject, json.dumps(r.row, default=str)) for r in rows
            ]

            def insert(
                db: sqlite3.Connection = plain, items: list[tuple[str, str, str]] = payload
            ) -> None:
                with db:
                    db.executemany("INSERT INTO items VALUES (?, ?, ?)", items)

            def remove(db: sqlite3.Connection = plain) -> None:
                with db:
                    for subject in sorted({r.subject for r in rows}):
                        db.execute("DELETE FROM items WHERE subject = ?", (subject,))

            inserting.append(clock(insert))
            deleting.append(clock(remove))
        finally:
            plain.close()
    seal_t, insert_t = Timing(sealing), Timing(inserting)
    shred_t, delete_t = Timing(shredding), Timing(deleting)
    subjects = len({r.subject for r in rows})
    return [
        (
            f"vault: seal {len(rows):,} rows of {subjects:,} people (keys, AES-GCM, ORM)",
            seal_t.ms(),
            insert_t.ms(),
            f"{seal_t.median / insert_t.median:.1f}x",
        ),
        (
            f"vault: crypto-shred {subjects:,} people",
            shred_t.ms(),
            delete_t.ms(),
            f"{shred_t.median / delete_t.median:.1f}x",
        ),
    ]


def record(found: Any) -> None:
    backend, subjects, lines = found
    name = f"rights-{backend}"
    start, end = f"<!-- results:{name}:start -->", f"<!-- results:{name}:end -->"
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    table = [
        start,
        f"### rights workflows on {backend}: {subjects:,} people (measured {stamp})",
        "",
        f"Machine: {report.machine()}.",
        "",
        "| figure | rightsdesk | floor (bare driver) | ratio |",
        "|---|---|---|---|",
        *[f"| {' | '.join(row)} |" for row in lines],
        end,
    ]
    report.replace_section(start, end, table)

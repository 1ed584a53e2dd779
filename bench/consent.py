"""``python -m bench consent``: the consent check the host's jobs call, against raw SQL.

rightsdesk's own store holds a consent ledger of ``people`` people (a grant for each, and a
withdrawal for every third). Interleaved, one random person at a time:

- **floor**: the bare driver (``sqlite3`` / ``psycopg``) runs the one indexed query a host could
  run itself: the person's latest receipt for the purpose (its keyed hash precomputed, untimed);
- **cold**: ``checks.check`` with the process's cache just emptied (the version read, the
  keyed hashes, the receipts, the ledger's rules);
- **warm**: ``checks.check`` answered from the cache (the version read and a dictionary look-up);
- **after a withdrawal elsewhere**: a second ``Services`` on the same store (another process's
  view) records a withdrawal; the first one's next check must see it: timed, and checked.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from pydantic import SecretStr
from sqlalchemy import create_engine, insert, text

from bench import data, report
from bench.measure import Timing, clock
from rightsdesk.demo import direct as demo
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import checks, ledger
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from rightsdesk.store.models import ConsentRecord

PEOPLE = 100_000
PURPOSE = "marketing"
START = datetime(2026, 1, 5, tzinfo=UTC)
FLOOR_SQL = (
    "SELECT state FROM consent_records WHERE subject = {p} AND purpose = {p} "
    "ORDER BY recorded_at DESC LIMIT 1"
)


@dataclass
class Found:
    backend: str
    people: int
    lines: list[tuple[str, str, str]] = field(default_factory=list)


def run(backend: str, people: int = PEOPLE, samples: int = 2_000) -> Found:
    found = Found(backend, people)
    with tempfile.TemporaryDirectory() as tmp:
        settings = _settings(backend, Path(tmp))
        one, other = wiring.build(settings), wiring.build(settings)
        try:
            keys = _ledger(one, people)
            _measure(found, one, other, keys, samples, settings.store_url())
        finally:
            wiring.close(one)
            wiring.close(other)
    for line in found.lines:
        print("  " + " | ".join(line), flush=True)
    return found


def _settings(backend: str, tmp: Path) -> Settings:
    url = None
    if backend == "postgres":
        url = data.POSTGRES_ADMIN.replace("/test", "/rdb_consent")
        data.recreate_postgres({"consent": url})
    return Settings(
        state_dir=tmp / "state",
        database_url=url,
        datamap=demo.build(tmp / "demo", 5),
        secret_key=SecretStr("bench-secret-of-at-least-thirty-two-characters"),
        mail_url=(tmp / "outbox").as_uri(),
    )


def _ledger(services: Services, people: int) -> list[tuple[Identity, str]]:
    """A grant per person, a withdrawal for every third; (identity, keyed hash) per person."""
    keys = [(Identity("user_id", str(n)), "") for n in range(people)]
    keys = [(i, ledger.subject_of(services, [i])) for i, _ in keys]
    rows = []
    for n, (_, key) in enumerate(keys):
        at = START + timedelta(seconds=n)
        rows.append(_row(key, "active", at))
        if n % 3 == 0:
            rows.append(_row(key, "revoked", at + timedelta(days=1)))
    with services.store.session() as session:
        for chunk in range(0, len(rows), 10_000):
            session.execute(insert(ConsentRecord), rows[chunk : chunk + 10_000])
    with services.store.engine.begin() as conn:
        if services.store.engine.dialect.name == "postgresql":
            conn.execute(text("ANALYZE consent_records"))
    return keys


def _row(key: str, state: str, at: datetime) -> dict[str, Any]:
    return {
        "id": uuid.uuid4().hex,
        "subject": key,
        "purpose": PURPOSE,
        "state": state,
        "recorded_at": at,
        "effective_at": at,
        "method": "api",
        "jurisdiction": "provider_cn",
        "request_id": None,
        "receipt": {"sequence": 1},
    }


def _measure(
    found: Found,
    one: Services,
    other: Services,
    keys: list[tuple[Identity, str]],
    samples: int,
    url: str,
) -> None:
    rng = random.Random(7)
    chosen = [keys[rng.randrange(len(keys))] for _ in range(samples)]
    raw = _raw(url)
    floor, cold, warm = [], [], []
    for identity, key in chosen:
        floor.append(clock(lambda k=key: raw(k)))
        one.consent_checks.clear()
        cold.append(clock(lambda i=identity: checks.check(one, [i], PURPOSE)))
        warm.append(clock(lambda i=identity: checks.check(one, [i], PURPOSE)))
    floor_t, cold_t, warm_t = Timing(floor), Timing(cold), Timing(warm)
    seen = _after_withdrawal(one, other, [i for i, _ in chosen[:200]])
    ratio = warm_t.median / floor_t.median
    found.lines += [
        ("floor: raw SQL, the latest receipt", floor_t.ms(), "1.00x"),
        ("check, cold (cache emptied)", cold_t.ms(), f"{cold_t.median / floor_t.median:.2f}x"),
        ("check, warm (cached)", warm_t.ms(), f"{ratio:.2f}x"),
        ("check right after a withdrawal by another Services", seen.ms(), "answers no: 200/200"),
    ]


def _after_withdrawal(one: Services, other: Services, people: list[Identity]) -> Timing:
    """For each person: cache a "yes" in ``one``, withdraw through ``other``, time ``one``'s
    next check and require a "no"."""
    timings = []
    for identity in people:
        consent.decide(other, [identity], PURPOSE, given=True, method="api")
        assert checks.check(one, [identity], PURPOSE).allowed
        consent.decide(other, [identity], PURPOSE, given=False, method="api")
        started = clock(lambda i=identity: _must_refuse(one, i))
        timings.append(started)
    return Timing(timings)


def _must_refuse(services: Services, identity: Identity) -> None:
    if checks.check(services, [identity], PURPOSE).allowed:
        raise AssertionError(f"a withdrawal was not seen at once for {identity.value}")


def _raw(url: str) -> Any:
    """The floor's query on the bare driver; returns a function of the keyed hash."""
    engine = create_engine(url)
    if url.startswith("sqlite"):
        database = engine.url.database
        assert database is not None
        conn = sqlite3.connect(database, check_same_thread=False)
        sql = FLOOR_SQL.format(p="?")
        return lambda key: conn.execute(sql, (key, PURPOSE)).fetchone()
    dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    pg = psycopg.connect(dsn, autocommit=True)
    sql = FLOOR_SQL.format(p="%s")
    return lambda key: pg.execute(sql, (key, PURPOSE)).fetchone()


def record(results: list[Found]) -> None:
    for found in results:
        start = f"<!-- results:consent:{found.backend}:start -->"
        end = f"<!-- results:consent:{found.backend}:end -->"
        lines = [
            start,
            f"### {found.backend}: {found.people:,} people in the ledger "
            f"(measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {report.machine()})",
            "",
            "| what | median (p95) | vs floor |",
            "|---|---|---|",
            *[f"| {a} | {b} | {c} |" for a, b, c in found.lines],
            end,
        ]
        report.replace_section(start, end, lines)

"""Score ``datamap generate`` -> ``access`` -> ``erase --verify`` on a real application.

The real CLI runs in a subprocess with the drafted map unedited. Access is scored against the
labelled truth (rows exported vs the person's rows); each erasure runs on a fresh copy of the
database, compared row by row with the copy before it: the person's values still found anywhere,
rows that were not theirs and changed, and rows left pointing at nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from tests.acceptance import snapshot, store
from tests.acceptance.snapshot import Snapshot
from tests.acceptance.truth import Application, RowId, Subject, Truth, key_of, label


@dataclass(frozen=True)
class AccessScore:
    theirs: int
    exported: int
    hits: int
    others: Mapping[str, int]  # table -> rows of other people exported
    missed: Mapping[str, int]  # table -> rows of theirs not exported

    @property
    def recall(self) -> float:
        return self.hits / self.theirs if self.theirs else 1.0

    @property
    def precision(self) -> float:
        judged = self.hits + sum(self.others.values())
        return self.hits / judged if judged else 1.0


@dataclass(frozen=True)
class ErasureScore:
    exit_code: int
    error: str
    surviving: Mapping[str, Mapping[str, int]]  # value -> table.column -> rows
    not_theirs_changed: Mapping[str, int]  # table -> rows (another person's or shared)
    broken: Mapping[str, int]  # foreign key -> rows pointing at nothing


@dataclass(frozen=True)
class SubjectScore:
    subject: Subject
    access: AccessScore
    erasure: ErasureScore


@dataclass(frozen=True)
class AppScore:
    app: str
    backend: str
    tables: int
    rows: int
    people: tuple[SubjectScore, ...]
    seconds: float

    @property
    def recall(self) -> float:
        """Of every scored person's rows, the share their export held (1.00 iff each is)."""
        theirs = sum(p.access.theirs for p in self.people)
        return sum(p.access.hits for p in self.people) / theirs if theirs else 1.0

    @property
    def worst_recall(self) -> float:
        return min(p.access.recall for p in self.people)

    @property
    def precision(self) -> float:
        return min(p.access.precision for p in self.people)

    @property
    def surviving(self) -> int:
        return sum(len(p.erasure.surviving) for p in self.people)

    @property
    def others_changed(self) -> int:
        return sum(sum(p.erasure.not_theirs_changed.values()) for p in self.people)

    @property
    def broken(self) -> int:
        return sum(sum(p.erasure.broken.values()) for p in self.people)

    @property
    def failed_runs(self) -> int:
        return sum(1 for p in self.people if p.erasure.exit_code)


def rightsdesk(args: list[str], folder: Path, url: str) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would, its state in ``folder``, the map's database at ``url``."""
    env = {**os.environ, "RIGHTSDESK_STATE_DIR": str(folder / "state"), "APP_DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "rightsdesk", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _ok(done: subprocess.CompletedProcess[str]) -> str:
    if done.returncode:
        raise AssertionError(f"{done.args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def exported_rows(folder: Path, before: Snapshot) -> dict[str, set[RowId]]:
    """Subject id -> rows found in their ``data.json`` (matched by key, else by every value)."""
    found: dict[str, set[RowId]] = {}
    for path in folder.rglob("data.json"):
        data = json.loads(path.read_text("utf-8"))
        rows = found.setdefault(data["subject"]["id"], set())
        for name, records in data["collections"].items():
            table = name.split(".", 1)[1]
            for record in records:
                rows |= _match(table, record, before)
    return found


def _match(table: str, record: Mapping[str, Any], before: Snapshot) -> set[RowId]:
    keys = before.keys[table]
    if all(c in record for c in keys):
        return {(table, key_of(record, keys))}
    shown = {c: str(v) for c, v in record.items() if isinstance(v, int | str)}
    return {
        (table, key)
        for key, row in before.rows[table].items()
        if all(row.get(c) == v for c, v in shown.items())
    }


def score_access(subject: Subject, exported: set[RowId], truth: Truth) -> AccessScore:
    theirs = truth.rows_of(subject.owner)
    others = Counter(t for t, k in exported - theirs if not truth.is_shared((t, k)))
    missed = Counter(t for t, _ in theirs - exported)
    return AccessScore(len(theirs), len(exported), len(exported & theirs), others, missed)


def score_erasure(
    subject: Subject,
    done: subprocess.CompletedProcess[str],
    before: Snapshot,
    url: str,
    truth: Truth,
) -> ErasureScore:
    engine = sa.create_engine(url)
    try:
        after = snapshot.take(engine)
        broken = snapshot.broken_references(engine)
    finally:
        engine.dispose()
    surviving = {v: where for v in subject.secrets if (where := after.holding(v))}
    changed = before.changed(after) - truth.rows_of(subject.owner)
    error = "" if done.returncode == 0 else (done.stderr.strip().splitlines() or [""])[-1]
    return ErasureScore(done.returncode, error, surviving, Counter(t for t, _ in changed), broken)


def score(app: Application, backend: str, folder: Path) -> AppScore:
    """Generate a map, export every subject, then erase each on a fresh copy."""
    started = time.monotonic()
    folder.mkdir(parents=True, exist_ok=True)
    with store.copy_of(app, backend, folder / "db") as url:
        _ok(rightsdesk(["datamap", "generate", "--url", url, "-o", "map.yml"], folder, url))
        people = folder / "people.jsonl"
        lines = [json.dumps(s.identity_record(), ensure_ascii=False) for s in app.subjects]
        people.write_text("\n".join(lines) + "\n", "utf-8")
        args = ["access", "-m", "map.yml", "-o", "export", "--identities-file", str(people)]
        _ok(rightsdesk(args, folder, url))
        engine = sa.create_engine(url)
        try:
            before = snapshot.take(engine)
            with engine.connect() as conn:
                truth = label(app, conn, before.keys)
        finally:
            engine.dispose()
    exported = exported_rows(folder / "export", before)
    scores = []
    for subject in app.subjects:
        with store.copy_of(app, backend, folder / "db") as url:
            one = folder / f"{subject.owner}.jsonl"
            one.write_text(
                json.dumps(subject.identity_record(), ensure_ascii=False) + "\n", "utf-8"
            )
            args = ["erase", "-m", "map.yml", "--identities-file", str(one), "--verify", "--json"]
            done = rightsdesk(args, folder, url)
            erasure = score_erasure(subject, done, before, url, truth)
        access = score_access(subject, exported.get(subject.owner, set()), truth)
        scores.append(SubjectScore(subject, access, erasure))
    total = sum(len(r) for r in before.rows.values())
    return AppScore(
        app.name, backend, len(before.rows), total, tuple(scores), time.monotonic() - started
    )

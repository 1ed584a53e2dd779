"""The floor: what a minimal hand-written script would do with the bare driver.

It issues the same indexed statements as the engine (one SELECT per key field and chunk of
values, in plan order; one UPDATE/DELETE per change) through a DB-API cursor, with no planner,
no connector, no checkpoint and no masking work (changes are computed beforehand, untimed).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import suppress
from typing import Any

from sqlalchemy.engine import make_url

from rightsdesk.connectors.base import Change, DeleteWhere, UpdateRows, UpdateWhere
from rightsdesk.engine.plan import Plan, Step, identity_channel

CHUNK = 500


class Raw:
    """One bare DB-API connection to one system."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.postgres = parsed.get_backend_name() == "postgresql"
        if self.postgres:
            import psycopg

            self.conn: Any = psycopg.connect(
                host=parsed.host, port=parsed.port, user=parsed.username, dbname=parsed.database
            )
        else:
            self.conn = sqlite3.connect(parsed.database or ":memory:")
        self.mark = "%s" if self.postgres else "?"

    def where_in(self, column: str, count: int) -> tuple[str, bool]:
        if self.postgres:
            return f"{column} = ANY(%s)", True
        return f"{column} IN ({','.join('?' * count)})", False

    def close(self) -> None:
        with suppress(Exception):
            self.conn.close()


def access(
    plan: Plan, raws: dict[str, Raw], identities: Sequence[dict[str, str]]
) -> tuple[int, int]:
    """Walk the plan once, forward edges only; return (distinct rows, key lookups)."""
    values: dict[str, set[str]] = {}
    for person in identities:
        for kind, value in person.items():
            values.setdefault(identity_channel(kind), set()).add(value)
    done_steps: set[str] = set()
    rows = lookups = 0
    for step in plan.steps:
        found: set[str] = set()
        for key in step.keys:
            wanted: set[str] = set()
            for source in key.sources:
                if source.startswith("identity:") or source.rpartition(".")[0] in done_steps:
                    wanted |= values.get(source, set())
            if key.field == step.primary_key:
                wanted -= found
            if wanted:
                lookups += 1
                rows += _select(raws[step.system], step, key.field, sorted(wanted), found, values)
        done_steps.add(step.name)
    for raw in raws.values():
        raw.conn.rollback()
    return rows, lookups


def _select(
    raw: Raw,
    step: Step,
    field: str,
    wanted: list[str],
    found: set[str],
    values: dict[str, set[str]],
) -> int:
    index = {c: i for i, c in enumerate(step.columns)}
    pk = index[step.primary_key or step.columns[0]]
    publishes = [(index[f], channel) for f, channel in step.publishes]
    rows = 0
    for chunk in _chunks(wanted, CHUNK):
        condition, as_array = raw.where_in(field, len(chunk))
        sql = f"SELECT {', '.join(step.columns)} FROM {step.collection} WHERE {condition}"
        cursor = raw.conn.cursor()
        cursor.execute(
            sql, ([_typed(v) for v in chunk],) if as_array else [_typed(v) for v in chunk]
        )
        for row in cursor.fetchall():
            if str(row[pk]) in found:
                continue
            rows += 1
            found.add(str(row[pk]))
            for column, channel in publishes:
                if row[column] is not None:
                    values.setdefault(channel, set()).add(str(row[column]))
    return rows


def apply(raws: dict[str, Raw], changes: dict[str, list[Change]]) -> int:
    """Run the given changes, one transaction per system; return statements issued."""
    statements = 0
    for system, items in changes.items():
        raw = raws[system]
        cursor = raw.conn.cursor()
        for change in items:
            statements += _apply_one(raw, cursor, change)
        raw.conn.commit()
    return statements


def _apply_one(raw: Raw, cursor: Any, change: Change) -> int:
    if isinstance(change, UpdateRows):
        sets = ", ".join(f"{c} = {raw.mark}" for c in change.columns)
        sql = f"UPDATE {change.collection} SET {sets} WHERE {change.key} = {raw.mark}"
        cursor.executemany(sql, [(*row[1:], row[0]) for row in change.rows])
        return 1
    count = 0
    for chunk in _chunks(list(change.keys), CHUNK):
        condition, as_array = raw.where_in(change.key, len(chunk))
        keys: list[Any] = [list(chunk)] if as_array else list(chunk)
        if isinstance(change, UpdateWhere):
            sets = ", ".join(f"{c} = {raw.mark}" for c in change.values)
            cursor.execute(
                f"UPDATE {change.collection} SET {sets} WHERE {condition}",
                [*change.values.values(), *keys],
            )
        elif isinstance(change, DeleteWhere):
            cursor.execute(f"DELETE FROM {change.collection} WHERE {condition}", keys)
        count += 1
    return count


def _typed(value: str) -> Any:
    return int(value) if value.isdigit() and len(value) < 18 else value


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]

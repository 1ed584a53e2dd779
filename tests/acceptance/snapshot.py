"""Every row of a database as text, keyed by table and primary key, and its broken references."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from tests.acceptance.truth import Key, RowId, key_of


@dataclass(frozen=True)
class Snapshot:
    """Rows (column -> text) by table and key; ``keys`` are the key columns used."""

    keys: Mapping[str, tuple[str, ...]]
    rows: Mapping[str, Mapping[Key, Mapping[str, str | None]]]

    def changed(self, after: Snapshot) -> set[RowId]:
        """Rows of this snapshot that ``after`` lacks or holds with other values."""
        return {
            (table, key)
            for table, rows in self.rows.items()
            for key, row in rows.items()
            if after.rows.get(table, {}).get(key) != row
        }

    def holding(self, value: str) -> dict[str, int]:
        """``table.column`` -> rows whose text holds ``value``."""
        found: dict[str, int] = {}
        for table, rows in self.rows.items():
            for row in rows.values():
                for column, text in row.items():
                    if text is not None and value in text:
                        where = f"{table}.{column}"
                        found[where] = found.get(where, 0) + 1
        return found


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes | memoryview):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return raw.hex()
    return str(value)


def key_columns(inspector: sa.Inspector, table: str) -> tuple[str, ...]:
    """The primary key, or every column for a table without one."""
    primary = inspector.get_pk_constraint(table).get("constrained_columns") or []
    return tuple(primary) or tuple(c["name"] for c in inspector.get_columns(table))


def take(engine: sa.Engine) -> Snapshot:
    """Read every table of the default schema."""
    inspector = sa.inspect(engine)
    tables = inspector.get_table_names()
    keys = {t: key_columns(inspector, t) for t in tables}
    rows: dict[str, dict[Key, dict[str, str | None]]] = {}
    with engine.connect() as conn:
        for table in tables:
            result = conn.execute(
                sa.select(sa.table(table, *map(sa.column, _columns(inspector, table))))
            )
            rows[table] = {
                key_of(r, keys[table]): {c: _cell(v) for c, v in r.items()}
                for r in result.mappings()
            }
    return Snapshot(keys, rows)


def _columns(inspector: sa.Inspector, table: str) -> list[str]:
    return [c["name"] for c in inspector.get_columns(table)]


def broken_references(engine: sa.Engine) -> dict[str, int]:
    """Rows whose declared foreign key names no row (``child.cols -> parent``: count)."""
    inspector = sa.inspect(engine)
    broken: dict[str, int] = {}
    q = engine.dialect.identifier_preparer.quote
    with engine.connect() as conn:
        for table in inspector.get_table_names():
            for fk in inspector.get_foreign_keys(table):
                mine, theirs = fk["constrained_columns"], fk["referred_columns"]
                query = (
                    f"SELECT count(*) FROM {q(table)} c WHERE "
                    + " AND ".join(f"c.{q(m)} IS NOT NULL" for m in mine)
                    + f" AND NOT EXISTS (SELECT 1 FROM {q(fk['referred_table'])} p WHERE "
                    + " AND ".join(
                        f"p.{q(t)} = c.{q(m)}" for m, t in zip(mine, theirs, strict=True)
                    )
                    + ")"
                )
                count = conn.execute(sa.text(query)).scalar_one()
                if count:
                    broken[f"{table}.{','.join(mine)} -> {fk['referred_table']}"] = count
    return broken

"""Proof of absence: after an erasure, find what is left of its people anywhere in a database.

Every text and JSON column of every table, mapped or not, is read once for the whole batch
(one streamed SELECT per table) and searched with one combined matcher. Reports carry hashes
of the values found, never the values.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from rightsdesk.connectors import urls
from rightsdesk.connectors.sql_schema import reflecting
from rightsdesk.discovery.patterns import Hit, Matcher
from rightsdesk.domain.errors import ConnectorError

__all__ = ["Residue", "ResidueReport", "scan"]

_TEXT_TYPES = (sa.String, sa.JSON, sa.types.NullType)


@dataclass(frozen=True)
class Residue:
    """One subject's identifier value still present in one cell."""

    subject: str
    table: str
    column: str
    key_columns: tuple[str, ...]  # the primary key; empty when the row number stands in for it
    key: tuple[Any, ...]  # key values (hashed when they hold a needle), or (row number,)
    needle_kind: str
    needle_hash: str
    form: str  # "plain", "json-escaped" or "digits"

    def to_json(self) -> dict[str, Any]:
        """JSON-ready, with no personal data."""
        if self.key_columns:
            key = dict(zip(self.key_columns, map(_plain, self.key), strict=True))
        else:
            key = {"row": self.key[0]}
        return {
            "subject": self.subject,
            "table": self.table,
            "column": self.column,
            "key": key,
            "needle_kind": self.needle_kind,
            "needle_hash": self.needle_hash,
            "form": self.form,
        }


@dataclass(frozen=True)
class ResidueReport:
    """What a scan found and how much it read."""

    findings: tuple[Residue, ...]
    tables_scanned: int
    columns_scanned: int
    rows_scanned: int
    warnings: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        return not self.findings

    def to_json(self) -> dict[str, Any]:
        """JSON-ready for a receipt: counts, findings by hash, warnings; no personal data."""
        return {
            "clean": self.clean,
            "tables_scanned": self.tables_scanned,
            "columns_scanned": self.columns_scanned,
            "rows_scanned": self.rows_scanned,
            "findings": [f.to_json() for f in self.findings],
            "warnings": list(self.warnings),
        }


def scan(
    url: str,
    needles: Mapping[str, Collection[str]],
    *,
    schema: str | None = None,
    chunk: int = 5000,
    hash_key: bytes | None = None,
) -> ResidueReport:
    """Search every text and JSON column of ``url`` for ``needles`` (subject id -> values).

    ``hash_key`` turns needle hashes into HMACs, so a receipt's hash of a short value such as a
    phone number cannot be reversed by trying every number. Raises ConnectorError.
    """
    if chunk < 1:
        raise ValueError(f"chunk must be positive, got {chunk}")
    matcher = Matcher(needles, key=hash_key)
    if not matcher.needle_count:
        return ResidueReport((), 0, 0, 0, (*matcher.warnings, "no needle to search for"))
    shown = urls.parse("residue scan", url).render_as_string(hide_password=True)
    engine = urls.open_engine(shown, url, hide_parameters=True)
    findings: list[Residue] = []
    warnings, columns, rows = list(matcher.warnings), 0, 0
    try:
        with _errors(shown), engine.connect() as conn:
            tables = _tables(conn, schema)
            for table in tables:
                text = [c for c in table.columns if _is_text(c)]
                if not table.primary_key.columns:
                    warnings.append(f"table {table.name!r} has no primary key: rows are numbered")
                found, read = _scan_table(conn, table, text, matcher, chunk)
                findings += found
                columns, rows = columns + len(text), rows + read
    finally:
        engine.dispose()
    return ResidueReport(tuple(findings), len(tables), columns, rows, tuple(warnings))


def _tables(conn: sa.Connection, schema: str | None) -> list[sa.Table]:
    """The tables (not views) that have at least one text or JSON column, by name."""
    metadata = sa.MetaData()
    with reflecting():
        metadata.reflect(conn, schema=schema, views=False, resolve_fks=False)
    tables = sorted(metadata.tables.values(), key=lambda t: t.name)
    return [t for t in tables if any(_is_text(c) for c in t.columns)]


def _is_text(column: sa.Column[Any]) -> bool:
    kind = column.type
    if isinstance(kind, sa.ARRAY):
        return isinstance(kind.item_type, sa.String)
    return isinstance(kind, _TEXT_TYPES)


def _scan_table(
    conn: sa.Connection, table: sa.Table, text: list[sa.Column[Any]], matcher: Matcher, chunk: int
) -> tuple[list[Residue], int]:
    """Stream the key and text columns of ``table`` once; return residues and rows read."""
    key = list(table.primary_key.columns)
    key_names = tuple(c.name for c in key)
    selected = [*key, *(sa.cast(c, sa.Text) if isinstance(c.type, sa.JSON) else c for c in text)]
    result = conn.execution_options(yield_per=chunk).execute(sa.select(*selected))
    findings: dict[Residue, None] = {}
    number = 0
    for batch in result.partitions():
        for row in batch:
            number += 1
            for offset, column in enumerate(text, start=len(key)):
                value = _as_text(row[offset])
                if value is None or not matcher.search(value):
                    continue
                row_key = _row_key(row[: len(key)], matcher) if key else (number,)
                for hit in sorted(matcher.find(value), key=_order):
                    residue = _residue(hit, table.name, column.name, key_names, row_key)
                    findings[residue] = None
    return list(findings), number


def _residue(
    hit: Hit, table: str, column: str, key_names: tuple[str, ...], key: tuple[Any, ...]
) -> Residue:
    needle = hit.needle
    return Residue(
        needle.subject, table, column, key_names, key, needle.kind, needle.hash, hit.form
    )


def _order(hit: Hit) -> tuple[str, str, str]:
    return (hit.needle.subject, hit.needle.hash, hit.form)


def _as_text(value: Any) -> str | None:
    """A cell as text to search; drivers may hand JSON and arrays back as Python objects."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, default=str)
    return None


def _row_key(values: Sequence[Any], matcher: Matcher) -> tuple[Any, ...]:
    """Key values, each replaced by its hash when it holds a needle (an email as key, say)."""
    return tuple(
        f"sha256:{matcher.hash(v)}" if isinstance(v, str) and matcher.search(v) else v
        for v in values
    )


def _plain(value: Any) -> Any:
    """A key value as JSON: numbers and strings as they are, bytes as hex, anything else as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return value.hex() if isinstance(value, bytes) else str(value)


@contextmanager
def _errors(shown: str) -> Iterator[None]:
    """Turn driver errors into ConnectorError naming the (password-masked) URL."""
    try:
        yield
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ConnectorError(shown, f"residue scan failed: {reason}") from exc

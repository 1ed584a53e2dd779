"""Proof of absence: after an erasure, find what is left of its people anywhere in a database.

Every text and JSON column of every table, mapped or not, is read once for the whole batch
(one streamed scan per table, through the store's connector) and searched with one combined
matcher. Reports carry hashes of the values found, never the values.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rightsdesk.connectors.base import Discoverable
from rightsdesk.discovery.patterns import Hit, Matcher
from rightsdesk.discovery.sample import open_store
from rightsdesk.domain.schema import TableInfo

__all__ = ["Residue", "ResidueReport", "scan", "scan_store"]


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
    store = open_store("residue scan", url, schema=schema, chunk_size=chunk)
    try:
        return scan_store(store, matcher)
    finally:
        store.close()


def scan_store(store: Discoverable, matcher: Matcher) -> ResidueReport:
    """Search every text column of every table ``store`` describes with ``matcher``."""
    findings: list[Residue] = []
    warnings, columns, rows = list(matcher.warnings), 0, 0
    tables = [t for t in store.describe().tables.values() if any(_text(t))]
    for table in tables:
        text = _text(table)
        if not table.primary_key:
            warnings.append(f"table {table.name!r} has no primary key: rows are numbered")
        found, read = _scan_table(store, table, text, matcher)
        findings += found
        columns, rows = columns + len(text), rows + read
    return ResidueReport(tuple(findings), len(tables), columns, rows, tuple(warnings))


def _text(table: TableInfo) -> list[str]:
    """The columns of ``table`` a scan reads: text, JSON documents, arrays of text."""
    return [c.name for c in table.columns.values() if c.text]


def _scan_table(
    store: Discoverable, table: TableInfo, text: list[str], matcher: Matcher
) -> tuple[list[Residue], int]:
    """Stream the key and text columns of ``table`` once; return residues and rows read."""
    key_names = table.primary_key
    width = len(key_names)
    cells = list(enumerate(text, start=width))
    search = matcher.search
    findings: dict[Residue, None] = {}
    number = 0
    for batch in store.scan(table.name, [*key_names, *text], text=True):
        for row in batch:
            number += 1
            for offset, column in cells:
                value = row[offset]
                if value.__class__ is not str:  # the hot loop: most cells are text or NULL
                    value = _as_text(value)
                    if value is None:
                        continue
                if not search(value):
                    continue
                row_key = _row_key(row[:width], matcher) if width else (number,)
                for hit in sorted(matcher.find(value), key=_order):
                    residue = _residue(hit, table.name, column, key_names, row_key)
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

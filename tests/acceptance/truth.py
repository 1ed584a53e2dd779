"""The labelled truth of an application: who owns which row, and who is scored.

Each application labels its tables by hand (SQL written by someone who read the schema): a
label query returns the table's key columns and ``owner``, the username of a person whose row it
is (several rows of output for a row two people share, such as a follow or a message). A table
without a label must be listed as shared (catalogue, settings, content types): no person's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

#: A row's identity in a table: its key values as text (all columns when it has no key).
Key = tuple[str, ...]
#: (table, key)
RowId = tuple[str, Key]
#: SQL returning the key columns and ``owner``, or Python reading the rows itself.
Label = str | Callable[[sa.Connection], Iterable[tuple[Key, str]]]


@dataclass(frozen=True)
class Subject:
    """A person whose access and erasure is scored, and what they are a hard case of."""

    owner: str  # the username their rows are labelled with
    identities: tuple[tuple[str, str], ...]  # kind, value: how a request names them
    secrets: tuple[str, ...]  # values that must not survive their erasure
    case: str

    def identity_record(self) -> dict[str, str]:
        return {"id": self.owner, **dict(self.identities)}


@dataclass(frozen=True)
class Application:
    """A real application's schema, how to build it, and its labelled truth."""

    name: str
    origin: str
    backends: tuple[str, ...]
    sources: tuple[Path, ...]  # hashed, with the packages' versions, into the cache key
    packages: tuple[str, ...]
    build: Callable[[str], None]  # migrate/load and fill an empty database at this URL
    labels: Mapping[str, Label]
    shared: frozenset[str]
    subjects: tuple[Subject, ...]


@dataclass(frozen=True)
class Truth:
    """Owners of every labelled row."""

    owners: Mapping[RowId, frozenset[str]] = field(default_factory=dict)

    def rows_of(self, owner: str) -> frozenset[RowId]:
        return frozenset(row for row, who in self.owners.items() if owner in who)

    def is_shared(self, row: RowId) -> bool:
        return not self.owners.get(row)


def key_of(row: Mapping[Any, Any], columns: Iterable[str]) -> Key:
    return tuple(_text(row[c]) for c in columns)


def _text(value: object) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return str(value)


def label(app: Application, conn: sa.Connection, keys: Mapping[str, tuple[str, ...]]) -> Truth:
    """Run every label of ``app``; ``keys`` are each table's key columns."""
    unlabelled = set(keys) - set(app.labels) - app.shared
    if unlabelled:
        raise AssertionError(
            f"{app.name}: tables neither labelled nor shared: {sorted(unlabelled)}"
        )
    owners: dict[RowId, set[str]] = {}
    for table, how in app.labels.items():
        if isinstance(how, str):
            result = conn.execute(sa.text(how)).mappings()
            pairs: Iterable[tuple[Key, str]] = (
                (key_of(r, keys[table]), str(r["owner"])) for r in result
            )
        else:
            pairs = how(conn)
        for key, owner in pairs:
            owners.setdefault((table, key), set()).add(owner)
    return Truth({row: frozenset(who) for row, who in owners.items()})

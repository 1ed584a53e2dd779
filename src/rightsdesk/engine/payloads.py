"""Rows found by what their content names: a Django session holds the user's id only inside
signed base64 JSON, a PHP session the username inside serialized text, so no key can look them
up. The table is read in batches and a row goes to the people it names: by a payload decoded
(``domain/payloads.py``) under the keys the data map gives (``payload: {user_id:
_auth_user_id}``), or by a whole-word occurrence of their values of the kinds in ``contains``.

Each table is read once per run, for everyone in it. Where only ``contains`` text is watched,
the database returns only rows holding one of the values (``Connector.scan(containing=)``),
and a table is not read at all when nobody has such a value; an encoded payload has no text to
look for, so its table is read whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from rightsdesk.connectors.base import Connector, Row
from rightsdesk.datamap.model import DataMap
from rightsdesk.domain.payloads import decode_blob
from rightsdesk.engine.copies import PersonValues
from rightsdesk.engine.plan import Step
from rightsdesk.engine.traversal import Owners, RowSink, canon
from rightsdesk.masking.redaction import MIN_LENGTH, compile_values

Watch = tuple[tuple[int, str, str | None], ...]  # (column, kind, JSON key; None: contains)
_DEPTH = 8
#: Most values the database filters a scan by; a larger batch reads every row (one statement
#: of thousands of LIKE tests costs more than it saves, and SQLite caps expression depth).
MAX_FILTERED = 200


def payload_steps(datamap: DataMap) -> list[tuple[Step, Watch]]:
    """A step (with no keys: it is read whole) for every collection with a payload field.

    In a collection someone owns, a row whose ``contains`` text names a person only mentions
    them: the step names that field (``Step.mention``), so their erasure changes only it.
    """
    found = []
    for system, collection in datamap.collections():
        fields = [f for f in collection.fields if f.payload or f.contains]
        if not fields or not collection.personal:
            continue
        columns = tuple(f.name for f in collection.fields)
        mention = fields[0].name if collection.owner else None
        step = Step(
            system.name, collection.name, collection.primary_key, columns, (), (), mention=mention
        )
        watch: Watch = tuple(
            (columns.index(f.name), kind, key) for f in fields for kind, key in f.payload.items()
        ) + tuple((columns.index(f.name), kind, None) for f in fields for kind in f.contains)
        found.append((step, watch))
    return found


def find(
    steps: list[tuple[Step, Watch]],
    connectors: Mapping[str, Connector],
    values: PersonValues,
    people: int,
    sink: RowSink,
) -> None:
    """Send ``sink`` every row whose payload names one of the ``people``'s values."""
    for step, watch in steps:
        texts = _patterns(watch, values, people)
        wanted = _containing(step, watch, values, people)
        if wanted is not None and not any(wanted.values()):
            continue  # only text is watched, and nobody has a value to look for in it
        for batch in connectors[step.system].scan(step.collection, step.columns, wanted):
            rows: list[Row] = []
            owners: list[Owners] = []
            for row in batch:
                named = [
                    (kind, v)
                    for column, kind, key in watch
                    if key is not None
                    for v in _named(row[column], key)
                ]
                mine = frozenset(
                    s
                    for s in range(people)
                    if any(values.has(s, k, v) for k, v in named)
                    or any(_mentions(row[c], p) for c, p in texts.get(s, ()))
                )
                if mine:
                    rows.append(row)
                    owners.append(mine)
            if rows:
                sink.rows(step, rows, owners)


def _patterns(
    watch: Watch, values: PersonValues, people: int
) -> dict[int, list[tuple[int, re.Pattern[str]]]]:
    """Per person, (column, pattern of their values) for the ``contains`` columns."""
    found: dict[int, list[tuple[int, re.Pattern[str]]]] = {}
    for subject in range(people):
        for column, kind, key in watch:
            pattern = compile_values(values.of_kind(subject, kind)) if key is None else None
            if pattern is not None:
                found.setdefault(subject, []).append((column, pattern))
    return found


def _containing(
    step: Step, watch: Watch, values: PersonValues, people: int
) -> dict[str, list[str]] | None:
    """Column -> every value the ``contains`` patterns look for, for the database to filter
    rows by (a superset of those the patterns match); None to read every row: a payload is
    watched (encoded, no text to look for), or a value has non-ASCII letters with a case
    (the database's case folding may differ from the pattern's)."""
    if any(key is not None for _, _, key in watch):
        return None
    wanted: dict[str, set[str]] = {}
    for column, kind, _ in watch:
        found = wanted.setdefault(step.columns[column], set())
        for subject in range(people):
            found |= {v.strip() for v in values.of_kind(subject, kind)}
    for found in wanted.values():
        found -= {v for v in found if len(v) < MIN_LENGTH}
        if any(not _folds_as_ascii(v) for v in found):
            return None
    if sum(map(len, wanted.values())) > MAX_FILTERED:
        return None
    return {column: sorted(found) for column, found in wanted.items()}


def _folds_as_ascii(value: str) -> bool:
    return all(ch.isascii() or ch.lower() == ch.upper() for ch in value)


def _mentions(value: Any, pattern: re.Pattern[str]) -> bool:
    return isinstance(value, str) and pattern.search(value) is not None


def _named(value: Any, key: str) -> list[str]:
    if not isinstance(value, str):
        return []
    return [v for obj in decode_blob(value) for v in _values_at(obj, key, 0)]


def _values_at(obj: Any, key: str, depth: int) -> Iterator[str]:
    if depth > _DEPTH:
        return
    items = (
        obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    )
    for name, value in items:
        if name == key and isinstance(value, str | int) and not isinstance(value, bool):
            yield canon(value)
        elif isinstance(value, dict | list):
            yield from _values_at(value, key, depth + 1)

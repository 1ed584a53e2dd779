"""Rows found by what an encoded payload in them names: a Django session holds the user's id
only inside signed base64 JSON, so no key can look it up. The table is read in batches, each
payload decoded (``domain/payloads.py``), and a row goes to the people whose values it names
under the keys the data map gives (``payload: {user_id: _auth_user_id}``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from rightsdesk.connectors.base import Connector, Row
from rightsdesk.datamap.model import DataMap
from rightsdesk.domain.payloads import decode_blob
from rightsdesk.engine.copies import PersonValues
from rightsdesk.engine.plan import Step
from rightsdesk.engine.traversal import Owners, RowSink, canon

Watch = tuple[tuple[int, str, str], ...]  # (column, identity kind, JSON key)
_DEPTH = 8


def payload_steps(datamap: DataMap) -> list[tuple[Step, Watch]]:
    """A step (with no keys: it is read whole) for every collection with a payload field."""
    found = []
    for system, collection in datamap.collections():
        fields = [f for f in collection.fields if f.payload]
        if not fields or not collection.personal:
            continue
        columns = tuple(f.name for f in collection.fields)
        step = Step(system.name, collection.name, collection.primary_key, columns, (), ())
        watch = tuple(
            (columns.index(f.name), kind, key) for f in fields for kind, key in f.payload.items()
        )
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
        for batch in connectors[step.system].scan(step.collection, step.columns):
            rows: list[Row] = []
            owners: list[Owners] = []
            for row in batch:
                named = [(kind, v) for column, kind, key in watch for v in _named(row[column], key)]
                mine = frozenset(
                    s for s in range(people) if any(values.has(s, k, v) for k, v in named)
                )
                if mine:
                    rows.append(row)
                    owners.append(mine)
            if rows:
                sink.rows(step, rows, owners)


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

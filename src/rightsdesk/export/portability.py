"""The portability export (GDPR Art. 20, PIPL Art. 45(3)): what the person provided, on their
consent or a contract, as one JSON document of a documented schema (``portability.schema.json``).

A collection is portable when a purpose of the data map with basis ``consent`` or ``contract``
covers it (all its fields) or some of its fields (those only), and neither it nor the field
says ``provided: false`` (data the company derived or inferred: a risk score, a segment).
Credentials and other fields exported only as present are never part of it.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from importlib.resources import files
from typing import Any

from rightsdesk.connectors.base import Row
from rightsdesk.datamap.model import DataMap, FieldSpec
from rightsdesk.datamap.rights import Purpose
from rightsdesk.domain.actions import ExportMode
from rightsdesk.domain.subjects import Identity

FORMAT = "rightsdesk-portability/1"
#: The bases under which data is portable (GDPR Art. 20(1)(a)).
BASES = frozenset({"consent", "contract"})


def schema() -> dict[str, Any]:
    """The JSON Schema every document conforms to (shipped with the package)."""
    text = files("rightsdesk.export").joinpath("portability.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


@dataclass(frozen=True)
class Portable:
    """One collection's share of the export: the purposes covering it, and the fields."""

    name: str
    purposes: tuple[Purpose, ...]
    fields: tuple[FieldSpec, ...]


def portable(datamap: DataMap) -> dict[str, Portable]:
    """``system.collection`` -> what of it is portable, for every collection with a share."""
    out: dict[str, Portable] = {}
    bases = [p for p in datamap.purposes if p.basis in BASES]
    for system, collection in datamap.collections():
        name = f"{system.name}.{collection.name}"
        if not collection.personal or not collection.provided:
            continue
        whole = [p for p in bases if name in p.collections]
        some = [p for p in bases if p not in whole and p.covers(name)]
        named = {f.rpartition(".")[2] for p in some for f in p.fields if f.startswith(f"{name}.")}
        fields = tuple(
            f
            for f in collection.fields
            if f.provided and f.export_mode is ExportMode.VALUE and (whole or f.name in named)
        )
        if (whole or some) and fields:
            out[name] = Portable(name, (*whole, *some), fields)
    return out


def document(
    request_id: str,
    generated_at: datetime,
    controller: Mapping[str, str | None],
    identities: Sequence[Identity],
    shares: Mapping[str, Portable],
    rows: Mapping[str, tuple[Sequence[str], Sequence[Row]]],
) -> dict[str, Any]:
    """The document: ``rows`` per collection as (columns, rows), only portable fields kept."""
    collections = []
    for name in sorted(shares):
        share = shares[name]
        columns, found = rows.get(name, ((), ()))
        at = {c: i for i, c in enumerate(columns)}
        kept = [f for f in share.fields if f.name in at]
        collections.append(
            {
                "name": name,
                "purposes": sorted({p.name for p in share.purposes}),
                "bases": sorted({p.basis for p in share.purposes}),
                "fields": [{"name": f.name, "categories": list(f.categories)} for f in kept],
                "records": [{f.name: _plain(row[at[f.name]]) for f in kept} for row in found],
            }
        )
    return {
        "format": FORMAT,
        "request_id": request_id,
        "generated_at": generated_at.isoformat(),
        "controller": dict(controller),
        "subject": {"identities": [{"kind": i.kind, "value": i.value} for i in identities]},
        "collections": collections,
    }


def _plain(value: Any) -> Any:
    """A JSON scalar: dates in ISO 8601, decimals and anything else as text, bytes as base64."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    return str(value)

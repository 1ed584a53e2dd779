"""Rows as deterministic bytes for sealing, and back, keeping Decimal, date, datetime and bytes.

JSON has no type for these, so each becomes a one-key tagged object (``{"$decimal": "12.30"}``);
a mapping from the row itself whose keys start with ``$`` is wrapped in ``{"$map": ...}`` so it
is never mistaken for a tag. Keys are sorted and spacing fixed, so equal rows give equal bytes.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from rightsdesk.audit.chain import canonical
from rightsdesk.domain.errors import VaultError

#: Tag -> how to read the tagged text back.
_READ: dict[str, Callable[[str], Any]] = {
    "$decimal": Decimal,
    "$datetime": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$time": time.fromisoformat,
    "$uuid": UUID,
    "$bytes": base64.b64decode,
    "$float": float,
}
AAD_VERSION = "rightsdesk.vault/1"


def encode(row: Mapping[str, Any]) -> bytes:
    """The row's canonical bytes; raises VaultError for a value it cannot keep exactly."""
    return canonical(_tagged(row, "$"))


def decode(data: bytes) -> dict[str, Any]:
    row = _untagged(json.loads(data.decode("utf-8")))
    assert isinstance(row, dict)
    return row


def aad(
    subject: str, system: str, collection: str, row_key: str, rule: str, roles: Sequence[str]
) -> bytes:
    """What a ciphertext is bound to: moving it to another row, or widening its roles, fails."""
    fields = [AAD_VERSION, subject, system, collection, row_key, rule, sorted(roles)]
    return json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def plain(value: Any) -> Any:
    """A JSON-ready view for people: Decimal and dates as text, bytes as base64 (exact, untyped)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, Decimal | date | time | UUID):
        return value.isoformat() if isinstance(value, date | time) else str(value)
    return value


def _tagged(value: Any, where: str) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": str(value)}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, datetime):  # before date: a datetime is a date
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, UUID):
        return {"$uuid": str(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, Mapping):
        return _tagged_mapping(value, where)
    if isinstance(value, list | tuple):
        return [_tagged(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise VaultError(f"{where}: a {type(value).__name__} value cannot be sealed")


def _tagged_mapping(value: Mapping[Any, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise VaultError(f"{where}: key {key!r} is not text")
        out[key] = _tagged(item, f"{where}.{key}")
    if any(key.startswith("$") for key in out):
        return {"$map": out}
    return out


def _untagged(value: Any) -> Any:
    if isinstance(value, list):
        return [_untagged(item) for item in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        ((tag, inner),) = value.items()
        if tag == "$map":
            return {key: _untagged(item) for key, item in inner.items()}
        if tag in _READ:
            return _READ[tag](inner)
    return {key: _untagged(item) for key, item in value.items()}

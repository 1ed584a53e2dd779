"""Turning key values into the key column's type, so a value that cannot match is dropped."""

from __future__ import annotations

import codecs
import copy
import math
import uuid
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

Coerce = Callable[[Any], Any]

SKIP = object()
_NO_MATCH = (TypeError, ValueError, ArithmeticError, LookupError)  # a coercer's "cannot match"
_INT64 = 2**63
_BOOLS = {"1": True, "true": True, "t": True, "yes": True, "0": False, "false": False, "f": False}


def _text(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError(type(v).__name__)
    return v.strip()


def _number(v: Any) -> int | float | Decimal | str:
    if isinstance(v, bool) or not isinstance(v, int | float | Decimal | str):
        raise TypeError(type(v).__name__)
    return v


def _finite(x: Any) -> Any:
    if not math.isfinite(x):
        raise ValueError("not finite")
    return x


def _to_int(v: Any) -> int:
    if type(v) is str and v.isascii() and v.isdigit() and len(v) < 19:
        return int(v)  # the common case first: an id typed or read as text
    if type(v) is int and -_INT64 <= v < _INT64:
        return v
    if isinstance(v, str) and (not v.isascii() or "_" in v):
        raise ValueError("not plain ASCII digits")  # int() would take "4_2" and "٤٢"
    n = int(_number(v))
    if (n != v and not isinstance(v, str)) or not -_INT64 <= n < _INT64:
        raise ValueError("not an integral 64-bit value")
    return n


def to_str(v: Any) -> str:
    if type(v) is not str and (isinstance(v, bool) or not isinstance(v, int | uuid.UUID)):
        raise TypeError(type(v).__name__)
    s = str(v)
    if "\x00" in s:
        raise ValueError("NUL")  # PostgreSQL refuses NUL in text
    if not s.isascii():
        s.encode("utf-8")  # lone surrogates raise here instead of in the driver
    return s


def _to_date(v: Any) -> date:
    if isinstance(v, datetime):
        return v.date()
    return v if isinstance(v, date) else date.fromisoformat(_text(v))


def as_is(v: Any) -> Any:
    hash(v)  # an unhashable value cannot be a key
    return v


#: key column's python type -> coercer, which raises one of _NO_MATCH for a value that can't match
COERCERS: dict[type, Coerce] = {
    int: _to_int,
    str: to_str,
    float: lambda v: _finite(float(_number(v))),
    Decimal: lambda v: _finite(Decimal(str(_number(v)).strip())),
    bool: lambda v: v if isinstance(v, bool) else _BOOLS[_text(str(v)).lower()],
    date: _to_date,
    datetime: lambda v: v if isinstance(v, datetime) else datetime.fromisoformat(_text(v)),
    bytes: lambda v: (
        bytes(v) if isinstance(v, bytes | bytearray | memoryview) else _text(v).encode()
    ),
    uuid.UUID: lambda v: v if isinstance(v, uuid.UUID) else uuid.UUID(_text(v)),
}


def to_str_in(charset: str) -> Coerce:
    """``_to_str`` that also rejects text a MySQL charset cannot hold (comparing it would fail)."""
    bmp_only = charset in ("utf8", "utf8mb3", "ucs2")
    try:  # MySQL's "latin1" is Windows-1252; unknown names (utf8mb4, binary) hold anything
        codec: str | None = codecs.lookup({"latin1": "cp1252"}.get(charset, charset)).name
    except LookupError:
        codec = None

    def coerce(v: Any) -> str:
        s = to_str(v)
        if not s.isascii():
            if bmp_only and any(ord(c) > 0xFFFF for c in s):
                raise ValueError("outside the Basic Multilingual Plane")
            if codec:
                s.encode(codec)  # UnicodeEncodeError is a ValueError: cannot match
        return s

    return coerce


def python_type(column_type: Any) -> type | None:
    try:
        found: type = column_type.python_type
    except NotImplementedError:
        return None
    return found


def key_of(coerce: Coerce, value: Any) -> Any:
    """``value`` in the key column's type, or ``SKIP`` when it cannot match any row."""
    try:
        key = coerce(value)
    except _NO_MATCH:
        return SKIP
    return SKIP if key is None else key  # NULL never matches


def unique_keys(coerce: Coerce, values: Sequence[Any]) -> list[Any]:
    keys = dict.fromkeys(key_of(coerce, value) for value in values)
    keys.pop(SKIP, None)
    return list(keys)


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    return (items[i : i + size] for i in range(0, len(items), size))


def bind_type(column: sa.Column[Any]) -> Any:
    """The key's type without length or precision, so a bound value is never cast and cut short."""
    t = column.type
    if isinstance(t, sa.Integer):
        return sa.BigInteger()
    if isinstance(t, sa.CHAR | sa.Numeric) and not isinstance(t, sa.Float):
        return sa.Text() if isinstance(t, sa.CHAR) else sa.Numeric()
    if isinstance(t, sa.String) and t.length is not None:
        unbounded = copy.copy(t)
        unbounded.length = None
        return unbounded
    return t

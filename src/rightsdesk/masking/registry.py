"""Name -> strategy class, built-ins plus entry points; and parsing of the data map's ``erase:``."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Any

from rightsdesk.masking.base import MaskingStrategy
from rightsdesk.masking.redaction import Redact
from rightsdesk.masking.strategies import (
    DeleteRow,
    FixedValue,
    Generalize,
    KeyedHash,
    Pseudonym,
    SetNull,
)

ENTRY_POINT_GROUP = "rightsdesk.masking"

BUILTIN: tuple[type[MaskingStrategy], ...] = (
    DeleteRow,
    SetNull,
    FixedValue,
    KeyedHash,
    Pseudonym,
    Generalize,
    Redact,
)

#: Shorthand parameter for ``{name: scalar}`` forms, e.g. ``{fixed: "x"}``, ``{generalize: year}``.
_SHORTHAND = {"fixed": "value", "generalize": "to", "hash": "length"}


def strategies() -> dict[str, type[MaskingStrategy]]:
    found: dict[str, type[MaskingStrategy]] = {
        ep.name: ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP)
    }
    return {**found, **{cls.name: cls for cls in BUILTIN}}


def parse_erase(raw: Any) -> MaskingStrategy:
    """Build a strategy from a data map ``erase:`` value: ``name`` or ``{name: params}``.

    Raises ValueError with a readable reason.
    """
    if isinstance(raw, str):
        name, params = raw, {}
    elif isinstance(raw, dict) and len(raw) == 1:
        name, value = next(iter(raw.items()))
        if isinstance(value, dict):
            params = value
        elif value is None:
            params = {}
        elif name in _SHORTHAND:
            params = {_SHORTHAND[name]: value}
        else:
            raise ValueError(f"{name}: takes no shorthand value; write {{{name}: {{...}}}}")
    else:
        raise ValueError(
            "erase must be a strategy name (e.g. set_null) or one {name: parameters} mapping"
        )
    known = strategies()
    cls = known.get(str(name))
    if cls is None:
        raise ValueError(f"unknown erasure strategy {name!r}; choose from: {', '.join(known)}")
    return cls(params)

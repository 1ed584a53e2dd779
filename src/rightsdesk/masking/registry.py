"""Name -> strategy class, built-ins plus entry points; and parsing of the data map's ``erase:``."""

from __future__ import annotations

from typing import Any

from rightsdesk.masking.base import MaskingStrategy
from rightsdesk.plugins import Registry, subclass_of

ENTRY_POINT_GROUP = "rightsdesk.masking"

#: name -> strategy class; the built-ins are declared in pyproject.toml, as a plugin's are.
STRATEGIES: Registry[type[MaskingStrategy]] = Registry(
    ENTRY_POINT_GROUP, "erasure strategy", subclass_of(MaskingStrategy)
)

#: Shorthand parameter for ``{name: scalar}`` forms, e.g. ``{fixed: "x"}``, ``{generalize: year}``.
_SHORTHAND = {"fixed": "value", "generalize": "to", "hash": "length"}


def strategies() -> dict[str, type[MaskingStrategy]]:
    return STRATEGIES.load_all()


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
    if str(name) not in STRATEGIES:
        known = ", ".join(STRATEGIES.names())
        raise ValueError(f"unknown erasure strategy {name!r}; choose from: {known}")
    return STRATEGIES.get(str(name))(params)

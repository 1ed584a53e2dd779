"""A row the law says must be kept, handed from the engine to the retention vault."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class HeldRow:
    """One retained row of one person, with the rule that keeps it and who may read it.

    ``subject`` is the id of the subject it belongs to (a request or a tombstone id), ``key``
    the row's primary key as text, ``row`` its kept columns as JSON-ready values.
    """

    subject: str
    system: str
    collection: str
    key: str
    rule: str
    basis: str
    until: date | None
    roles: tuple[str, ...]
    row: dict[str, Any]

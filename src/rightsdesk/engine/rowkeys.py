"""How erasure finds a row again: by its primary key, or, in a table without one, by its
values in all the columns it can be found by (its key or reference columns; a None there
matches IS NULL).

The second is exact: a row agreeing with a found row on every column rows are found by was
read by the same queries and, holding the same identifying values, is the same person's (a
copy row's check looks at exactly those values). Matching on them all, not on the first
column as before, never reaches further.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from rightsdesk.connectors.base import Key, Row
from rightsdesk.engine.plan import Step


def row_identity(row: Row) -> tuple[Any, ...]:
    """A hashable stand-in for a whole row (JSON columns arrive as dicts and lists)."""
    return tuple(v if isinstance(v, Hashable) else repr(v) for v in row)


class RowKeys:
    def __init__(self, step: Step) -> None:
        self.keyless = step.primary_key is None
        self.primary_key = step.primary_key or ""
        self.index = {c: i for i, c in enumerate(step.columns)}
        found_by = [k.field for k in step.keys if k.field in self.index]
        self.fields = tuple(dict.fromkeys(found_by or step.columns))

    def of(self, pk: Any, row: Row) -> tuple[Key, Any]:
        """The key column(s) of ``row`` and its value there (a tuple for several)."""
        if not self.keyless:
            return self.primary_key, pk
        if len(self.fields) == 1:
            return self.fields[0], row[self.index[self.fields[0]]]
        return self.fields, tuple(row[self.index[f]] for f in self.fields)

    @staticmethod
    def also(names: Key, value: Any, column: str, old: Any) -> tuple[Key, Any]:
        """The key ``names`` = ``value`` narrowed to rows where ``column`` still holds ``old``."""
        if isinstance(names, str):
            names, value = (names,), (value,)
        if column in names:
            return (names[0], value[0]) if len(names) == 1 else (names, value)
        return (*names, column), (*value, old)

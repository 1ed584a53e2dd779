"""Fit a strategy to the live column it writes, so masking never breaks the schema.

A UNIQUE column gets a value per row (a constant would collide on the second row), a NOT NULL
column never gets NULL (a blank of its type instead), text is cut to the column's length, and
a column in a foreign key, on either side, is never given a value the key cannot hold: a
referencing column is set to NULL where it may be, and is otherwise left as it is, like a
column other tables refer to (``fit`` returns None and says why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from rightsdesk.domain.actions import ValueType
from rightsdesk.domain.schema import ColumnInfo, SchemaInfo, TableInfo
from rightsdesk.masking.base import MaskingKey, MaskingStrategy
from rightsdesk.masking.redaction import Redact
from rightsdesk.masking.strategies import SetNull

_LENGTH = re.compile(r"\((\d+)\)")
#: Hex digits of the keyed suffix that keeps masked values of a UNIQUE column apart (48 bits).
SUFFIX = 12
_BLANKS: dict[str, object] = {
    "str": "",
    "int": 0,
    "float": 0.0,
    "decimal": Decimal(0),
    "bool": False,
    "date": date(1970, 1, 1),
    "datetime": datetime(1970, 1, 1),
    "bytes": b"",
}


@dataclass(frozen=True)
class Unfit:
    """A field erasure leaves as it is, and why."""

    field: str
    reason: str


class Fitted(MaskingStrategy):
    """``inner`` with its output made to fit ``column`` (see the module docstring)."""

    name = "fitted"

    def __init__(self, inner: MaskingStrategy, column: ColumnInfo) -> None:
        super().__init__({})
        self.inner, self.column = inner, column
        self.name = inner.name  # type: ignore[misc]
        # a constant is one value for every row: a UNIQUE column needs one per row
        self.row_independent = inner.row_independent and not column.unique  # type: ignore[misc]
        found = _LENGTH.search(column.type) if column.python_type == "str" else None
        self.length = int(found.group(1)) if found else None

    def mask(self, value: object, key: MaskingKey) -> object:
        if value is None and self.column.unique and self.column.nullable:
            return None  # nothing to erase, and NULLs never collide
        out = self.inner.mask(value, key)
        if out is None and not self.column.nullable:
            out = _BLANKS.get(self.column.python_type or "str", "")
        if out is not None and self.column.unique and self.inner.row_independent:
            out = _apart(out, value, key)
        if isinstance(out, str) and self.length is not None and len(out) > self.length:
            # keep the end: it holds the suffix that keeps UNIQUE values apart
            out = out[-self.length :] if self.column.unique else out[: self.length]
        return out

    def describe(self) -> str:
        return self.inner.describe()


def fit(
    strategy: MaskingStrategy, field: str, table: TableInfo, referenced: frozenset[str]
) -> MaskingStrategy | Unfit:
    """The strategy to use on ``table.field``; ``referenced`` are columns other tables refer to."""
    column = table.columns.get(field)
    if column is None:
        return strategy  # the connector reports a missing column when the change is applied
    if field in referenced:
        return Unfit(field, "other tables refer to this column; masking would break them")
    if any(field in fk.columns for fk in table.foreign_keys):
        if column.nullable:
            return Fitted(SetNull({}), column)
        return Unfit(field, "a NOT NULL foreign key: no other value keeps the reference valid")
    if isinstance(strategy, Redact):
        return strategy  # keeps the value's length and never writes NULL
    if column.unique or not column.nullable or column.python_type == "str":
        return Fitted(strategy, column)
    return strategy


def _apart(out: object, value: object, key: MaskingKey) -> object:
    """``out`` made distinct per original ``value`` with a keyed suffix (a UNIQUE column)."""
    digest = key.digest(value, purpose="unique")
    if isinstance(out, str):
        suffix = digest.hex()[:SUFFIX]
        return f"{out}-{suffix}" if out else suffix
    if isinstance(out, int) and not isinstance(out, bool):
        return -int.from_bytes(digest[:4], "big") - 1  # negative: apart from real ids too
    return out


@dataclass(frozen=True)
class Columns:
    """One table's live schema, and the columns of it that other tables' foreign keys use."""

    table: TableInfo
    referenced: frozenset[str] = frozenset()


def fit_all(
    masks: dict[str, MaskingStrategy], columns: Columns
) -> tuple[dict[str, MaskingStrategy], tuple[Unfit, ...]]:
    """``masks`` fitted to ``columns``; the fields left unmasked, each with its reason."""
    fitted: dict[str, MaskingStrategy] = {}
    unfit: list[Unfit] = []
    for name, strategy in masks.items():
        found = fit(strategy, name, columns.table, columns.referenced)
        if isinstance(found, Unfit):
            unfit.append(found)
        else:
            fitted[name] = found
    return fitted, tuple(unfit)


def columns_of(system: str, schema: SchemaInfo) -> dict[str, Columns]:
    """``system.table`` -> its ``Columns``, with the columns the schema's foreign keys refer to."""
    referenced: dict[str, set[str]] = {}
    for table in schema.tables.values():
        for fk in table.foreign_keys:
            referenced.setdefault(fk.referred_table, set()).update(fk.referred_columns)
    return {
        f"{system}.{name}": Columns(table, frozenset(referenced.get(name, ())))
        for name, table in schema.tables.items()
    }


#: Value types each built-in strategy can write (set_null and delete_row fit any).
_WRITES: dict[str, frozenset[ValueType]] = {
    "hash": frozenset({ValueType.STRING}),
    "pseudonym": frozenset({ValueType.STRING, ValueType.INTEGER}),
}
_GENERALIZES = {
    "year": frozenset({ValueType.DATE, ValueType.DATETIME, ValueType.STRING}),
    "month": frozenset({ValueType.DATE, ValueType.DATETIME, ValueType.STRING}),
    "network": frozenset({ValueType.STRING}),
}
_CONSTANTS: dict[ValueType, tuple[type, ...]] = {
    ValueType.STRING: (str,),
    ValueType.INTEGER: (int,),
    ValueType.FLOAT: (int, float),
    ValueType.BOOLEAN: (bool,),
    ValueType.DATE: (str, date),
    ValueType.DATETIME: (str, datetime),
}


def type_problem(strategy: MaskingStrategy, value_type: ValueType) -> str | None:
    """Why ``strategy`` cannot write a value of ``value_type`` (None: it can, or is unknown)."""
    if strategy.name == "fixed":
        value = strategy.params["value"]
        allowed = _CONSTANTS.get(value_type, ())
        is_bool = isinstance(value, bool)
        if value is None or (
            isinstance(value, allowed) and (is_bool == (value_type is ValueType.BOOLEAN))
        ):
            return None
        return f"erase: fixed value {value!r} is not a {value_type} value"
    if strategy.name == "generalize":
        fits = _GENERALIZES.get(str(strategy.params.get("to")), frozenset())
    else:
        fits = _WRITES.get(strategy.name, frozenset(ValueType))
    if value_type in fits:
        return None
    return f"erase: {strategy.describe()} cannot write a {value_type} field"

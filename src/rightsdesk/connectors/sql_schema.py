"""Describing a live SQL schema as plain ``TableInfo`` data."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from itertools import takewhile
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import CompileError

from rightsdesk.connectors import base
from rightsdesk.connectors.sql_keys import python_type

_TYPE_NAMES = {int: "int", str: "str", float: "float", bool: "bool", date: "date"}
_TYPE_NAMES |= {datetime: "datetime", Decimal: "decimal", bytes: "bytes"}
_TEXT_TYPES = (sa.String, sa.JSON, sa.types.NullType)


@contextmanager
def reflecting() -> Iterator[None]:
    """Silence reflection's warnings on what it skips (expression indexes, unknown types)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sa.exc.SAWarning)
        yield


def table_info(name: str, dialect: sa.Dialect, parts: dict[str, Any]) -> base.TableInfo:
    """One table's inspector dicts as plain ``base.TableInfo``."""
    primary_key = tuple(parts["pk"]["constrained_columns"])
    unique_sets: list[list[str | None]] = [u["column_names"] for u in parts["uniques"]]
    unique_sets += [ix["column_names"] for ix in parts["indexes"] if ix["unique"]]
    singles = {s[0] for s in [*unique_sets, primary_key] if len(s) == 1}
    indexed = [ix["column_names"] for ix in parts["indexes"]] + unique_sets
    return base.TableInfo(
        name=name,
        columns={
            c["name"]: _column_info(c, dialect, c["name"] in singles) for c in parts["columns"]
        },
        primary_key=primary_key,
        foreign_keys=tuple(
            base.ForeignKeyInfo(
                tuple(fk["constrained_columns"]),
                fk["referred_table"],
                tuple(fk["referred_columns"]),
            )
            for fk in parts["fks"]
        ),
        indexes=tuple(dict.fromkeys(lead for cols in indexed if (lead := _leading(cols)))),
    )


def _column_info(column: Any, dialect: sa.Dialect, unique: bool) -> base.ColumnInfo:
    try:
        type_name = str(column["type"].compile(dialect=dialect)).lower()
    except CompileError:  # e.g. an untyped SQLite column
        type_name = "null"
    return base.ColumnInfo(
        name=column["name"],
        type=type_name,
        python_type=_TYPE_NAMES.get(python_type(column["type"]) or object),
        nullable=bool(column["nullable"]),
        unique=unique,
        text=is_text(column["type"]),
    )


def is_text(kind: Any) -> bool:
    """Whether values of this SQL type are text, JSON or arrays of text (a residue scan reads
    them; unknown types too, as SQLite's untyped columns hold anything)."""
    if isinstance(kind, sa.ARRAY):
        return isinstance(kind.item_type, sa.String)
    return isinstance(kind, _TEXT_TYPES)


def _leading(columns: Sequence[str | None]) -> tuple[str, ...]:
    """An index's columns up to its first expression (which reflection reports as None)."""
    return tuple(c for c in takewhile(lambda c: c is not None, columns) if c is not None)

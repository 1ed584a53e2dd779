"""Masking fitted to the live column: UNIQUE per row, NOT NULL never NULL, keys never broken."""

from __future__ import annotations

from datetime import date

import pytest

from rightsdesk.domain.schema import ColumnInfo, ForeignKeyInfo, TableInfo
from rightsdesk.masking.base import MaskingKey
from rightsdesk.masking.fitting import Unfit, fit
from rightsdesk.masking.registry import parse_erase

KEY = MaskingKey(b"k")


def column(kind: str = "varchar(150)", *, py: str = "str", null: bool, unique: bool) -> ColumnInfo:
    return ColumnInfo("c", kind, py, null, unique)


def table(col: ColumnInfo, *, fk: bool = False) -> TableInfo:
    keys = (ForeignKeyInfo(("c",), "users", ("id",)),) if fk else ()
    return TableInfo("t", {"c": col}, ("id",), keys)


@pytest.mark.parametrize(
    ("erase", "col", "values", "check"),
    [
        # a constant on a UNIQUE column: one value per row, still starting with the constant
        (
            {"fixed": "gone"},
            column(null=False, unique=True),
            ["ann", "bob"],
            lambda out: len(set(out)) == 2 and all(o.startswith("gone-") for o in out),
        ),
        # NULL on a NOT NULL UNIQUE column: a distinct blank per row, never NULL
        (
            "set_null",
            column(null=False, unique=True),
            ["ann", "bob"],
            lambda out: len(set(out)) == 2 and None not in out,
        ),
        # NULL on a NOT NULL column: the type's blank
        ("set_null", column(null=False, unique=False), ["ann"], lambda out: out == [""]),
        ("set_null", column("integer", py="int", null=False, unique=False), [7], [0].__eq__),
        (
            "set_null",
            column("date", py="date", null=False, unique=False),
            [date(1990, 5, 1)],
            [date(1970, 1, 1)].__eq__,
        ),
        # NULL where NULL is allowed stays NULL, even on a UNIQUE column
        ("set_null", column(null=True, unique=True), ["ann", "bob"], [None, None].__eq__),
        # text never longer than the column; a UNIQUE column keeps the distinguishing end
        (
            {"hash": 32},
            column("varchar(10)", null=False, unique=False),
            ["ann"],
            lambda out: len(out[0]) == 10,
        ),
        (
            {"fixed": "erased-by-request"},
            column("varchar(14)", null=False, unique=True),
            ["ann", "bob"],
            lambda out: len(set(out)) == 2 and all(len(o) == 14 for o in out),
        ),
        # an integer UNIQUE column gets distinct negative numbers
        (
            {"fixed": 0},
            column("integer", py="int", null=False, unique=True),
            [1, 2],
            lambda out: len(set(out)) == 2 and all(o < 0 for o in out),
        ),
    ],
)
def test_fitted_values_obey_the_column(
    erase: object, col: ColumnInfo, values: list[object], check: object
) -> None:
    fitted = fit(parse_erase(erase), "c", table(col), frozenset())
    assert not isinstance(fitted, Unfit)
    out = [fitted.mask(v, KEY) for v in values]
    assert callable(check) and check(out), out


@pytest.mark.parametrize(
    ("col", "fk", "referenced", "expected"),
    [
        (column("integer", py="int", null=True, unique=False), True, False, "set_null"),
        (column("integer", py="int", null=False, unique=False), True, False, "unfit"),
        (column(null=False, unique=True), False, True, "unfit"),
    ],
)
def test_foreign_keys_are_never_broken(
    col: ColumnInfo, fk: bool, referenced: bool, expected: str
) -> None:
    fitted = fit(
        parse_erase("pseudonym"),
        "c",
        table(col, fk=fk),
        frozenset({"c"}) if referenced else frozenset(),
    )
    if expected == "unfit":
        assert isinstance(fitted, Unfit) and fitted.reason
    else:
        assert not isinstance(fitted, Unfit) and fitted.mask(5, KEY) is None


def test_a_constant_on_a_unique_column_is_no_longer_one_update_for_every_row() -> None:
    unique = fit(
        parse_erase({"fixed": "x"}), "c", table(column(null=False, unique=True)), frozenset()
    )
    plain = fit(
        parse_erase({"fixed": "x"}), "c", table(column(null=True, unique=False)), frozenset()
    )
    assert not isinstance(unique, Unfit) and not unique.row_independent
    assert not isinstance(plain, Unfit) and plain.row_independent

"""The person-name detector: Chinese names with a common surname, Latin "First Last"."""

from __future__ import annotations

import pytest

from rightsdesk.discovery import by_name

NAME = by_name("person_name")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("王伟", True),
        ("李秀英", True),
        ("欧阳思远", True),  # compound surname
        ("司马光", True),
        ("Li Wei", True),
        ("John Smith", True),
        ("Mary Ann O'Brien", True),
        ("Jean-Luc Picard", True),
        ("欧阳", False),  # a surname alone
        ("王", False),
        ("服务订阅", False),  # not a surname first
        ("王小明同学你好", False),  # too long
        ("john smith", False),
        ("JOHN SMITH", False),
        ("Cloud Storage 100GB", False),
        ("Smith", False),
    ],
)
def test_whole_values(value: str, expected: bool) -> None:
    assert NAME.matches(value) is expected


def test_names_are_not_searched_inside_free_text() -> None:
    assert NAME.weight < 0.5  # too weak from content alone; see classify.TEXT_WEIGHT


@pytest.mark.parametrize(
    ("column", "hint"),
    [
        ("real_name", "name"),
        ("buyerName", "name"),
        ("姓名", "姓名"),
        ("username_changed", None),
        ("renamed_at", None),
    ],
)
def test_column_hints(column: str, hint: str | None) -> None:
    assert NAME.hint(column) == hint

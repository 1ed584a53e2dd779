"""The name-part detector: one word is a name only under a first/last-name column."""

from __future__ import annotations

import pytest

from rightsdesk.discovery import by_name, classify_column

NAME_PART = by_name("name_part")


@pytest.mark.parametrize(
    ("value", "hinted", "expected"),
    [
        ("Anna", True, True),
        ("O'Brien", True, True),
        ("伟", True, True),
        ("anna", True, False),  # not capitalised
        ("Anna", False, False),  # a capitalised word anywhere else is not a name
        ("Anna Smith", True, False),  # a full name is person_name's
    ],
)
def test_whole_values(value: str, hinted: bool, expected: bool) -> None:
    assert NAME_PART.matches(value, hinted=hinted) is expected


@pytest.mark.parametrize(
    ("column", "found"), [("last_name", True), ("name", False), ("provider", False)]
)
def test_only_name_part_columns_are_classified(column: str, found: bool) -> None:
    finding = classify_column(column, ["Google", "Weibo", "Github"])
    detectors = {k.detector for k in finding.kinds}
    assert ("name_part" in detectors) is found

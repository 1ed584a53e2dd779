"""The username detector: only under a username-like column name."""

from __future__ import annotations

import pytest

from rightsdesk.discovery import by_name, classify_column

USERNAME = by_name("username")


@pytest.mark.parametrize(
    ("value", "hinted", "expected"),
    [
        ("li.wei", True, True),
        ("anna_k+test@corp", True, True),
        ("x", True, False),  # one character
        ("li.wei", False, False),  # a word in any other column proves nothing
        ("has space", True, False),
    ],
)
def test_whole_values(value: str, hinted: bool, expected: bool) -> None:
    assert USERNAME.matches(value, hinted=hinted) is expected


@pytest.mark.parametrize(("column", "found"), [("username", True), ("status", False)])
def test_only_a_hinted_column_is_classified(column: str, found: bool) -> None:
    finding = classify_column(column, ["li.wei", "anna", "zhang_min", "bob42"])
    assert (finding.best is not None and finding.best.detector == "username") is found

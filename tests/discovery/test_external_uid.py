"""The external-uid detector: ids at another service, only under a uid-like column name."""

from __future__ import annotations

import pytest

from rightsdesk.discovery import by_name, classify_column

EXTERNAL_UID = by_name("external_uid")


@pytest.mark.parametrize(
    ("value", "hinted", "expected"),
    [
        ("109876543210987654321", True, True),  # a 21-digit Google account id
        ("oGZUI0egBJY1zhBYw2KhdUfwVJJE", True, True),  # a WeChat OpenID
        ("12345", True, False),  # too short
        ("109876543210987654321", False, False),  # only under a uid-like column
    ],
)
def test_whole_values(value: str, hinted: bool, expected: bool) -> None:
    assert EXTERNAL_UID.matches(value, hinted=hinted) is expected


@pytest.mark.parametrize(("column", "found"), [("openid", True), ("order_no", False)])
def test_only_a_hinted_column_is_classified(column: str, found: bool) -> None:
    finding = classify_column(
        column, ["oGZUI0egBJY1zhBYw2KhdUfwVJJE", "oGZUI0egBJY1zhBYw2KhdUfw1234"]
    )
    assert (finding.best is not None and finding.best.detector == "external_uid") is found

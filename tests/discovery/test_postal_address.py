"""The postal-address detector: Chinese address markers and Latin street patterns."""

from __future__ import annotations

import pytest

from rightsdesk.discovery import by_name

ADDRESS = by_name("postal_address")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("广东省深圳市南山区科技园路12号", True),
        ("上海市徐汇区漕溪北路88号", True),
        ("北京市朝阳区建国路", True),
        ("海淀区中关村大街27号3单元501室", True),
        ("12 Main Street, Springfield, IL 62704", True),
        ("No. 12 Zhongshan Road, Xuhui District, Shanghai", True),
        ("221B Baker St", True),
        ("1600 Pennsylvania Ave, Washington, DC 20500", True),
        ("17 人民路", True),  # a street in two scripts
        ("Rue des Lilas 101号", True),
        ("3号", False),  # a number alone
        ("上海市", False),  # a city alone
        ("市场区域", False),  # markers, but no road or number
        ("Main Street", False),  # no house number
        ("hello world", False),
        ("12 apples", False),
    ],
)
def test_whole_values(value: str, expected: bool) -> None:
    assert ADDRESS.matches(value) is expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("请寄到 北京市朝阳区建国路88号，谢谢", "北京市朝阳区建国路88号"),  # noqa: RUF001
        ("ship to 12 Main Street, Springfield please", "12 Main Street, Springfield please"),
        ("no address in here", None),
    ],
)
def test_found_in_text(text: str, found: str | None) -> None:
    assert ADDRESS.find(text) == found

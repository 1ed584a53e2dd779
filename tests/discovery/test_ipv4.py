"""The IPv4 detector, validated by the standard library."""

from __future__ import annotations

import pytest

from rightsdesk.discovery import by_name

IPV4 = by_name("ipv4")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("192.168.1.1", True),
        ("8.8.8.8", True),
        ("0.0.0.0", True),
        ("255.255.255.255", True),
        ("256.1.1.1", False),
        ("10.0.0", False),
        ("10.0.0.1.5", False),
        ("010.0.0.1", False),  # leading zeros are ambiguous; ipaddress refuses them
        ("1.2.3.a", False),
    ],
)
def test_whole_values(value: str, expected: bool) -> None:
    assert IPV4.matches(value) is expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("login from 203.0.113.9 at noon", "203.0.113.9"),
        ("version 1.2.3.4.5", None),
        ("no address", None),
    ],
)
def test_found_in_text(text: str, found: str | None) -> None:
    assert IPV4.find(text) == found

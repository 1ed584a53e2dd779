"""The IPv6 detector, validated by the standard library."""

from __future__ import annotations

import pytest

from rightsdesk.discovery import by_name

IPV6 = by_name("ipv6")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2001:db8::1", True),
        ("2001:0db8:85a3:0000:0000:8a2e:0370:7334", True),
        ("fe80::1ff:fe23:4567:890a", True),
        ("::ffff:192.0.2.128", True),
        ("12:30:45", False),  # a time of day
        ("2001:db8:::1", False),
        ("::", False),  # too little written out to be personal
        ("2001:db8::g1", False),
    ],
)
def test_whole_values(value: str, expected: bool) -> None:
    assert IPV6.matches(value) is expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("client 2001:db8::42 connected", "2001:db8::42"),
        ("at 12:30:45 sharp", None),
    ],
)
def test_found_in_text(text: str, found: str | None) -> None:
    assert IPV6.find(text) == found

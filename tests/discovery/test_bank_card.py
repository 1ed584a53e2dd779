"""The bank card detector: 13-19 digits with an issuer prefix and the Luhn check."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightsdesk.discovery import by_name
from tests.discovery.factories import luhn_complete, resident_id, wrong_check

CARD = by_name("bank_card")
UNIONPAY = luhn_complete("621700123456789012")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4111111111111111", True),  # Visa test number
        ("5500005555555559", True),  # Mastercard
        ("378282246310005", True),  # Amex, 15 digits
        (UNIONPAY, True),  # UnionPay 62, 19 digits
        (luhn_complete("622848001234567"), True),  # UnionPay 62, 16 digits
        ("4111 1111 1111 1111", True),
        ("4111-1111-1111-1111", True),
        ("4111111111111112", False),  # 16 digits failing Luhn
        (wrong_check(UNIONPAY), False),
        (luhn_complete("911111111111111"), False),  # no issuer starts with 9
        ("0000000000000000", False),
        (luhn_complete("41111111111"), False),  # 12 digits
        (luhn_complete("4" * 19), False),  # 20 digits
        (resident_id("410105", sequence=0), False),  # never a resident ID, even if Luhn passes
    ],
)
def test_whole_values(value: str, expected: bool) -> None:
    assert CARD.matches(value) is expected


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("paid with card 4111 1111 1111 1111 yesterday", "4111 1111 1111 1111"),
        (f"银行卡号{UNIONPAY}已绑定", UNIONPAY),
        ("order 4111111111111112 shipped", None),
    ],
)
def test_found_in_text(text: str, found: str | None) -> None:
    assert CARD.find(text) == found


@given(st.from_regex(r"62\d{13,16}", fullmatch=True))
def test_every_luhn_completed_unionpay_number_validates(partial: str) -> None:
    assert CARD.matches(luhn_complete(partial))

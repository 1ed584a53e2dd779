"""Validation hooks: check digits, calendar dates and address parsing for the built-in detectors."""

from __future__ import annotations

import ipaddress
import re
from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_DATE = re.compile(
    r"(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?(?:[ T].*)?|(\d{1,2})/(\d{1,2})/(\d{4})"
)
_EARLIEST = date(1900, 1, 1)


def resident_id_check(body: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits of a resident ID number."""
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id(value: str) -> bool:
    """An 18-character PRC resident ID: digits, a real birth date, and a correct check character."""
    value = value.upper()
    if len(value) != 18 or not value[:17].isdigit() or value[0] == "0":
        return False
    return _real_date(value[6:10], value[10:12], value[12:14]) and (
        resident_id_check(value[:17]) == value[17]
    )


def luhn(value: str) -> bool:
    """A 13-19 digit card number (spaces or dashes allowed) that passes the Luhn check."""
    digits = value.replace(" ", "").replace("-", "")
    if not digits.isdigit() or not 13 <= len(digits) <= 19 or digits.strip("0") == "":
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def bank_card(value: str) -> bool:
    """A Luhn-valid card number with an issuer prefix (2-6), and not a resident ID number."""
    digits = value.replace(" ", "").replace("-", "")
    return luhn(digits) and digits[0] in "23456" and not resident_id(digits)


def uscc_check(body: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code."""
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(body, _USCC_WEIGHTS[:17], strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def uscc(value: str) -> bool:
    """An 18-character Unified Social Credit Code with a correct GB 32100-2015 check character."""
    value = value.upper()
    if len(value) != 18 or any(c not in _USCC_ALPHABET for c in value):
        return False
    return value[2:8].isdigit() and uscc_check(value[:17]) == value[17]


def ipv4(value: str) -> bool:
    """A dotted-quad IPv4 address, as the standard library parses it."""
    try:
        ipaddress.IPv4Address(value)
    except ValueError:
        return False
    return True


def ipv6(value: str) -> bool:
    """An IPv6 address, as the standard library parses it (at least two groups written out)."""
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return sum(1 for part in value.split(":") if part) >= 2


def birth_date(value: str) -> bool:
    """A calendar date from 1900 to today: ``Y-M-D`` (or ``/``, ``.``, 年月日) or ``D/M/Y``."""
    match = _DATE.fullmatch(value.strip())
    if match is None:
        return False
    if match.group(1) is not None:
        return _real_date(match.group(1), match.group(2), match.group(3))
    day, month, year = match.group(4), match.group(5), match.group(6)
    return _real_date(year, month, day) or _real_date(year, day, month)


def _real_date(year: str, month: str, day: str) -> bool:
    try:
        when = date(int(year), int(month), int(day))
    except ValueError:
        return False
    return _EARLIEST <= when <= date.today()

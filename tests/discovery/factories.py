"""Small factories for valid identifiers, computed independently of the code under test."""

from __future__ import annotations

from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def resident_id(region: str = "110105", birth: date = date(1990, 3, 7), sequence: int = 123) -> str:
    """An 18-character resident ID with its ISO 7064 MOD 11-2 check character."""
    return with_id_check(f"{region}{birth:%Y%m%d}{sequence:03d}")


def with_id_check(body: str) -> str:
    """17 digits plus their ISO 7064 MOD 11-2 check character."""
    total = sum(int(d) * w for d, w in zip(body, _ID_WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


def wrong_check(value: str) -> str:
    """The same value with a different (hence wrong) last character."""
    return value[:-1] + ("0" if value[-1] != "0" else "1")


def luhn_complete(partial: str) -> str:
    """``partial`` plus the digit that makes it pass the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch) * (1 if i % 2 else 2)
        total += d - 9 if d > 9 else d
    return partial + str((10 - total % 10) % 10)


def uscc(body: str) -> str:
    """A Unified Social Credit Code: 17 characters plus their GB 32100-2015 check character."""
    weights = [3**i % 31 for i in range(17)]
    total = sum(_USCC.index(c) * w for c, w in zip(body, weights, strict=True))
    return body + _USCC[(31 - total % 31) % 31]

"""Built-in strategies: delete row, set null, fixed value, keyed hash, pseudonym, generalise."""

from __future__ import annotations

import ipaddress
import string
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, ClassVar

from rightsdesk.masking.base import MaskingKey, MaskingStrategy


class DeleteRow(MaskingStrategy):
    """Remove the whole row."""

    name = "delete_row"
    row_independent = True
    deletes_row = True

    def mask(self, value: object, key: MaskingKey) -> object:
        return None


class SetNull(MaskingStrategy):
    name = "set_null"
    row_independent = True

    def mask(self, value: object, key: MaskingKey) -> object:
        return None


class FixedValue(MaskingStrategy):
    """Replace with one constant: ``{fixed: "[erased]"}`` or ``{fixed: {value: "[erased]"}}``."""

    name = "fixed"
    row_independent = True

    def __init__(self, params: Mapping[str, Any]) -> None:
        super().__init__(params)
        if "value" not in self.params:
            raise ValueError("fixed: needs a value, e.g. {fixed: '[erased]'}")

    def allowed_params(self) -> tuple[str, ...]:
        return ("value",)

    def mask(self, value: object, key: MaskingKey) -> object:
        return self.params["value"]


class KeyedHash(MaskingStrategy):
    """HMAC-SHA256 of the value, hex, optionally truncated (``length``, default 32)."""

    name = "hash"

    def __init__(self, params: Mapping[str, Any]) -> None:
        super().__init__(params)
        length = self.params.get("length", 32)
        if not isinstance(length, int) or not 8 <= length <= 64:
            raise ValueError("hash: length must be a whole number from 8 to 64")
        self.length = length

    def allowed_params(self) -> tuple[str, ...]:
        return ("length",)

    def mask(self, value: object, key: MaskingKey) -> object:
        if value is None:
            return None
        return key.digest(value, purpose="hash").hex()[: self.length]


class Pseudonym(MaskingStrategy):
    """Keyed, deterministic, format-preserving: digits stay digits, letters stay letters (case
    kept), every other character (``@``, ``.``, ``-``, spaces, CJK) stays where it is, except
    that CJK characters are replaced by other CJK characters."""

    name = "pseudonym"
    _CJK_START: ClassVar[int] = 0x4E00
    _CJK_SIZE: ClassVar[int] = 0x9FA5 - 0x4E00 + 1

    def mask(self, value: object, key: MaskingKey) -> object:
        if value is None:
            return None
        text = str(value)
        stream = _KeyStream(key, text)
        out = [_substitute(ch, stream, self._CJK_START, self._CJK_SIZE) for ch in text]
        masked = "".join(out)
        return int(masked) if isinstance(value, int) and masked.isdigit() else masked


class Generalize(MaskingStrategy):
    """Coarsen a value: ``year`` / ``month`` for dates, ``network`` for IP addresses (/24, /48)."""

    name = "generalize"
    LEVELS: ClassVar[tuple[str, ...]] = ("year", "month", "network")

    def __init__(self, params: Mapping[str, Any]) -> None:
        super().__init__(params)
        level = self.params.get("to")
        if level not in self.LEVELS:
            raise ValueError(f"generalize: 'to' must be one of {list(self.LEVELS)}, got {level!r}")
        self.level: str = level

    def allowed_params(self) -> tuple[str, ...]:
        return ("to",)

    def mask(self, value: object, key: MaskingKey) -> object:
        if value is None:
            return None
        if self.level == "network":
            return _network(value)
        return _coarse_date(value, self.level)


class _KeyStream:
    """An endless keyed byte stream for one input value."""

    def __init__(self, key: MaskingKey, text: str) -> None:
        self._key, self._text, self._block, self._buffer = key, text, 0, b""

    def next(self) -> int:
        if not self._buffer:
            self._buffer = self._key.digest(f"{self._block}:{self._text}", purpose="pseudonym")
            self._block += 1
        byte, self._buffer = self._buffer[0], self._buffer[1:]
        return byte


def _substitute(ch: str, stream: _KeyStream, cjk_start: int, cjk_size: int) -> str:
    if ch.isascii() and ch.isdigit():
        return string.digits[stream.next() % 10]
    if ch.isascii() and ch.isalpha():
        letters = string.ascii_lowercase if ch.islower() else string.ascii_uppercase
        return letters[stream.next() % 26]
    if cjk_start <= ord(ch) < cjk_start + cjk_size:
        return chr(cjk_start + (stream.next() << 8 | stream.next()) % cjk_size)
    return ch


def _network(value: object) -> object:
    try:
        address = ipaddress.ip_address(str(value))
    except ValueError:
        return None  # not an address: drop it rather than keep something identifying
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False).network_address)


def _coarse_date(value: object, level: str) -> object:
    if isinstance(value, datetime):
        midnight = value.replace(hour=0, minute=0, second=0, microsecond=0)
        return midnight.replace(month=1 if level == "year" else value.month, day=1)
    if isinstance(value, date):
        return value.replace(month=1 if level == "year" else value.month, day=1)
    text = str(value)
    try:
        parsed = date.fromisoformat(text[:10])
    except ValueError:
        return None
    coarse = parsed.replace(month=1 if level == "year" else parsed.month, day=1).isoformat()
    return coarse if len(text) <= 10 else f"{coarse} 00:00:00"

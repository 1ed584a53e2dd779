"""The masking-strategy extension point: a base class with two members, plus a registry."""

from __future__ import annotations

import hashlib
import hmac
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class MaskingKey:
    """Secret for keyed strategies (HMAC hash, pseudonym); the same key gives the same output."""

    secret: bytes

    def digest(self, value: object, *, purpose: str) -> bytes:
        message = f"{purpose}\x00{value}".encode()
        return hmac.new(self.secret, message, hashlib.sha256).digest()


class MaskingStrategy(ABC):
    """Turns a stored value into its erased form.

    Subclasses set ``name`` and implement ``mask``. ``row_independent`` strategies ignore the
    value, so the engine can erase a whole set of rows with one UPDATE.
    """

    name: ClassVar[str]
    row_independent: ClassVar[bool] = False
    deletes_row: ClassVar[bool] = False

    def __init__(self, params: Mapping[str, Any]) -> None:
        """Validate ``params`` (raise ValueError with a readable reason)."""
        self.params = dict(params)
        unknown = set(self.params) - set(self.allowed_params())
        if unknown:
            raise ValueError(
                f"{self.name}: unknown parameter(s) {sorted(unknown)}; "
                f"allowed: {sorted(self.allowed_params()) or 'none'}"
            )

    def allowed_params(self) -> tuple[str, ...]:
        return ()

    @abstractmethod
    def mask(self, value: object, key: MaskingKey) -> object:
        """Return the erased value for ``value`` (None stays None unless documented)."""

    def describe(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in sorted(self.params.items()))
        return f"{self.name}({args})" if args else self.name

"""Redaction: the person's own values replaced inside a text or JSON document.

A document (a dict or list, or text that parses as a JSON object or array) is walked and
written back as valid JSON of the same shape; any other text is changed in place. Each
occurrence of a value becomes as many ``*`` as it has UTF-8 bytes, so length-prefixed formats
(PHP ``serialize``) stay valid too. ASCII values match whole words only, case-insensitively
(``ann@x.org`` inside ``<ann@x.org>``, never ``joanna`` for ``anna``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from rightsdesk.masking.base import MaskingKey, MaskingStrategy

#: Shorter values match too much unrelated text to be replaced inside a document.
MIN_LENGTH = 3
_WORD = "A-Za-z0-9_"


class Redact(MaskingStrategy):
    """``erase: redact``: the engine binds the row's people's values with ``bound``."""

    name = "redact"
    #: The engine gives it the values of the people a row belongs to (``bound``).
    needs_values = True

    def __init__(self, params: Any = None, pattern: re.Pattern[str] | None = None) -> None:
        super().__init__(params or {})
        self.pattern = pattern

    def bound(self, values: Iterable[str]) -> Redact:
        """This strategy for one row, replacing ``values``."""
        return Redact(self.params, compile_values(values))

    def mask(self, value: object, key: MaskingKey) -> object:
        if self.pattern is None or value is None:
            return value
        return redact(value, self.pattern)


def compile_values(values: Iterable[str]) -> re.Pattern[str] | None:
    parts = []
    for value in sorted({v.strip() for v in values if len(v.strip()) >= MIN_LENGTH}, key=len)[::-1]:
        body = re.escape(value)
        if value.isascii():
            head = f"(?<![{_WORD}])" if re.match(f"[{_WORD}]", value) else ""
            tail = f"(?![{_WORD}])" if re.search(f"[{_WORD}]$", value) else ""
            body = f"{head}{body}{tail}"
        parts.append(body)
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def redact(value: object, pattern: re.Pattern[str]) -> object:
    """``value`` with every match of ``pattern`` starred; documents stay valid JSON."""
    if isinstance(value, dict | list):
        return _walk(value, pattern)
    if not isinstance(value, str):
        return value
    stripped = value.lstrip()
    if stripped[:1] in ("{", "["):
        try:
            document = json.loads(value)
        except ValueError:
            document = None
        if isinstance(document, dict | list):
            return json.dumps(_walk(document, pattern), ensure_ascii=False)
    return _star(value, pattern)


def _star(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: "*" * len(m.group(0).encode()), text)


def _walk(node: Any, pattern: re.Pattern[str]) -> Any:
    if isinstance(node, dict):
        return {
            _star(k, pattern) if isinstance(k, str) else k: _walk(v, pattern)
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_walk(v, pattern) for v in node]
    return _star(node, pattern) if isinstance(node, str) else node

"""Encoded payloads: signed or plain base64(url) JSON, optionally zlib-compressed (Django
session data and signed cookies, JWTs), decoded without the signing key.

Forms decoded: ``<b64 json>``; ``<b64 json>:<timestamp>:<signature>`` and the same with ``.``
separators (signed values); a leading ``.`` (or a zlib header in the decoded bytes) means the
payload is zlib-compressed; ``<b64 header>.<b64 payload>.<signature>`` (JWT). Every segment
that decodes to a JSON object is read. Base64 of a JSON object always starts with ``e``
(``{`` is 0x7B), and so does base64 of a zlib stream (0x78).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from typing import Any

#: Longest value decoded, and most bytes a compressed payload may inflate to.
MAX_LENGTH = 64 * 1024
MAX_INFLATED = 1024 * 1024
_SPLIT = re.compile(r"[.:]")
_B64 = re.compile(r"[A-Za-z0-9_\-+/]{8,}={0,2}")


def decode_blob(value: str) -> list[dict[str, Any]]:
    """The JSON objects encoded in ``value`` (none when it is not such a blob)."""
    if len(value) > MAX_LENGTH:
        return []
    compressed = value.startswith(".")
    found = []
    for segment in _SPLIT.split(value[1:] if compressed else value):
        if not segment.startswith("e") or not _B64.fullmatch(segment):
            continue
        decoded = _json(_inflate(_b64(segment)))
        if isinstance(decoded, dict):
            found.append(decoded)
    return found


def _b64(segment: str) -> bytes:
    text = segment.rstrip("=").replace("+", "-").replace("/", "_")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return b""


def _inflate(raw: bytes) -> bytes:
    if raw[:1] != b"\x78":  # every zlib stream starts with this header byte
        return raw
    try:
        return zlib.decompressobj().decompress(raw, MAX_INFLATED)
    except zlib.error:
        return b""


def _json(raw: bytes) -> Any:
    if raw[:1] not in (b"{", b"["):
        return None
    try:
        return json.loads(raw)
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None

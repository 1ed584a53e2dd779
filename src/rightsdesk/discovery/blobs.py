"""The encoded-blob detector: signed or plain base64(url) JSON (JWTs, signed session and cookie
payloads, optionally zlib-compressed) is decoded, and counts when its JSON names a person.

Forms decoded: ``<b64 json>``; ``<b64 json>:<timestamp>:<signature>`` and the same with ``.``
separators (signed values); a leading ``.`` (or a zlib header in the decoded bytes) means the
payload is zlib-compressed; ``<b64 header>.<b64 payload>.<signature>`` (JWT). Every segment that
decodes to a JSON object is read. Base64 of a JSON object always starts with ``e`` (``{`` is
0x7B), and so does base64 of a zlib stream (0x78): the pattern only lets such values through.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Iterator
from typing import Any

from rightsdesk.discovery.detector import Detector, name_tokens, rx

#: JSON keys (whole words of the key, as column hints are matched) that name a person or their
#: id, address or handle: ``_auth_user_id``, ``user_id``, ``sub`` (a JWT's subject), ``email``...
PERSON_KEYS = (
    "user_id",
    "userid",
    "user_pk",
    "uid",
    "sub",
    "account_id",
    "customer_id",
    "member_id",
    "person_id",
    "email",
    "mail",
    "phone",
    "mobile",
    "username",
    "user_name",
    "login",
)
#: Longest value decoded, and most bytes a compressed payload may inflate to.
MAX_LENGTH = 64 * 1024
MAX_INFLATED = 1024 * 1024
_DEPTH = 8
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


def person_keys(obj: Any, depth: int = 0) -> Iterator[str]:
    """Keys anywhere in ``obj`` that name a person and hold a non-empty scalar value."""
    if depth > _DEPTH:
        return
    items = (
        obj.items() if isinstance(obj, dict) else enumerate(obj) if isinstance(obj, list) else ()
    )
    for key, value in items:
        if isinstance(value, dict | list):
            yield from person_keys(value, depth + 1)
        elif isinstance(key, str) and _scalar(value) and _names_person(key):
            yield key


def holds_person(value: str) -> bool:
    """Whether ``value`` is an encoded blob whose JSON names a person (a key in PERSON_KEYS)."""
    return any(next(person_keys(obj), None) is not None for obj in decode_blob(value))


def _names_person(key: str) -> bool:
    tokens = name_tokens(key)
    return any(f"_{hint}_" in tokens for hint in PERSON_KEYS)


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool) and str(value) != ""


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


ENCODED_BLOB = Detector(
    name="encoded_blob",
    category="user.account",
    patterns=rx(r"\.?e[A-Za-z0-9_\-+/]{7,}={0,2}(?:[.:][A-Za-z0-9_\-+/=]*){0,4}"),
    validate=holds_person,
    context_words=("session", "token", "jwt"),
    weight=0.9,
    noun="signed or encoded JSON (session, JWT) naming a person (user id, email or handle)",
)

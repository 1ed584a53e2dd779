"""The encoded-blob detector: signed or plain base64(url) JSON (JWTs, signed session and cookie
payloads, optionally zlib-compressed) is decoded, and counts when its JSON names a person.

The forms decoded are described in ``domain/payloads.py``. Base64 of a JSON object always
starts with ``e`` (``{`` is 0x7B), and so does base64 of a zlib stream (0x78): the pattern only
lets such values through.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rightsdesk.discovery.detectors.detector import Detector, name_tokens, rx
from rightsdesk.domain.payloads import MAX_INFLATED, MAX_LENGTH, decode_blob

__all__ = ["ENCODED_BLOB", "MAX_INFLATED", "MAX_LENGTH", "decode_blob", "person_keys"]

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
_DEPTH = 8


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


ENCODED_BLOB = Detector(
    name="encoded_blob",
    category="user.account",
    patterns=rx(r"\.?e[A-Za-z0-9_\-+/]{7,}={0,2}(?:[.:][A-Za-z0-9_\-+/=]*){0,4}"),
    validate=holds_person,
    context_words=("session", "token", "jwt"),
    weight=0.9,
    noun="signed or encoded JSON (session, JWT) naming a person (user id, email or handle)",
)

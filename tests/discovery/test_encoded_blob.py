"""The encoded-blob detector: signed or plain base64 JSON that names a person, decoded."""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

import pytest

from rightsdesk.discovery import by_name, classify_column
from rightsdesk.discovery.detectors.blobs import decode_blob, person_keys

ENCODED_BLOB = by_name("encoded_blob")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def plain(obj: Any) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode())


def packed(obj: Any) -> str:
    return "." + b64(zlib.compress(json.dumps(obj).encode()))


SIG = "1tXbmU:o8qjOfwON3_ZkuYC7V0ff2sQM_UdFkx4uz-h0mf_Xy8"
JWT_HEAD = plain({"alg": "HS256", "typ": "JWT"})
SESSION = {"_auth_user_id": "42", "_auth_user_backend": "app.backends.ModelBackend"}
CART = {"cart": [1, 2, 3], "theme": "dark"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"{plain(SESSION)}:{SIG}", True),  # a signed session (payload:timestamp:signature)
        (f"{packed(SESSION)}:{SIG}", True),  # the same, zlib-compressed (leading '.')
        (f"{packed({'user_id': 7})}.ZxYw12.abcdefSIG", True),  # a signed cookie, '.'-separated
        (f"{JWT_HEAD}.{plain({'sub': '1234567890', 'iat': 1})}.c2lnbmF0dXJl", True),  # a JWT
        (plain({"profile": {"email": "li.wei@example.com"}}), True),  # nested key, plain base64
        (b64(json.dumps(SESSION).encode()) + "==", True),  # padded standard base64
        (f"{plain(CART)}:{SIG}", False),  # decodes, but names no person
        (plain({"user_id": ""}), False),  # a person key with nothing in it
        (plain({"user_id": True}), False),  # a flag is not an id
        (plain([1, 2, 3]), False),  # a JSON list, not an object
        ("eyJub3QganNvbg", False),  # base64 of text that is not JSON
        ("everything_is_fine", False),  # an ordinary word starting with 'e'
        (".eJxinvalidzlibstream", False),  # a broken compressed payload
        ("hello world", False),
    ],
)
def test_whole_values(value: str, expected: bool) -> None:
    assert ENCODED_BLOB.matches(value) is expected


@pytest.mark.parametrize(
    ("obj", "keys"),
    [
        (SESSION, ["_auth_user_id"]),
        ({"userId": 5, "emailAddress": "a@b.c"}, ["userId", "emailAddress"]),  # camelCase
        ({"Email": "a@b.c"}, ["Email"]),
        ({"a": [{"customer_id": 9}]}, ["customer_id"]),
        ({"subject": "x", "subscription": "gold"}, []),  # whole words only: not 'sub'
        (CART, []),
    ],
)
def test_person_keys(obj: Any, keys: list[str]) -> None:
    assert list(person_keys(obj)) == keys


def test_decode_returns_every_json_object() -> None:
    jwt = f"{JWT_HEAD}.{plain({'sub': 'u1'})}.c2ln"
    assert decode_blob(jwt) == [{"alg": "HS256", "typ": "JWT"}, {"sub": "u1"}]
    assert decode_blob("x" * 70_000) == []  # too long to decode


def test_a_session_column_is_classified_under_any_name() -> None:
    values = [f"{packed({'_auth_user_id': str(n)})}:{SIG}" for n in range(10)]
    finding = classify_column("data", values)
    assert finding.best is not None
    assert finding.best.detector == "encoded_blob"
    assert finding.best.category == "user.account"
    assert not finding.free_text and not finding.secret


def test_a_blob_inside_free_text_is_found() -> None:
    token = f"{JWT_HEAD}.{plain({'sub': 'u1'})}.c2ln"
    assert ENCODED_BLOB.find(f"request failed with bearer {token} at noon") is not None

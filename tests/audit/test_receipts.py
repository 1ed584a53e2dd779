"""Signed receipts: keys on disk, signing, and verification that never raises on bad input."""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from rightsdesk.audit.chain import GENESIS, canonical
from rightsdesk.audit.receipts import (
    NO_ORIGIN,
    PRIVATE_KEY_FILE,
    PUBLIC_KEY_FILE,
    KeyFileError,
    Receipt,
    key_id,
    load_or_create_signing_key,
    load_public_key,
    sign_receipt,
    verify_receipt,
    write_receipt,
)
from rightsdesk.domain.requests import RequestType

AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def make_receipt(**overrides: Any) -> Receipt:
    fields: dict[str, Any] = {
        "receipt_id": "rcpt-1",
        "request_id": "req-1",
        "request_type": RequestType.DELETE,
        "regimes": ["ccpa"],
        "subject_ref": "hmac-sha256:" + "ab" * 32,
        "received_at": AT,
        "completed_at": AT + timedelta(days=3),
        "status": "partially_completed",
        "systems": [
            {
                "system": "shop",
                "collections": [
                    {"collection": "customers", "action": "deleted", "rows": 1},
                    {"collection": "orders", "action": "retained", "rows": 4},
                ],
            }
        ],
        "retained": [
            {
                "system": "shop",
                "collection": "orders",
                "rows": 4,
                "rule": "tax-records",
                "legal_basis": "tax law requires invoices for 7 years",
                "retain_until": date(2032, 3, 1),
            }
        ],
        "refused_parts": [
            {"part": "support_tickets", "ground": "legal_claim", "justification": "open dispute"}
        ],
        "audit_head": {"seq": 42, "hash": "c" * 64},
        "issuer": "Example Shop Ltd",
        "issued_at": AT + timedelta(days=3, minutes=1),
    }
    return Receipt.model_validate(fields | overrides)


@pytest.fixture
def key(tmp_path: Path) -> Ed25519PrivateKey:
    return load_or_create_signing_key(tmp_path / "state")


@pytest.fixture
def doc(key: Ed25519PrivateKey) -> dict[str, Any]:
    return sign_receipt(make_receipt(), key)


def other_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


# --- keys -----------------------------------------------------------------------------------


def test_the_private_key_file_is_0600_and_the_public_pem_matches(tmp_path: Path) -> None:
    key = load_or_create_signing_key(tmp_path / "state")
    private = tmp_path / "state" / PRIVATE_KEY_FILE
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
    assert b"BEGIN PRIVATE KEY" in private.read_bytes()
    public = load_public_key(tmp_path / "state" / PUBLIC_KEY_FILE)
    assert key_id(public) == key_id(key.public_key())
    assert [p.name for p in (tmp_path / "state").iterdir() if p.name.endswith(".tmp")] == []


def test_load_or_create_is_idempotent(tmp_path: Path) -> None:
    first = load_or_create_signing_key(tmp_path)
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    second = load_or_create_signing_key(tmp_path)
    assert key_id(second.public_key()) == key_id(first.public_key())
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files


def test_a_lost_public_key_file_is_written_again(tmp_path: Path) -> None:
    key = load_or_create_signing_key(tmp_path)
    (tmp_path / PUBLIC_KEY_FILE).unlink()
    load_or_create_signing_key(tmp_path)
    assert key_id(load_public_key(tmp_path / PUBLIC_KEY_FILE)) == key_id(key.public_key())


def test_key_id_is_16_hex_digits_of_the_raw_key(key: Ed25519PrivateKey) -> None:
    kid = key_id(key.public_key())
    assert len(kid) == 16
    assert int(kid, 16) >= 0
    assert kid != key_id(other_key().public_key())


@pytest.mark.parametrize(
    ("content", "mode", "match"),
    [
        (b"not a key", 0o600, "cannot load the private key"),
        (None, 0o644, "chmod 600"),
    ],
)
def test_a_bad_private_key_file_is_a_clear_error(
    tmp_path: Path, content: bytes | None, mode: int, match: str
) -> None:
    load_or_create_signing_key(tmp_path)
    private = tmp_path / PRIVATE_KEY_FILE
    if content is not None:
        private.write_bytes(content)
    private.chmod(mode)
    with pytest.raises(KeyFileError, match=match):
        load_or_create_signing_key(tmp_path)


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("garbage.pem", b"-----BEGIN PUBLIC KEY-----\nxx\n", "cannot load the public key"),
        ("missing.pem", None, "cannot load the public key"),
        ("private.pem", "private", "cannot load the public key"),
    ],
)
def test_a_bad_public_key_file_is_a_clear_error(
    tmp_path: Path, name: str, content: bytes | str | None, match: str
) -> None:
    path = tmp_path / name
    if content == "private":
        load_or_create_signing_key(tmp_path)
        path.write_bytes((tmp_path / PRIVATE_KEY_FILE).read_bytes())
    elif isinstance(content, bytes):
        path.write_bytes(content)
    with pytest.raises(KeyFileError, match=match):
        load_public_key(path)


# --- the model ------------------------------------------------------------------------------


def test_datetimes_are_stored_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    receipt = make_receipt(issued_at=datetime(2025, 3, 4, 13, 1, tzinfo=paris))
    assert receipt.model_dump(mode="json")["issued_at"] == "2025-03-04T12:01:00Z"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("subject_ref", "person@example.com"),
        ("subject_ref", "ab" * 8),
        ("issued_at", datetime(2025, 1, 1)),
        ("status", "refused"),
        ("audit_head", {"seq": -1, "hash": GENESIS}),
        ("audit_head", {"seq": 1, "hash": "xyz"}),
        (
            "systems",
            [
                {
                    "system": "shop",
                    "collections": [{"collection": "c", "action": "nuked", "rows": 1}],
                }
            ],
        ),
        ("receipt_id", ""),
        ("surprise", "field"),
    ],
)
def test_the_model_refuses_bad_content(field: str, value: Any) -> None:
    with pytest.raises(ValidationError):
        make_receipt(**{field: value})


def test_the_model_is_frozen() -> None:
    receipt = make_receipt()
    with pytest.raises(ValidationError):
        receipt.issuer = "someone else"


# --- sign and verify ------------------------------------------------------------------------


def test_a_signed_receipt_verifies_offline_for_integrity_only(doc: dict[str, Any]) -> None:
    check = verify_receipt(doc)
    assert (check.valid, check.trusted, check.problems) == (True, False, ())
    assert check.notes == (NO_ORIGIN,)
    assert "pass the issuer's public key" in NO_ORIGIN
    assert check.receipt == make_receipt()
    assert check.key_id == doc["signature"]["key_id"]


def test_the_signature_is_over_the_canonical_receipt(
    doc: dict[str, Any], key: Ed25519PrivateKey
) -> None:
    signature = base64.b64decode(doc["signature"]["value"])
    key.public_key().verify(signature, canonical(doc["receipt"]))  # raises if not
    assert doc["signature"]["alg"] == "Ed25519"
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert base64.b64decode(doc["signature"]["public_key"]) == raw


@pytest.mark.parametrize("as_text", [False, True])
def test_a_written_receipt_verifies_from_its_file_with_the_issuer_key(
    tmp_path: Path, doc: dict[str, Any], key: Ed25519PrivateKey, as_text: bool
) -> None:
    path = tmp_path / "receipt.json"
    write_receipt(doc, path)
    assert json.loads(path.read_text(encoding="utf-8")) == doc
    check = verify_receipt(
        str(path) if as_text else path, [other_key().public_key(), key.public_key()]
    )
    assert (check.valid, check.trusted, check.problems, check.notes) == (True, True, (), ())


def test_another_trusted_key_makes_the_receipt_untrusted_and_invalid(doc: dict[str, Any]) -> None:
    check = verify_receipt(doc, [other_key().public_key()])
    assert (check.valid, check.trusted) == (False, False)
    assert "not a trusted key" in check.problems[0]


def test_a_receipt_resigned_by_an_impostor_is_not_trusted(key: Ed25519PrivateKey) -> None:
    forged = sign_receipt(make_receipt(issuer="Impostor"), other_key())
    assert verify_receipt(forged).valid  # integrity alone cannot tell
    check = verify_receipt(forged, [key.public_key()])
    assert (check.valid, check.trusted) == (False, False)


Edit = Callable[[dict[str, Any]], None]


def setter(*path: str | int, value: Any) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        target: Any = doc
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value

    return apply


def remover(*path: str) -> Edit:
    def apply(doc: dict[str, Any]) -> None:
        target: Any = doc
        for step in path[:-1]:
            target = target[step]
        del target[path[-1]]

    return apply


OTHER_RAW = base64.b64encode(
    other_key()
    .public_key()
    .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
).decode()


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (setter("receipt", "request_id", value="req-2"), "altered"),
        (setter("receipt", "status", value="completed"), "altered"),
        (setter("receipt", "systems", 0, "collections", 1, "rows", value=0), "altered"),
        (setter("receipt", "retained", 0, "retain_until", value="2026-03-01"), "altered"),
        (setter("receipt", "audit_head", "seq", value=41), "altered"),
        (setter("receipt", "issued_at", value="2025-03-04T12:01:00+00:00"), "altered"),
        (setter("receipt", "extra", value=1), "altered"),
        (remover("receipt", "refused_parts"), "altered"),
        (setter("signature", "key_id", value="0" * 16), "is not the embedded key's id"),
        (setter("signature", "public_key", value=OTHER_RAW), "altered"),
        (setter("signature", "value", value=base64.b64encode(b"x" * 64).decode()), "altered"),
        (setter("signature", "value", value="!!"), "not valid base64"),
    ],
)
def test_any_edit_makes_the_receipt_invalid(doc: dict[str, Any], edit: Edit, problem: str) -> None:
    tampered = json.loads(json.dumps(doc))
    edit(tampered)
    check = verify_receipt(tampered)
    assert not check.valid
    assert any(problem in p for p in check.problems), check.problems


def signed_raw(content: dict[str, Any]) -> dict[str, Any]:
    """Sign arbitrary content, as a buggy or hostile issuer could."""
    private = other_key()
    doc = sign_receipt(make_receipt(), private)
    doc["receipt"] = content
    doc["signature"]["value"] = base64.b64encode(private.sign(canonical(content))).decode()
    return doc


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{not json", "not a JSON receipt"),
        ('{"receipt": NaN}', "not a JSON receipt"),
        ("[]", "expected a JSON object"),
        ("{}", "'receipt' object is missing"),
        ('{"receipt": {}}', "'signature' object is missing"),
        ('{"receipt": {}, "signature": {"alg": "Ed25519"}}', "signature.key_id is missing"),
        (
            '{"receipt": {}, "signature": {"alg": "RSA", "key_id": "", "public_key": "", "value": ""}}',
            "only Ed25519",
        ),
        (
            '{"receipt": {}, "signature": {"alg": "Ed25519", "key_id": "", "public_key": "AAAA", "value": ""}}',
            "not an Ed25519 key",
        ),
        ('{"receipt": {}, "signature": {}, "note": 1}', "unexpected fields: note"),
        ("[" * 100_000 + "]" * 100_000, "not a JSON receipt"),
    ],
)
def test_a_malformed_file_gives_a_clear_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "receipt.json"
    path.write_text(text, encoding="utf-8")
    check = verify_receipt(path)
    assert not check.valid
    assert check.receipt is None
    assert any(problem in p for p in check.problems), check.problems


def test_a_missing_file_gives_a_clear_problem(tmp_path: Path) -> None:
    check = verify_receipt(tmp_path / "nope.json")
    assert not check.valid
    assert "cannot read" in check.problems[0]


def test_signed_content_that_is_not_a_receipt_is_invalid() -> None:
    content = make_receipt().model_dump(mode="json")
    del content["issuer"]
    check = verify_receipt(signed_raw(content))
    assert not check.valid
    assert check.receipt is None
    assert "receipt.issuer: Field required" in check.problems


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    doc = sign_receipt(make_receipt(), other_key())
    path = tmp_path_factory.mktemp("receipts") / "receipt.json"
    write_receipt(doc, path)
    return path.read_text(encoding="utf-8"), path.with_name("tampered.json")


@settings(max_examples=300)
@given(data=st.data())
def test_any_changed_character_is_caught_unless_the_json_means_the_same(
    written: tuple[str, Path], data: st.DataObject
) -> None:
    original, path = written
    index = data.draw(st.integers(0, len(original) - 1))
    char = data.draw(st.characters(codec="utf-8").filter(lambda c: c != original[index]))
    text = original[:index] + char + original[index + 1 :]
    path.write_text(text, encoding="utf-8")
    check = verify_receipt(path)
    assert check.valid == (_parse_or_none(text) == json.loads(original)), (text, check)


def _parse_or_none(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None

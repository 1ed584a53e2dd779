"""The Low list: receipts with repeated keys, and receipts signed by whoever made them."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from rightsdesk.audit.receipts import sign_receipt, verify_receipt
from rightsdesk.cli import app, exit_code
from rightsdesk.domain.errors import RightsdeskError
from tests.audit.test_receipts import make_receipt


def _signed_by_anyone(tmp_path: Path) -> tuple[Path, Ed25519PrivateKey]:
    """A well-formed receipt signed by a key of the forger's own, embedded in the file."""
    key = Ed25519PrivateKey.generate()
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(sign_receipt(make_receipt(), key)))
    return path, key


def _verify(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["receipt", "verify", *args])
    if isinstance(result.exception, RightsdeskError):  # what main() turns into an exit code
        return exit_code(result.exception), result.output + str(result.exception)
    return result.exit_code, result.output


def test_a_self_signed_receipt_is_not_accepted_without_the_issuers_key(tmp_path: Path) -> None:
    path, key = _signed_by_anyone(tmp_path)
    code, output = _verify(str(path))
    assert code == 10 and "signature valid, signer unknown" in output
    assert _verify(str(path), "--trust-embedded-key")[0] == 0
    public = tmp_path / "issuer.pub"
    issuer = Ed25519PrivateKey.generate().public_key()
    public.write_bytes(
        issuer.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    assert _verify(str(path), "--public-key", str(public))[0] == 8
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    assert _verify(str(path), "--public-key", str(public))[0] == 0


def test_a_receipt_with_a_repeated_key_is_refused(tmp_path: Path) -> None:
    path, _ = _signed_by_anyone(tmp_path)
    text = path.read_text()
    # a second "receipt" object after the signed one: Python's json kept the last
    doubled = text[:-1] + ', "receipt": {"retained": []}}'
    path.write_text(doubled)
    check = verify_receipt(path)
    assert not check.valid and "appears twice" in check.problems[0]
    assert _verify(str(path), "--trust-embedded-key")[0] == 8

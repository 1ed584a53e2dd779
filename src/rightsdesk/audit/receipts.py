"""Receipts for completed requests, signed with Ed25519 so anyone can verify them offline."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from rightsdesk.audit.chain import canonical
from rightsdesk.domain.errors import KeyFileError
from rightsdesk.domain.requests import RequestType

PRIVATE_KEY_FILE = "receipt-signing.key"
PUBLIC_KEY_FILE = "receipt-signing.pub"
ALGORITHM = "Ed25519"
NO_ORIGIN = "origin not checked: pass the issuer's public key to check who signed it"


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_utc)]
Name = Annotated[str, Field(min_length=1)]
Rows = Annotated[int, Field(ge=0)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CollectionOutcome(_Frozen):
    """What happened to one collection (table or endpoint) of a system."""

    collection: Name
    action: Literal["exported", "deleted", "masked", "retained", "held", "none"]
    rows: Rows


class SystemOutcome(_Frozen):
    """What happened in one data store."""

    system: Name
    collections: tuple[CollectionOutcome, ...]


class RetainedData(_Frozen):
    """Rows kept despite the request because a retention rule requires it, and until when."""

    system: Name
    collection: Name
    rows: Rows
    rule: Name
    legal_basis: Name
    retain_until: date | None


class RefusedPart(_Frozen):
    """A part of the request that was refused, on which ground, and why; ``places`` are the
    places of the data map left as they were, ``alternative`` where to go instead, and
    ``remedies`` what the person can do if they disagree."""

    part: Name
    ground: Name
    justification: Name
    title: Name | None = None
    places: tuple[Name, ...] = ()
    alternative: Name | None = None
    remedies: tuple[Name, ...] = ()


class AuditHead(_Frozen):
    """The audit chain head when the receipt was issued, tying the receipt to the log."""

    seq: Rows
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class ResidueCheck(_Frozen):
    """The scan of one system after an erasure: what was read and what was still found."""

    system: Name
    tables_scanned: Rows
    rows_scanned: Rows
    #: Findings outside collections kept by law, each ``table.column`` with its key as text.
    flagged: tuple[Name, ...] = ()
    #: Findings inside collections a retention rule keeps.
    retained_hits: Rows = 0


class Receipt(_Frozen):
    """What was done for one request; it names the person only by a keyed hash."""

    schema_version: Literal[1] = 1
    receipt_id: Name
    request_id: Name
    request_type: RequestType
    regimes: tuple[Name, ...]
    #: Keyed hash of the subject (hex, optionally ``scheme:`` prefixed), never an identifier.
    subject_ref: Annotated[str, Field(pattern=r"^(?:[a-z0-9-]+:)?[0-9a-f]{32,128}$")]
    received_at: UtcDatetime
    completed_at: UtcDatetime
    status: Literal["completed", "partially_completed"]
    systems: tuple[SystemOutcome, ...]
    retained: tuple[RetainedData, ...] = ()
    refused_parts: tuple[RefusedPart, ...] = ()
    #: Proof of absence (``RIGHTSDESK_VERIFY_ERASURE``): empty when no scan was run.
    residue: tuple[ResidueCheck, ...] = ()
    audit_head: AuditHead
    issuer: Name
    issued_at: UtcDatetime


@dataclass(frozen=True)
class ReceiptCheck:
    """The verdict on a receipt; ``receipt`` is set whenever its content is intact and parses."""

    valid: bool
    key_id: str | None
    trusted: bool
    problems: tuple[str, ...]
    receipt: Receipt | None
    notes: tuple[str, ...] = ()


def key_id(public_key: Ed25519PublicKey) -> str:
    """First 16 hex digits of the SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(_raw(public_key)).hexdigest()[:16]


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def load_or_create_signing_key(state_dir: Path) -> Ed25519PrivateKey:
    """The receipt key in ``state_dir``, created once (PKCS8 PEM, mode 0600) with its public PEM."""
    path = state_dir / PRIVATE_KEY_FILE
    if not path.exists():
        state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        _create_exclusively(path, pem)
    key = _load_private_key(path)
    public = state_dir / PUBLIC_KEY_FILE
    pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if not public.exists() or public.read_bytes() != pem:
        _replace(public, pem, 0o644)
    return key


def _create_exclusively(path: Path, data: bytes) -> None:
    """Write a 0600 temporary file, then hard-link it into place; a concurrent creator wins."""
    temporary = _temporary(path)
    _write_private(temporary, data)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process created the key first; everyone loads that one
    finally:
        temporary.unlink()


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _replace(path: Path, data: bytes, mode: int) -> None:
    """Atomically write ``data`` to ``path`` with ``mode``."""
    temporary = _temporary(path)
    _write_private(temporary, data)
    temporary.chmod(mode)
    temporary.replace(path)


def _load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        too_open = os.name == "posix" and path.stat().st_mode & 0o077
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise KeyFileError(path, f"cannot load the private key: {exc}") from exc
    if too_open:
        raise KeyFileError(path, "private key is readable by others; run: chmod 600")
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(path, f"expected an Ed25519 key, found {type(key).__name__}")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM (SubjectPublicKeyInfo) file."""
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise KeyFileError(path, f"cannot load the public key: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise KeyFileError(path, f"expected an Ed25519 public key, found {type(key).__name__}")
    return key


def sign_receipt(receipt: Receipt, private_key: Ed25519PrivateKey) -> dict[str, Any]:
    """The receipt document: its JSON content plus an Ed25519 signature over its canonical bytes."""
    content = receipt.model_dump(mode="json")
    public_key = private_key.public_key()
    return {
        "receipt": content,
        "signature": {
            "alg": ALGORITHM,
            "key_id": key_id(public_key),
            "public_key": base64.b64encode(_raw(public_key)).decode("ascii"),
            "value": base64.b64encode(private_key.sign(canonical(content))).decode("ascii"),
        },
    }


def write_receipt(doc: Mapping[str, Any], path: Path) -> None:
    """Write the document as indented UTF-8 JSON, atomically."""
    text = json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
    _replace(path, text.encode("utf-8"), 0o644)


def verify_receipt(
    doc_or_path: Mapping[str, Any] | Path | str,
    trusted_public_keys: Sequence[Ed25519PublicKey] | None = None,
) -> ReceiptCheck:
    """Check a receipt document (or the file at a path) and, given trusted keys, who signed it.

    Never raises on bad input: every problem is a readable line in ``problems``.
    """
    try:
        doc = _document(doc_or_path)
        content, signature, public_key = _parts(doc)
    except _Unreadable as exc:
        return ReceiptCheck(False, None, False, (str(exc),), None)
    kid = key_id(public_key)
    problems: list[str] = []
    if signature["key_id"] != kid:
        problems.append(f"key_id {signature['key_id']!r} is not the embedded key's id {kid!r}")
    intact = _signed(content, signature["value"], public_key, problems)
    receipt = _receipt(content, problems) if intact else None
    notes: tuple[str, ...] = ()
    trusted = False
    if trusted_public_keys is None:
        notes = (NO_ORIGIN,)
    else:
        trusted = intact and _raw(public_key) in {_raw(k) for k in trusted_public_keys}
        if intact and not trusted:
            known = ", ".join(key_id(k) for k in trusted_public_keys) or "none given"
            problems.append(f"signed by key {kid}, which is not a trusted key ({known})")
    return ReceiptCheck(not problems, kid, trusted, tuple(problems), receipt, notes)


class _Unreadable(Exception):
    """The document cannot be checked at all; the message says why."""


def _document(doc_or_path: Mapping[str, Any] | Path | str) -> Any:
    if isinstance(doc_or_path, Mapping):
        return doc_or_path
    path = Path(doc_or_path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _Unreadable(f"{path}: cannot read: {exc}") from exc
    try:
        return json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except (ValueError, RecursionError) as exc:
        raise _Unreadable(f"{path}: not a JSON receipt: {exc}") from exc


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object whose keys are all different: with a repeated key, what a reader sees and what
    was signed could differ (Python keeps the last, other parsers the first)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"key {key!r} appears twice")
        found[key] = value
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _parts(doc: Any) -> tuple[Mapping[str, Any], dict[str, str], Ed25519PublicKey]:
    """The receipt content, the signature fields and the embedded public key, or why not."""
    if not isinstance(doc, Mapping):
        raise _Unreadable("not a receipt: expected a JSON object with receipt and signature")
    content, signature = doc.get("receipt"), doc.get("signature")
    if not isinstance(content, Mapping):
        raise _Unreadable("not a receipt: the 'receipt' object is missing")
    if not isinstance(signature, Mapping):
        raise _Unreadable("not a receipt: the 'signature' object is missing")
    _no_extra(doc, {"receipt", "signature"}, "the document")
    _no_extra(signature, set(_SIGNATURE_FIELDS), "signature")
    fields = {}
    for name in _SIGNATURE_FIELDS:
        value = signature.get(name)
        if not isinstance(value, str):
            raise _Unreadable(f"signature.{name} is missing or not a string")
        fields[name] = value
    if fields["alg"] != ALGORITHM:
        raise _Unreadable(f"signature.alg {fields['alg']!r} is not supported (only {ALGORITHM})")
    raw = _base64(fields["public_key"], "signature.public_key")
    try:
        public_key = Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise _Unreadable(f"signature.public_key is not an Ed25519 key: {exc}") from exc
    return content, fields, public_key


_SIGNATURE_FIELDS = ("alg", "key_id", "public_key", "value")


def _no_extra(mapping: Mapping[str, Any], allowed: set[str], where: str) -> None:
    extra = sorted(set(mapping) - allowed)
    if extra:
        raise _Unreadable(f"{where} has unexpected fields: {', '.join(map(str, extra))}")


def _base64(text: str, where: str) -> bytes:
    """Decode standard base64, refusing any spelling but the canonical one (no malleability)."""
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise _Unreadable(f"{where} is not valid base64: {exc}") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise _Unreadable(f"{where} is not in canonical base64 form")
    return raw


def _signed(
    content: Mapping[str, Any], value: str, public_key: Ed25519PublicKey, problems: list[str]
) -> bool:
    """Whether the signature holds over the content's canonical bytes; records why not."""
    try:
        public_key.verify(_base64(value, "signature.value"), canonical(content))
    except _Unreadable as exc:
        problems.append(str(exc))
    except (TypeError, ValueError, RecursionError) as exc:
        problems.append(f"receipt content cannot be canonicalized: {exc}")
    except InvalidSignature:
        problems.append("signature does not match the receipt content: it was altered")
    else:
        return True
    return False


def _receipt(content: Mapping[str, Any], problems: list[str]) -> Receipt | None:
    try:
        return Receipt.model_validate(content)
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            problems.append(f"receipt.{where}: {error['msg']}")
    return None

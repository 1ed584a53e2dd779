"""Signed documents kept with a case: checked by their bytes, sealed, read back, erased.

A document is a PDF or an image (PNG, JPEG, TIFF), recognised by its first bytes (never by a
name or a declared type) and at most ``MAX_BYTES``. Each is encrypted with AES-256-GCM under a
data key of its own, which the vault's key provider wraps (``RIGHTSDESK_VAULT_KEY_PROVIDER``,
docs/vault.md); the ciphertext is bound to the document's id, request and kind, so it cannot be
moved to another case. Nothing about a document names the person in clear: no file name is
kept. The case minimisation deletes the rows (``erase``), key and ciphertext together.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, select

from rightsdesk.audit import events
from rightsdesk.domain.agents import DocumentKind
from rightsdesk.domain.errors import (
    ConflictError,
    DocumentTooLargeError,
    DocumentTypeError,
    NotFoundError,
    TamperedError,
)
from rightsdesk.domain.requests import FINAL, Status
from rightsdesk.service.requests import lifecycle
from rightsdesk.service.retention import vault
from rightsdesk.service.runtime.context import Services, Unit
from rightsdesk.store.casefiles import CaseDocument
from rightsdesk.store.models import Request
from rightsdesk.vault.keys import NONCE, new_data_key

#: The largest document kept: a scanned, signed letter of a few pages.
MAX_BYTES = 10 * 1024 * 1024
#: First bytes -> media type. Only these are kept.
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)
AAD_VERSION = "rightsdesk.case-document/1"


@dataclass(frozen=True)
class DocumentView:
    """A document as operators see it in a listing (never its content)."""

    id: str
    request_id: str
    kind: DocumentKind
    media_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class Opened:
    """A document decrypted for an operator."""

    document: DocumentView
    content: bytes


def check_size(size: int) -> None:
    """DocumentTooLargeError (413) past ``MAX_BYTES``; the edges call it while reading."""
    if size > MAX_BYTES:
        raise DocumentTooLargeError(
            f"a document may be at most {MAX_BYTES // (1024 * 1024)} MiB ({MAX_BYTES} bytes); "
            f"this one is at least {size} bytes"
        )


def sniff(data: bytes) -> str:
    """The media type ``data`` starts like; DocumentTypeError (415) or DocumentTooLargeError."""
    check_size(len(data))
    for magic, media_type in MAGIC:
        if data.startswith(magic):
            return media_type
    raise DocumentTypeError(
        "send the signed document as a PDF or an image (PNG, JPEG or TIFF); these bytes are "
        "none of them" + (" (the body is empty)" if not data else "")
    )


def attach(
    services: Services, work: Unit, request: Request, kind: DocumentKind, data: bytes, by: str
) -> DocumentView:
    """Encrypt and keep ``data`` with the open request; audited with its hash, never content."""
    media_type = sniff(data)  # refused before anything is stored
    if Status(request.status) in FINAL:
        raise ConflictError(f"request {request.id} is closed; documents go with open requests")
    provider = vault.provider(services)
    key, nonce, document_id = new_data_key(), os.urandom(NONCE), uuid.uuid4().hex
    row = CaseDocument(
        id=document_id,
        request_id=request.id,
        kind=kind.value,
        media_type=media_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=by,
        uploaded_at=work.now,
        provider=provider.name,
        wrapped_key=provider.wrap(key),
        nonce=nonce,
        ciphertext=AESGCM(key).encrypt(nonce, data, _aad(document_id, request.id, kind.value)),
    )
    work.session.add(row)
    shown = _view(row)
    told = {"document": row.id, "kind": row.kind, "media_type": media_type, "sha256": row.sha256}
    audited = {**told, "size": row.size}
    lifecycle.record(work, request, events.DOCUMENT_ATTACHED, actor=by, data=audited)
    return shown


def listing(work: Unit, request_id: str) -> list[DocumentView]:
    query = select(CaseDocument).where(CaseDocument.request_id == request_id)
    rows = work.session.scalars(query.order_by(CaseDocument.uploaded_at, CaseDocument.id))
    return [_view(row) for row in rows]


def kinds(work: Unit, request_id: str) -> set[DocumentKind]:
    """The kinds of document the case holds."""
    query = select(CaseDocument.kind).where(CaseDocument.request_id == request_id)
    return {DocumentKind(kind) for kind in work.session.scalars(query)}


def read(services: Services, work: Unit, request: Request, document_id: str, actor: str) -> Opened:
    """Decrypt one document for an operator; every read is audited."""
    row = work.session.get(CaseDocument, document_id)
    if row is None or row.request_id != request.id:
        raise NotFoundError(f"no document {document_id!r} in request {request.id}")
    provider = vault.provider(services)
    if row.provider != provider.name:
        raise TamperedError(f"document {row.id} was sealed by {row.provider}, not {provider.name}")
    key = provider.unwrap(row.wrapped_key)
    try:
        content = AESGCM(key).decrypt(
            row.nonce, row.ciphertext, _aad(row.id, row.request_id, row.kind)
        )
    except InvalidTag:
        raise TamperedError(f"document {row.id} does not authenticate") from None
    data = {"document": row.id, "kind": row.kind}
    lifecycle.record(work, request, events.DOCUMENT_READ, actor=actor, data=data)
    return Opened(_view(row), content)


def erase(work: Unit, request_id: str) -> int:
    """Delete the case's documents, key and ciphertext; how many."""
    found = delete(CaseDocument).where(CaseDocument.request_id == request_id)
    return int(getattr(work.session.execute(found), "rowcount", 0) or 0)


def _aad(document_id: str, request_id: str, kind: str) -> bytes:
    return json.dumps([AAD_VERSION, document_id, request_id, kind]).encode()


def _view(row: CaseDocument) -> DocumentView:
    return DocumentView(
        row.id,
        row.request_id,
        DocumentKind(row.kind),
        row.media_type,
        row.size,
        row.sha256,
        row.uploaded_by,
        row.uploaded_at,
    )

"""Open a subject's sealed rows for one role; rows sealed for other roles stay closed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select
from sqlalchemy.orm import Session

from rightsdesk.domain.errors import Code, NotFoundError, TamperedError
from rightsdesk.store.models import VaultItem, VaultKey
from rightsdesk.vault import codec
from rightsdesk.vault.keys import KeyProvider
from rightsdesk.vault.sealing import unwrap


@dataclass(frozen=True)
class Opened:
    """One decrypted row, with the rule that keeps it and until when."""

    system: str
    collection: str
    key: str
    rule: str
    basis: str
    until: date | None
    roles: tuple[str, ...]
    sealed_at: datetime
    row: dict[str, Any]


@dataclass(frozen=True)
class Reading:
    """What a role may read of one subject; ``withheld`` counts the rows sealed for others."""

    subject: str
    request_id: str | None
    retain_until: date | None
    items: list[Opened]
    withheld: int


def read(session: Session, provider: KeyProvider, subject: str, role: str) -> Reading:
    """The subject's rows whose roles include ``role``; NotFoundError when nothing was sealed."""
    key = session.get(VaultKey, subject)
    if key is None:
        raise NotFoundError(
            f"nothing is sealed in the vault for {subject}",
            code=Code.VAULT_EMPTY,
            params={"id": subject},
        )
    data_key = unwrap(key, provider)  # a shredded key raises here, before any row is read
    query = select(VaultItem).where(VaultItem.subject == subject)
    items = list(session.scalars(query.order_by(VaultItem.system, VaultItem.collection)))
    readable = [item for item in items if role in item.roles]
    aead = AESGCM(data_key)
    return Reading(
        subject=subject,
        request_id=items[0].request_id if items else None,
        retain_until=key.retain_until,
        items=[open_item(aead, item) for item in readable],
        withheld=len(items) - len(readable),
    )


def open_item(aead: AESGCM, item: VaultItem) -> Opened:
    """Decrypt one item; a ciphertext moved from another row or edited raises TamperedError."""
    roles = tuple(str(r) for r in item.roles)
    bound = codec.aad(item.subject, item.system, item.collection, item.row_key, item.rule, roles)
    try:
        clear = aead.decrypt(item.nonce, item.ciphertext, bound)
    except InvalidTag:
        raise TamperedError(
            f"vault item {item.system}.{item.collection} {item.row_key} of {item.subject} does "
            "not authenticate: it was altered or moved from another row"
        ) from None
    return Opened(
        system=item.system,
        collection=item.collection,
        key=item.row_key,
        rule=item.rule,
        basis=item.basis,
        until=item.retain_until,
        roles=roles,
        sealed_at=item.created_at,
        row=codec.decode(clear),
    )

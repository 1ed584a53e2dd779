"""Seal held rows under their subject's data key, and shred keys whose retention has ended.

Functions take the caller's session and never commit: the service decides the transaction.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from rightsdesk.domain.errors import KeyDestroyedError, VaultError
from rightsdesk.domain.retention import HeldRow
from rightsdesk.store.models import Tombstone, VaultItem, VaultKey
from rightsdesk.vault import codec
from rightsdesk.vault.keys import NONCE, KeyProvider, new_data_key


@dataclass(frozen=True)
class Sealed:
    """What one ``seal`` did for one subject: counts only, safe for the audit log."""

    subject: str
    request_id: str
    sealed: int
    skipped: int  # already in the vault (a re-run after a crash)
    rules: dict[str, int] = field(default_factory=dict)  # newly sealed rows per rule


@dataclass(frozen=True)
class Shredded:
    """A subject whose data key was destroyed, and how many sealed rows went with it."""

    subject: str
    request_id: str | None
    retain_until: date
    items: int


def seal(
    session: Session,
    provider: KeyProvider,
    rows: Sequence[HeldRow],
    now: datetime,
    *,
    request_id: str | None = None,
) -> list[Sealed]:
    """Encrypt each row under its subject's data key; rows already sealed are skipped.

    ``request_id`` is the request the rows were taken for; by default a subject that is a
    tombstone id resolves to the tombstone's request, any other subject is a request id.
    """
    groups: dict[str, list[HeldRow]] = {}
    for row in rows:
        groups.setdefault(row.subject, []).append(row)
    subjects = sorted(groups)  # one lock order for every sealer
    requests = {s: request_id for s in subjects} if request_id else _requests_of(session, subjects)
    keys = {
        key.subject: key
        for key in session.scalars(
            select(VaultKey)
            .where(VaultKey.subject.in_(subjects))
            .order_by(VaultKey.subject)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    }
    existing: dict[str, set[tuple[str, str, str]]] = {s: set() for s in subjects}
    if keys:
        query = select(VaultItem.subject, VaultItem.system, VaultItem.collection, VaultItem.row_key)
        for subject, *where in session.execute(query.where(VaultItem.subject.in_(list(keys)))):
            existing[subject].add((where[0], where[1], where[2]))
    data_keys = {s: unwrap(key, provider) for s, key in keys.items()}
    for subject in subjects:
        if subject not in keys:
            data_keys[subject] = new_data_key()
            keys[subject] = VaultKey(
                subject=subject,
                provider=provider.name,
                wrapped_key=provider.wrap(data_keys[subject]),
                created_at=now,
                retain_until=latest(r.until for r in groups[subject]),
                destroyed_at=None,
            )
            session.add(keys[subject])
    session.flush()  # the items refer to the keys
    return [
        _seal_subject(
            session,
            keys[subject],
            AESGCM(data_keys[subject]),
            groups[subject],
            existing[subject],
            now,
            requests[subject],
        )
        for subject in groups  # in the order the rows came
    ]


def _seal_subject(
    session: Session,
    key: VaultKey,
    aead: AESGCM,
    rows: list[HeldRow],
    existing: set[tuple[str, str, str]],
    now: datetime,
    request_id: str,
) -> Sealed:
    rules: dict[str, int] = {}
    skipped = 0
    for row in rows:
        where = (row.system, row.collection, row.key)
        if where in existing:
            skipped += 1
            continue
        existing.add(where)
        session.add(_item(aead, row, request_id, now))
        rules[row.rule] = rules.get(row.rule, 0) + 1
    if rules:
        key.retain_until = latest([key.retain_until, *(r.until for r in rows)])
    return Sealed(key.subject, request_id, sum(rules.values()), skipped, rules)


def _item(aead: AESGCM, row: HeldRow, request_id: str, now: datetime) -> VaultItem:
    nonce = os.urandom(NONCE)
    bound = codec.aad(row.subject, row.system, row.collection, row.key, row.rule, row.roles)
    return VaultItem(
        id=uuid.uuid4().hex,
        subject=row.subject,
        request_id=request_id,
        system=row.system,
        collection=row.collection,
        row_key=row.key,
        rule=row.rule,
        basis=row.basis,
        retain_until=row.until,
        roles=sorted(row.roles),
        nonce=nonce,
        ciphertext=aead.encrypt(nonce, codec.encode(row.row), bound),
        created_at=now,
    )


def unwrap(key: VaultKey, provider: KeyProvider) -> bytes:
    """The subject's data key in clear; a shredded key raises KeyDestroyedError."""
    if key.destroyed_at is not None or key.wrapped_key is None:
        raise KeyDestroyedError(key.subject, key.destroyed_at or key.created_at)
    if key.provider != provider.name:
        raise VaultError(
            f"the data key of {key.subject} was wrapped by {key.provider}, but this server's "
            f"key provider is {provider.name} (see docs/vault.md, rotating the master key)"
        )
    return provider.unwrap(key.wrapped_key)


def latest(dates: Iterable[date | None]) -> date | None:
    """The last of the dates; None (kept until reviewed) outlasts any date."""
    found = list(dates)
    if not found or any(d is None for d in found):
        return None
    return max(d for d in found if d is not None)


def shred_due(session: Session, today: date, now: datetime) -> list[Shredded]:
    """Destroy every live key whose retention ended before ``today``, and its sealed rows."""
    due = (
        select(VaultKey)
        .where(VaultKey.retain_until < today, VaultKey.destroyed_at.is_(None))
        .order_by(VaultKey.subject)
        .with_for_update()
    )
    shredded: list[Shredded] = []
    for key in session.scalars(due).all():
        assert key.retain_until is not None  # the query excludes keys kept until reviewed
        items = select(func.count(), func.min(VaultItem.request_id)).where(
            VaultItem.subject == key.subject
        )
        count, request_id = session.execute(items).one()
        session.execute(delete(VaultItem).where(VaultItem.subject == key.subject))
        key.wrapped_key = None
        key.destroyed_at = now
        shredded.append(Shredded(key.subject, request_id, key.retain_until, count))
    return shredded


def _requests_of(session: Session, subjects: Sequence[str]) -> dict[str, str]:
    """Each subject's request: a tombstone's request, else the subject is a request id."""
    query = select(Tombstone.id, Tombstone.request_id).where(Tombstone.id.in_(subjects))
    found: dict[str, str] = dict(session.execute(query).tuples().all())
    return {s: found.get(s, s) for s in subjects}

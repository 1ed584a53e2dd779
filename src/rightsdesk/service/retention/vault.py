"""The retention vault as workflows: seal held rows, read them as a legal or finance role, shred.

Every read, refused read and destroyed key is audited; audit records carry counts and ids,
never the sealed values.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy.orm import Session

from rightsdesk.audit import events
from rightsdesk.audit import log as audit
from rightsdesk.domain.errors import (
    Code,
    KeyDestroyedError,
    NotFoundError,
    PermissionDeniedError,
    VaultError,
)
from rightsdesk.domain.retention import HeldRow
from rightsdesk.service.runtime import keyfiles
from rightsdesk.service.runtime.context import Services, unit
from rightsdesk.settings import Settings
from rightsdesk.store.models import Tombstone, VaultKey
from rightsdesk.vault import KEY_PROVIDERS, ROLES, reading, sealing
from rightsdesk.vault.keys import KeyProvider, LocalKeyProvider
from rightsdesk.vault.reading import Opened, Reading
from rightsdesk.vault.sealing import Sealed

log = logging.getLogger("rightsdesk.service")

MASTER_KEY_FILE = "vault-master.key"


def provider_from_settings(settings: Settings) -> LocalKeyProvider:
    """The local provider: RIGHTSDESK_VAULT_MASTER_KEY, else a key generated into state_dir."""
    configured = settings.vault_master_key
    secret = configured.get_secret_value() if configured is not None else None
    return _local_provider(secret, settings.state_dir.resolve())


@functools.lru_cache(maxsize=8)
def _local_provider(configured: str | None, state_dir: Path) -> LocalKeyProvider:
    if configured is not None:
        try:
            master = base64.b64decode(configured, validate=True)
        except binascii.Error:
            raise VaultError("RIGHTSDESK_VAULT_MASTER_KEY is not base64") from None
        if len(master) != 32:
            raise VaultError("RIGHTSDESK_VAULT_MASTER_KEY must be base64 of 32 bytes")
        return LocalKeyProvider(master)
    # the same generated-once, mode 0600 file as the server secret (64 hex digits)
    return LocalKeyProvider(
        bytes.fromhex(keyfiles.secret(None, state_dir / MASTER_KEY_FILE).decode())
    )


def provider(services: Services) -> KeyProvider:
    """The provider RIGHTSDESK_VAULT_KEY_PROVIDER names in ``rightsdesk.key_providers``."""
    return KEY_PROVIDERS.get(services.settings.vault_key_provider)(services.settings)


def seal_rows(
    services: Services, rows: Sequence[HeldRow], *, request_id: str | None = None
) -> list[Sealed]:
    """Seal rows before their live copies are erased, in a transaction of its own.

    Idempotent: rows already sealed for a subject are skipped, so a run resumed after a crash
    may hand the same rows over again. ``request_id`` defaults to the subject's (see ``seal``).
    """
    if not rows:
        return []
    with unit(services) as work:
        done = sealing.seal(work.session, provider(services), rows, work.now, request_id=request_id)
        for sealed in done:
            if sealed.sealed:
                audit.append(
                    work.session,
                    at=work.now,
                    actor="system",
                    event=events.VAULT_SEALED,
                    request_id=sealed.request_id,
                    data={
                        "subject": sealed.subject,
                        "items": sealed.sealed,
                        "skipped": sealed.skipped,
                        "rules": sealed.rules,
                    },
                )
    return done


def read(services: Services, subject: str, *, role: str, actor: str) -> Reading:
    """The subject's rows sealed for ``role`` (which the caller holds); every attempt is audited."""
    if role not in ROLES:
        deny(services, f"vault {subject}", role=role, actor=actor)
    failure: NotFoundError | KeyDestroyedError | None = None
    with unit(services) as work:
        try:
            found = reading.read(work.session, provider(services), subject, role)
        except (NotFoundError, KeyDestroyedError) as exc:
            failure = exc
            _audit_read(work.session, work.now, actor, subject, role, None, outcome=_why(exc))
        else:
            data = {"items": len(found.items), "withheld": found.withheld}
            _audit_read(work.session, work.now, actor, subject, role, found.request_id, **data)
    if failure is not None:
        raise failure
    return found


@dataclass(frozen=True)
class Obligations:
    """A cancelled account's tombstone and the obligations sealed under it that a role may read."""

    tombstone: str
    request_id: str
    created_at: datetime
    counts: dict[str, Any]  # obligations kept, by rule
    items: list[Opened]
    withheld: int
    destroyed_at: datetime | None  # the vault part was shredded; the tombstone stays


def obligations(services: Services, tombstone_id: str, *, role: str, actor: str) -> Obligations:
    """What a cancelled account still owes or is owed, for finance and legal roles only."""
    if role not in ROLES:
        deny(services, f"tombstone {tombstone_id}", role=role, actor=actor)
    with unit(services) as work:
        tombstone = work.session.get(Tombstone, tombstone_id)
        found = None if tombstone is None else _obligations(services, work.session, tombstone, role)
        data: dict[str, Any] = {"tombstone": True, "outcome": "not_found"}
        if found is not None:
            data = {"tombstone": True, "items": len(found.items), "withheld": found.withheld}
        request_id = None if found is None else found.request_id
        _audit_read(work.session, work.now, actor, tombstone_id, role, request_id, **data)
    if found is None:
        raise NotFoundError(
            f"no tombstone {tombstone_id}",
            code=Code.TOMBSTONE_UNKNOWN,
            params={"id": tombstone_id},
        )
    return found


def _obligations(
    services: Services, session: Session, tombstone: Tombstone, role: str
) -> Obligations:
    items: list[Opened] = []
    withheld, destroyed_at = 0, None
    if session.get(VaultKey, tombstone.id) is not None:
        try:
            found = reading.read(session, provider(services), tombstone.id, role)
            items, withheld = found.items, found.withheld
        except KeyDestroyedError as exc:
            destroyed_at = exc.destroyed_at
    return Obligations(
        tombstone.id,
        tombstone.request_id,
        tombstone.created_at,
        dict(tombstone.obligations),
        items,
        withheld,
        destroyed_at,
    )


def deny(services: Services, target: str, *, role: str, actor: str) -> NoReturn:
    """Refuse a vault read: alert (a warning in the log and a ``vault_denied`` audit event)."""
    log.warning("vault access denied: %s acting as %r asked for %s", actor, role, target)
    with unit(services) as work:
        audit.append(
            work.session,
            at=work.now,
            actor=actor,
            event=events.VAULT_DENIED,
            reason=f"acting as {role!r}, which is not a vault role the caller holds",
            data={"target": target, "role": role},
        )
    raise PermissionDeniedError(
        f"the vault is readable only by the {' and '.join(ROLES)} roles", code=Code.VAULT_ROLES
    )


def sweep(services: Services) -> int:
    """Crypto-shred every subject whose retention ended before today (UTC); how many were."""
    with unit(services) as work:
        gone = sealing.shred_due(work.session, work.now.date(), work.now)
        for shredded in gone:
            audit.append(
                work.session,
                at=work.now,
                actor="system",
                event=events.VAULT_KEY_DESTROYED,
                request_id=shredded.request_id,
                data={
                    "subject": shredded.subject,
                    "retain_until": shredded.retain_until,
                    "items": shredded.items,
                },
            )
    return len(gone)


def _audit_read(
    session: Session,
    at: datetime,
    actor: str,
    subject: str,
    role: str,
    request_id: str | None,
    **data: Any,
) -> None:
    audit.append(
        session,
        at=at,
        actor=actor,
        event=events.VAULT_READ,
        request_id=request_id,
        data={"subject": subject, "role": role, **data},
    )


def _why(exc: NotFoundError | KeyDestroyedError) -> str:
    return "destroyed" if isinstance(exc, KeyDestroyedError) else "not_found"

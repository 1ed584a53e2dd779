"""The erasure journal: what a restore's replay needs to find an erased person's rows again.

A restored backup brings back the rows of everyone erased after it was taken, and after case
minimisation rightsdesk no longer holds their identities in clear. So each erasure that ran
(a deletion, whole or scoped, or an account cancellation) is journaled when its request
completes: when, which places (scope, places a partial refusal held), and, sealed, whom: the
subject id of the run and the identities it used, AES-256-GCM under a data key of its own that
the vault's key provider wraps. When the replay horizon (``RIGHTSDESK_REPLAY_HORIZON_DAYS``)
passes, the sweep shreds the key and the blob: the entry stays (so a replay says it cannot be
replayed) and the person can no longer be found from it. Whole erasures also add the person's
identities to the suppression list.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import func, select, update

from rightsdesk.audit import events
from rightsdesk.audit import log as audit
from rightsdesk.domain.errors import TamperedError
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.erasures import suppression
from rightsdesk.service.requests import lifecycle
from rightsdesk.service.retention import vault
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.store.erasures import ErasureEntry, Suppression
from rightsdesk.store.models import Request

NONCE = 12
#: Binds a sealed blob to the journal and to its entry.
CONTEXT = b"rightsdesk.erasure-journal/1\n"


@dataclass(frozen=True)
class Whom:
    """An entry's sealed part: the run's subject id and the identities it found the rows by."""

    subject: str
    identities: tuple[Identity, ...]


def record(services: Services, work: Unit, request: Request, summary: Mapping[str, Any]) -> None:
    """Journal the erasure a completing request ran (once); suppress the person if it was
    whole. ``summary`` is the run's (its ``tombstone`` is a cancellation's subject id)."""
    if _entry_of(work, request.id) is not None:
        return
    given = [Identity(i.kind, i.value) for i in request.identities]
    linked = [Identity(kind, value) for kind, value in summary.get("links", ())]
    identities = tuple(dict.fromkeys([*given, *linked]))
    scope = list(request.params.get("scope") or ())
    entry = ErasureEntry(
        id=uuid.uuid4().hex,
        request_id=request.id,
        kind=request.type,
        erased_at=work.now,
        scope=scope,
        held=list(summary.get("held", ())),
        horizon=work.now + timedelta(days=services.settings.replay_horizon_days),
        replayed_at=None,
    )
    _seal(services, entry, Whom(str(summary.get("tombstone") or request.id), identities))
    work.session.add(entry)
    listed = 0 if scope else suppression.add(services, work, request.id, identities)
    lifecycle.record(
        work,
        request,
        events.ERASURE_JOURNALED,
        actor="system",
        data={"entry_id": entry.id, "suppressed": listed, "horizon": entry.horizon.isoformat()},
    )


def open_(services: Services, entry: ErasureEntry) -> Whom | None:
    """The sealed part of an entry; None once its horizon shredded it."""
    if entry.sealed is None or entry.wrapped_key is None:
        return None
    key = vault.provider(services).unwrap(entry.wrapped_key)
    try:
        plain = AESGCM(key).decrypt(
            entry.sealed[:NONCE], entry.sealed[NONCE:], CONTEXT + entry.id.encode()
        )
    except InvalidTag:
        raise TamperedError(f"erasure journal entry {entry.id} does not open") from None
    found = json.loads(plain)
    return Whom(found["subject"], tuple(Identity(k, v) for k, v in found["identities"]))


def shred_due(services: Services) -> int:
    """Shred the sealed part of every entry past its horizon (audited, a count); how many."""
    with unit(services) as work:
        due = (ErasureEntry.horizon <= work.now) & ErasureEntry.sealed.is_not(None)
        count = int(
            work.session.scalar(select(func.count()).select_from(ErasureEntry).where(due)) or 0
        )
        if count:
            work.session.execute(
                update(ErasureEntry).where(due).values(wrapped_key=None, sealed=None)
            )
            audit.append(
                work.session,
                at=work.now,
                actor="system",
                event=events.REPLAY_SHREDDED,
                data={"entries": count},
            )
    return count


def unlink(work: Unit, request_ids: list[str]) -> int:
    """A cancelled account's suppression hashes and journal entries, no longer tied to its
    requests (case minimisation): the hashes keep only the day they were added."""
    listed = work.session.scalars(
        select(Suppression).where(Suppression.request_id.in_(request_ids))
    ).all()
    for row in listed:
        row.request_id = None
        row.added_at = row.added_at.replace(hour=0, minute=0, second=0, microsecond=0)
    work.session.execute(
        update(ErasureEntry).where(ErasureEntry.request_id.in_(request_ids)).values(request_id=None)
    )
    return len(listed)


def _seal(services: Services, entry: ErasureEntry, whom: Whom) -> None:
    key = AESGCM.generate_key(bit_length=256)
    plain = json.dumps(
        {"subject": whom.subject, "identities": [[i.kind, i.value] for i in whom.identities]}
    ).encode()
    nonce = os.urandom(NONCE)
    provider = vault.provider(services)
    entry.provider = provider.name
    entry.wrapped_key = provider.wrap(key)
    entry.sealed = nonce + AESGCM(key).encrypt(nonce, plain, CONTEXT + entry.id.encode())


def _entry_of(work: Unit, request_id: str) -> ErasureEntry | None:
    query = select(ErasureEntry).where(ErasureEntry.request_id == request_id)
    return work.session.scalars(query).first()

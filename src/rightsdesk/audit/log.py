"""The audit log in rightsdesk's store: events appended through one call, checked as a chain."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rightsdesk.audit.chain import (
    Anchor,
    ChainBreak,
    ChainEntry,
    audit_record,
    canonical,
    link,
    verify,
)
from rightsdesk.store.db import Store
from rightsdesk.store.models import AuditEvent, AuditHead


def append(
    session: Session,
    *,
    at: datetime,
    actor: str,
    event: str,
    request_id: str | None = None,
    status_from: str | None = None,
    status_to: str | None = None,
    reason: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Add one event after the chain's head, in the caller's transaction (head row locked)."""
    head = session.get(AuditHead, 1, with_for_update=True)
    if head is None:  # pragma: no cover - the first migration creates it
        raise RuntimeError("audit_head row missing; run the migrations")
    record = json.loads(
        canonical(
            audit_record(
                at=at,
                actor=actor,
                event=event,
                request_id=request_id,
                status_from=status_from,
                status_to=status_to,
                reason=reason,
                data=data,
            )
        )
    )
    seq = head.seq + 1
    digest = link(head.hash, seq, record)
    row = AuditEvent(
        seq=seq,
        at=at,
        request_id=request_id,
        event=event,
        record=record,
        prev_hash=head.hash,
        hash=digest,
    )
    session.add(row)
    head.seq, head.hash = seq, digest
    return row


def head(session: Session) -> Anchor:
    row = session.get(AuditHead, 1)
    assert row is not None
    return Anchor(seq=row.seq, hash=row.hash)


def check(store: Store) -> tuple[int, list[ChainBreak]]:
    """Every entry checked against its neighbours and the stored head: (entries, breaks)."""
    with store.session() as session:
        anchor = head(session)
        count = 0

        def entries() -> Iterator[ChainEntry]:
            nonlocal count
            rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(1000)
            for (row,) in rows:
                count += 1
                yield ChainEntry(row.seq, row.record, row.prev_hash, row.hash)

        breaks = verify(entries(), head=anchor)
    return count, breaks


def events_for(session: Session, request_id: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.request_id == request_id)
    return list(session.scalars(query.order_by(AuditEvent.seq)))

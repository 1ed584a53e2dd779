"""The audit log in rightsdesk's store: events appended through one call, checked as a chain."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event as orm_event
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
from rightsdesk.audit.events import AuditEventType
from rightsdesk.store.db import Store
from rightsdesk.store.models import AuditEvent, AuditHead

#: Keys in ``Session.info``: events waiting to be chained, and the head locked for this transaction.
PENDING = "rightsdesk.audit.pending"
LOCKED_HEAD = "rightsdesk.audit.head"


def append(
    session: Session,
    *,
    at: datetime,
    actor: str,
    event: AuditEventType,
    request_id: str | None = None,
    status_from: str | None = None,
    status_to: str | None = None,
    reason: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> None:
    """Record one event in the caller's transaction; it is chained when the transaction commits.

    Chaining needs the one-row head locked, which serialises every audited transaction, so it
    happens once, as late as possible (``seal``), rather than at each event. ``data`` may hold
    only the keys ``event`` declares (ValueError otherwise).
    """
    event.check(data)
    record = json.loads(
        canonical(
            audit_record(
                at=at,
                actor=actor,
                event=event.name,
                request_id=request_id,
                status_from=status_from,
                status_to=status_to,
                reason=reason,
                data=data,
            )
        )
    )
    session.info.setdefault(PENDING, []).append((at, request_id, event.name, record))


def cause(exc: BaseException) -> str:
    """What an audit record may say about a failure: its class and our own labels (channel,
    system, run), never its message, which can quote an SMTP reply, a driver or an address."""
    labels = [
        f"{name}={value}"
        for name in ("channel", "system", "run_id")
        if isinstance(value := getattr(exc, name, None), str)
    ]
    return " ".join([type(exc).__name__, *labels])


def seal(session: Session) -> Anchor:
    """Chain the transaction's pending events after the head now; the head stays locked."""
    head: AuditHead | None = session.info.get(LOCKED_HEAD)
    if head is None:
        head = session.get(AuditHead, 1, with_for_update=True, populate_existing=True)
        if head is None:  # pragma: no cover - the first migration creates it
            raise RuntimeError("audit_head row missing; run the migrations")
        session.info[LOCKED_HEAD] = head
    for at, request_id, event, record in session.info.pop(PENDING, []):
        seq = head.seq + 1
        digest = link(head.hash, seq, record)
        session.add(
            AuditEvent(
                seq=seq,
                at=at,
                request_id=request_id,
                event=event,
                record=record,
                prev_hash=head.hash,
                hash=digest,
            )
        )
        head.seq, head.hash = seq, digest
    return Anchor(seq=head.seq, hash=head.hash)


@orm_event.listens_for(Session, "before_commit")
def _seal_on_commit(session: Session) -> None:
    if session.info.get(PENDING):
        seal(session)


@orm_event.listens_for(Session, "after_commit")
@orm_event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(LOCKED_HEAD, None)


def head(session: Session) -> Anchor:
    row = session.get(AuditHead, 1)
    assert row is not None
    return Anchor(seq=row.seq, hash=row.hash)


def check(store: Store) -> tuple[int, list[ChainBreak]]:
    """Every entry checked against its neighbours and the stored head: (entries, breaks).

    The head and the entries are read from one snapshot, so events appended meanwhile by a
    live system (PostgreSQL reads each statement afresh by default) are not taken for entries
    written past the head."""
    with store.session() as session:
        if not store.is_sqlite:  # SQLite's transactions are serializable already
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        anchor = head(session)
        count = 0

        def entries() -> Iterator[ChainEntry]:
            nonlocal count
            rows = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).yield_per(1000)
            for (row,) in rows:
                count += 1
                yield ChainEntry(row.seq, stored_record(row), row.prev_hash, row.hash)

        breaks = verify(entries(), head=anchor)
    return count, breaks


def stored_record(row: AuditEvent) -> dict[str, Any]:
    """The record as the columns say: ``at``, ``event`` and ``request_id`` are also columns
    (the request view and the queries read them), so they are checked against the hash too."""
    at = row.at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return {**row.record, "at": at, "event": row.event, "request_id": row.request_id}


def event_time(record: Mapping[str, Any]) -> datetime:
    """The ``at`` of a stored record, as an aware datetime."""
    return datetime.fromisoformat(str(record["at"]).replace("Z", "+00:00"))


def events_for(session: Session, request_id: str) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.request_id == request_id)
    return list(session.scalars(query.order_by(AuditEvent.seq)))

"""The audit log as stored: tampering with rows in the database is detected, on both backends."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, update

from rightsdesk.audit import events
from rightsdesk.audit import log as audit
from rightsdesk.audit.chain import BreakKind
from rightsdesk.audit.events import AuditEventType
from rightsdesk.store.db import Store
from rightsdesk.store.models import AuditEvent, AuditHead

T0 = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
    ]
)
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    url: str = request.getfixturevalue(f"{request.param}_url")
    built = Store(url)
    built.migrate()
    with built.session() as session:
        for n in range(1, 7):
            audit.append(
                session,
                at=T0 + timedelta(minutes=n),
                actor="system",
                event=AuditEventType(f"event-{n}", "a test event", frozenset({"n"})),
                request_id="r1",
                data={"n": n},
            )
    yield built
    built.close()


def test_an_untouched_log_is_intact(store: Store) -> None:
    assert audit.check(store) == (6, [])


def _tamper_edit(store: Store) -> None:
    with store.session() as session:
        session.execute(
            update(AuditEvent).where(AuditEvent.seq == 3).values(record={"event": "rewritten"})
        )


def _tamper_remove(store: Store) -> None:
    with store.session() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.seq == 4))


def _tamper_reorder(store: Store) -> None:
    with store.session() as session:
        rows = {r.seq: r for r in session.query(AuditEvent).filter(AuditEvent.seq.in_([2, 5]))}
        two, five = rows[2], rows[5]
        fields = ("record", "prev_hash", "hash", "event", "at")
        swapped = {f: (getattr(two, f), getattr(five, f)) for f in fields}
        for name, (a, b) in swapped.items():
            setattr(two, name, b)
            setattr(five, name, a)


def _tamper_truncate(store: Store) -> None:
    with store.session() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.seq == 6))


def _tamper_rebuild_head(store: Store) -> None:
    with store.session() as session:
        session.execute(delete(AuditEvent).where(AuditEvent.seq == 6))
        session.execute(update(AuditHead).values(seq=5, hash="f" * 64))


@pytest.mark.parametrize(
    ("tamper", "kind"),
    [
        (_tamper_edit, {BreakKind.EDITED}),
        (_tamper_remove, {BreakKind.REMOVED}),
        # rows are read in seq order, and each hash covers its seq: moved content reads as edited
        (_tamper_reorder, {BreakKind.EDITED}),
        (_tamper_truncate, {BreakKind.TRUNCATED}),
        (_tamper_rebuild_head, {BreakKind.HEAD_MISMATCH}),
    ],
)
def test_tampering_with_stored_rows_is_detected(
    store: Store, tamper: object, kind: set[BreakKind]
) -> None:
    tamper(store)  # type: ignore[operator]
    _, breaks = audit.check(store)
    assert {b.kind for b in breaks} == kind, breaks
    assert {b.seq for b in breaks} <= {2, 3, 4, 5, 6}


def test_appends_after_a_check_continue_the_chain(store: Store) -> None:
    with store.session() as session:
        audit.append(session, at=T0 + timedelta(hours=1), actor="person", event=events.NOTE)
    assert audit.check(store) == (7, [])


LIVE = AuditEventType("live", "a test event")


def test_data_an_event_does_not_declare_is_refused(store: Store) -> None:
    with store.session() as session, pytest.raises(ValueError, match="does not declare email"):
        audit.append(session, at=T0, actor="person", event=events.NOTE, data={"email": "a@b.c"})
    assert audit.check(store) == (6, [])


def test_a_live_log_checks_clean_while_events_are_appended(store: Store) -> None:
    """The head and the entries come from one snapshot, whatever commits in between."""
    stop = threading.Event()

    def append_forever() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            with store.session() as session:
                audit.append(session, at=T0, actor="system", event=LIVE, request_id="r2")

    writer = threading.Thread(target=append_forever)
    writer.start()
    try:
        for _ in range(30):
            entries, breaks = audit.check(store)
            assert breaks == [] and entries >= 6
    finally:
        stop.set()
        writer.join()

"""Replaying erasures after a company database was restored from a backup (DEL-05).

``rightsdesk replay --since DATE``: every erasure journaled at or after ``DATE`` (the backup's
time) runs again, in the order it first ran, with the identities sealed in its entry and the
places it left alone (scope, held places) as then. An erasure finds only what is there, so a
replay is idempotent: run twice, the second erases nothing. Entries past their horizon cannot be
replayed (their identities are shredded) and are reported; so are erasures that fail.

Not replayed: corrections. A correction's new value is the person's data, kept in the case
record only until minimisation, and the right value after a restore is not known to us: the
person may have changed it again on the host platform after our correction, a change the
restore lost as well. So corrections done since ``DATE`` are listed for an operator to redo
(or the person to be asked), never applied blindly. Restrictions in force are marked again
(setting a flag twice is harmless). Recipients and the host are not told again: their copies
were not restored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select

from rightsdesk.audit import events
from rightsdesk.audit import log as audit
from rightsdesk.domain.errors import RightsdeskError
from rightsdesk.domain.requests import RequestType, Status
from rightsdesk.service.erasures import journal
from rightsdesk.service.restrictions import marks
from rightsdesk.service.runtime.context import Services, unit
from rightsdesk.service.workflows import deletion
from rightsdesk.store.erasures import ErasureEntry
from rightsdesk.store.models import Request
from rightsdesk.store.restrictions import Restriction

REPLAYED, EXPIRED, FAILED = "replayed", "expired", "failed"


@dataclass(frozen=True)
class Replayed:
    """One journaled erasure, replayed (or not, and why)."""

    entry_id: str
    request_id: str | None
    kind: str
    erased_at: datetime
    state: str
    #: rows deleted or masked by this replay (0: nothing of the person had come back)
    rows: int = 0
    cause: str | None = None


@dataclass
class Summary:
    """What a replay did: each erasure, the corrections to redo by hand, restrictions marked."""

    since: datetime
    erasures: list[Replayed] = field(default_factory=list)
    #: (request id, completed at) of corrections done since, not replayed (see the module doc)
    corrections: list[tuple[str, datetime]] = field(default_factory=list)
    restrictions_marked: int = 0

    def count(self, state: str) -> int:
        return sum(1 for e in self.erasures if e.state == state)

    @property
    def complete(self) -> bool:
        return self.count(EXPIRED) == 0 and self.count(FAILED) == 0


#: Told each erasure as it is done, with its position: (n, of, outcome).
Progress = Callable[[int, int, Replayed], None]


def replay(
    services: Services, since: datetime, *, actor: str, progress: Progress | None = None
) -> Summary:
    """Re-apply every erasure journaled since ``since``; audited, one record each and one in all."""
    with services.store.session() as session:
        entries = list(
            session.scalars(
                select(ErasureEntry)
                .where(ErasureEntry.erased_at >= since)
                .order_by(ErasureEntry.erased_at, ErasureEntry.id)
            )
        )
        session.expunge_all()
    summary = Summary(since)
    for n, entry in enumerate(entries, 1):
        done = _one(services, entry, since, actor)
        summary.erasures.append(done)
        if progress is not None:
            progress(n, len(entries), done)
    summary.restrictions_marked = _mark_again(services)
    summary.corrections = _corrections(services, since)
    with unit(services) as work:
        audit.append(
            work.session,
            at=work.now,
            actor=actor,
            event=events.REPLAY_FINISHED,
            data={
                "since": since.isoformat(),
                "replayed": summary.count(REPLAYED),
                "expired": summary.count(EXPIRED),
                "failed": summary.count(FAILED),
                "corrections": len(summary.corrections),
                "restrictions_marked": summary.restrictions_marked,
            },
        )
    return summary


def _one(services: Services, entry: ErasureEntry, since: datetime, actor: str) -> Replayed:
    base = Replayed(entry.id, entry.request_id, entry.kind, entry.erased_at, EXPIRED)
    whom = journal.open_(services, entry)
    if whom is None:
        return base
    try:
        result = deletion.erase(
            services,
            whom.subject,
            whom.identities,
            scope=frozenset(entry.scope) if entry.scope else None,
            held=entry.held,
        )
    except RightsdeskError as exc:
        done = replace(base, state=FAILED, cause=audit.cause(exc))
    else:
        rows = sum(o["deleted"] + o["masked"] for o in result["collections"].values())
        done = replace(base, state=REPLAYED, rows=rows)
    with unit(services) as work:
        if done.state == REPLAYED:
            found = work.session.get(ErasureEntry, entry.id)
            if found is not None:
                found.replayed_at = work.now
        audit.append(
            work.session,
            at=work.now,
            actor=actor,
            event=events.ERASURE_REPLAYED,
            request_id=entry.request_id,
            reason=done.cause,
            data={"entry_id": entry.id, "state": done.state, "rows": done.rows},
        )
    return done


def _mark_again(services: Services) -> int:
    """Set the flags of every restriction in force again (a restore may have cleared them)."""
    with services.store.session() as session:
        active = session.scalars(select(Restriction).where(Restriction.lifted_at.is_(None))).all()
        held = [dict(r.marks) for r in active if marks.collections_marked(r.marks, "flag")]
    for each in held:
        marks.flag(services, each, True)
    return len(held)


def _corrections(services: Services, since: datetime) -> list[tuple[str, datetime]]:
    with services.store.session() as session:
        rows = session.execute(
            select(Request.id, Request.closed_at)
            .where(
                Request.type == RequestType.CORRECT.value,
                Request.status.in_([Status.COMPLETED.value, Status.PARTIALLY_COMPLETED.value]),
                Request.closed_at >= since,
            )
            .order_by(Request.closed_at, Request.id)
        ).all()
    return [(request_id, closed_at) for request_id, closed_at in rows]

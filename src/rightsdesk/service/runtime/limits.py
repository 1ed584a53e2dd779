"""Per-system limits: at most ``concurrency`` engine runs in a data store at once, everywhere.

A run takes one slot of every limited system of its data map before it starts, in system-name
order (so two runs never wait on each other in a cycle), and gives them back when it ends, even
after an error. With a PostgreSQL store a slot is a session-level advisory lock held on one
store connection for the run, so the limit holds across every worker process on every machine;
with a SQLite store (one process) it is a semaphore. The statement rate is split evenly among
the slots (one ``throttle.Bucket`` per held slot), so the total never exceeds
``statements_per_second`` without any shared counter.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from rightsdesk.connectors.base import Connector
from rightsdesk.datamap import DataMap
from rightsdesk.service.runtime.throttle import Bucket, Throttled
from rightsdesk.store.db import Store

log = logging.getLogger("rightsdesk.limits")

#: Told (system, seconds a run waited for its slot) after each slot is taken.
WaitObserver = Callable[[str, float], None]

_TRY = sa.text("SELECT pg_try_advisory_lock(:classid, :objid)")
_UNLOCK = sa.text("SELECT pg_advisory_unlock(:classid, :objid)")


def lock_key(system: str, slot: int) -> tuple[int, int]:
    """The advisory lock of ``slot`` of ``system``: stable across processes and releases."""
    digest = hashlib.sha256(f"rightsdesk.limits\x1f{system}".encode()).digest()
    return int.from_bytes(digest[:4], "big", signed=True), slot


class _Slots(Protocol):
    def take(self, system: str, concurrency: int, wait: float) -> bool:
        """Take a free slot of ``system``, waiting up to ``wait`` seconds; whether one was."""

    def release(self) -> None:
        """Give back every slot taken."""


class Gate:
    """Built once per process around the store; each run takes its slots through ``take``."""

    def __init__(self, store: Store | None = None, *, max_backoff: float = 1.0) -> None:
        self._engine = store.engine if store is not None and not store.is_sqlite else None
        self._semaphores: dict[tuple[str, int], threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()
        self.max_backoff = max_backoff
        self.observer: WaitObserver | None = None

    @property
    def shared(self) -> bool:
        """Whether the slots are shared with every process using the store (PostgreSQL)."""
        return self._engine is not None

    def take(self, datamap: DataMap) -> Held:
        """Wait for one slot of every limited system of ``datamap``; hold them until released."""
        limited = sorted(
            (s.name, s.limits.concurrency, s.limits.per_slot_rate)
            for s in datamap.systems
            if s.limits is not None and s.limits.concurrency is not None
        )
        slots: _Slots = _AdvisoryLocks(self._engine) if self._engine else _Semaphores(self)
        try:
            for name, concurrency, _ in limited:
                self._wait(slots, name, concurrency)
        except BaseException:
            slots.release()
            raise
        return Held(slots, {name: rate for name, _, rate in limited if rate is not None})

    def semaphore(self, system: str, concurrency: int) -> threading.BoundedSemaphore:
        with self._lock:
            return self._semaphores.setdefault(
                (system, concurrency), threading.BoundedSemaphore(concurrency)
            )

    def _wait(self, slots: _Slots, system: str, concurrency: int) -> None:
        started = time.monotonic()
        backoff, told = 0.05, False
        while not slots.take(system, concurrency, backoff):
            if not told:
                log.info("waiting for a slot of system %s (concurrency %d)", system, concurrency)
                told = True
            backoff = min(backoff * 2, self.max_backoff)
        waited = time.monotonic() - started
        if told:
            log.info("took a slot of system %s after %.2f s", system, waited)
        if self.observer is not None:
            self.observer(system, waited)


class Held:
    """The slots one run holds; ``wrap`` applies their statement rates to its connectors."""

    def __init__(self, slots: _Slots, rates: Mapping[str, float]) -> None:
        self._slots, self.rates = slots, dict(rates)

    def wrap(self, connectors: Mapping[str, Connector]) -> dict[str, Connector]:
        """The connectors, those of systems with a rate behind a bucket of this run's share."""
        return {
            name: Throttled(c, Bucket(self.rates[name])) if name in self.rates else c
            for name, c in connectors.items()
        }

    def release(self) -> None:
        self._slots.release()

    def __enter__(self) -> Held:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


class _Semaphores:
    """Slots inside this process (SQLite store: everything runs in one process)."""

    def __init__(self, gate: Gate) -> None:
        self._gate = gate
        self._held: list[threading.BoundedSemaphore] = []

    def take(self, system: str, concurrency: int, wait: float) -> bool:
        semaphore = self._gate.semaphore(system, concurrency)
        if not semaphore.acquire(timeout=wait):
            return False
        self._held.append(semaphore)
        return True

    def release(self) -> None:
        while self._held:
            self._held.pop().release()


class _AdvisoryLocks:
    """Slots as PostgreSQL advisory locks on one store connection (autocommit: no transaction)."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._conn: sa.Connection | None = None
        self._held: list[tuple[int, int]] = []

    def take(self, system: str, concurrency: int, wait: float) -> bool:
        if self._conn is None:
            self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        for slot in range(concurrency):
            classid, objid = lock_key(system, slot)
            if self._conn.execute(_TRY, {"classid": classid, "objid": objid}).scalar_one():
                self._held.append((classid, objid))
                return True
        time.sleep(wait)
        return False

    def release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            for classid, objid in reversed(self._held):
                conn.execute(_UNLOCK, {"classid": classid, "objid": objid})
        except SQLAlchemyError as exc:
            # closing the session is what releases its locks, whatever state it is in
            name = type(exc).__name__
            log.warning("limits: slots not released cleanly (%s); closing their connection", name)
            conn.invalidate()
        finally:
            self._held.clear()
            conn.close()

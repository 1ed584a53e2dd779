"""How long a run spends in each data store, measured around the connectors the engine is given.

The engine interleaves systems (its traversal follows references across them), so the time per
system is the sum of the time inside that system's connector calls, including the wait for each
streamed batch. Wrapping the connectors keeps the engine free of any clock or metrics library;
the edge decides what to do with the numbers (``Services.step_observer``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from time import perf_counter
from typing import TYPE_CHECKING, Any

from rightsdesk.connectors.base import Change, Connector, Row, SchemaInfo, Transaction

if TYPE_CHECKING:  # runs.py imports this module, and the engine commands skip the service
    from rightsdesk.service.runtime.context import Services

#: (system, seconds spent in it during one run)
Timer = Callable[[str, float], None]


def timer(services: Services, action: str) -> Timer | None:
    """The observer of ``action`` runs (access, erasure, correction), if the edge installed one."""
    observe = services.step_observer
    if observe is None:
        return None
    return lambda system, seconds: observe(action, system, seconds)


class Timed:
    """A connector that adds up the seconds spent inside the one it wraps."""

    def __init__(self, inner: Connector) -> None:
        self.inner = inner
        self.seconds = 0.0
        self.used = False

    def check(self) -> None:
        started = perf_counter()
        try:
            self.inner.check()
        finally:
            self._add(started)

    def read(
        self, collection: str, key: str, values: Sequence[Any], columns: Sequence[str]
    ) -> Iterator[list[Row]]:
        started = perf_counter()
        batches = iter(self.inner.read(collection, key, values, columns))
        self._add(started)
        try:
            while True:
                started = perf_counter()
                batch = next(batches, None)
                self._add(started)
                if batch is None:
                    return
                yield batch
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()

    def scan(
        self,
        collection: str,
        columns: Sequence[str],
        containing: Mapping[str, Sequence[str]] | None = None,
    ) -> Iterator[list[Row]]:
        started = perf_counter()
        try:
            yield from self.inner.scan(collection, columns, containing)
        finally:
            self._add(started)

    def writer(self) -> str | None:
        return self.inner.writer()

    def begin(self) -> Transaction:
        started = perf_counter()
        try:
            return _TimedTransaction(self.inner.begin(), self)
        finally:
            self._add(started)

    def apply(self, changes: Sequence[Change]) -> list[int]:
        started = perf_counter()
        try:
            return self.inner.apply(changes)
        finally:
            self._add(started)

    def describe(self, tables: Sequence[str] | None = None) -> SchemaInfo:
        started = perf_counter()
        try:
            return self.inner.describe(tables)
        finally:
            self._add(started)

    def close(self) -> None:
        self.inner.close()

    def _add(self, started: float) -> None:
        self.seconds += perf_counter() - started
        self.used = True


class _TimedTransaction:
    def __init__(self, inner: Transaction, owner: Timed) -> None:
        self.inner, self.owner = inner, owner

    def apply(self, changes: Sequence[Change]) -> list[int]:
        started = perf_counter()
        try:
            return self.inner.apply(changes)
        finally:
            self.owner._add(started)

    def commit(self) -> None:
        started = perf_counter()
        try:
            self.inner.commit()
        finally:
            self.owner._add(started)

    def rollback(self) -> None:
        started = perf_counter()
        try:
            self.inner.rollback()
        finally:
            self.owner._add(started)

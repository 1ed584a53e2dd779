"""A statement rate for one run in one data store, applied around its connector (like ``Timed``).

The engine never sees a clock: the run's connector for a system with a rate is wrapped, and
each statement waits for its turn before it is sent. Counting is by what the wrapper can see:
a read costs one statement per ``KEYS_PER_STATEMENT`` keys (the SQL connector's ``IN`` chunk)
plus one for every further batch of rows it streams; a change costs one per chunk of keys;
``check`` and ``describe`` cost one.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from rightsdesk.connectors.base import (
    Change,
    Connector,
    DeleteWhere,
    Row,
    SchemaInfo,
    Transaction,
    UpdateRows,
    UpdateWhere,
)

#: Keys the SQL connector puts in one statement (its default ``chunk_size``).
KEYS_PER_STATEMENT = 500


class Bucket:
    """``rate`` statements per second with a burst of one: the n-th starts (n - 1) / rate in."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"rate must be positive, got {rate}")
        self.rate, self._clock, self._sleep = rate, clock, sleep
        self._next = -math.inf  # when the next statement may start
        self._lock = threading.Lock()

    def take(self, statements: int = 1) -> None:
        """Wait until ``statements`` more may be sent (reserved now, so threads queue fairly)."""
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + statements / self.rate
        if start > now:
            self._sleep(start - now)


def statements(change: Change) -> int:
    """How many statements the SQL connector sends for ``change``."""
    if isinstance(change, UpdateWhere | DeleteWhere):
        return max(1, math.ceil(len(change.keys) / KEYS_PER_STATEMENT))
    if isinstance(change, UpdateRows):
        return max(1, math.ceil(len(change.rows) / KEYS_PER_STATEMENT))
    return 1


def _take_for(bucket: Bucket, changes: Sequence[Change]) -> None:
    if changes:
        bucket.take(sum(statements(c) for c in changes))


class Throttled:
    """A connector that sends statements to the one it wraps no faster than its bucket allows."""

    def __init__(self, inner: Connector, bucket: Bucket) -> None:
        self.inner, self.bucket = inner, bucket

    def check(self) -> None:
        self.bucket.take()
        self.inner.check()

    def read(
        self, collection: str, key: str, values: Sequence[Any], columns: Sequence[str]
    ) -> Iterator[list[Row]]:
        if values:
            self.bucket.take(math.ceil(len(values) / KEYS_PER_STATEMENT))
        batches = iter(self.inner.read(collection, key, values, columns))
        try:
            for index, batch in enumerate(batches):
                if index:  # a further batch is a further round trip to the store
                    self.bucket.take()
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
        for batch in self.inner.scan(collection, columns, containing):
            self.bucket.take()
            yield batch

    def writer(self) -> str | None:
        return self.inner.writer()

    def begin(self) -> Transaction:
        return _ThrottledTransaction(self.inner.begin(), self.bucket)

    def apply(self, changes: Sequence[Change]) -> list[int]:
        _take_for(self.bucket, changes)
        return self.inner.apply(changes)

    def describe(self, tables: Sequence[str] | None = None) -> SchemaInfo:
        self.bucket.take()
        return self.inner.describe(tables)

    def close(self) -> None:
        self.inner.close()


class _ThrottledTransaction:
    def __init__(self, inner: Transaction, bucket: Bucket) -> None:
        self.inner, self.bucket = inner, bucket

    def apply(self, changes: Sequence[Change]) -> list[int]:
        _take_for(self.bucket, changes)
        return self.inner.apply(changes)

    def commit(self) -> None:
        self.inner.commit()

    def rollback(self) -> None:
        self.inner.rollback()

"""A connector around another: every call to the store, and every streamed batch, is one *step*
the subclass hears of before (``start``, told how many statements it sends) and after
(``stop``). A statement rate (``service/runtime/throttle.py``) and a stopwatch
(``service/runtime/timing.py``) are two such wrappers; the engine never sees either.

Statements are counted by what the wrapper can see, as the SQL connector sends them: a keyed
read costs one per ``KEYS_PER_STATEMENT`` keys and then one for every further batch it
streams, a scan one per batch (counted as each batch comes), a change one per chunk of keys,
``check`` and ``describe`` one; opening, committing and rolling back a transaction cost none
(they are still steps, and timed).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

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

T = TypeVar("T")

#: Keys the SQL connector puts in one statement (its default ``chunk_size``).
KEYS_PER_STATEMENT = 500


def statements(change: Change) -> int:
    """How many statements the SQL connector sends for ``change``."""
    if isinstance(change, UpdateWhere | DeleteWhere):
        return max(1, math.ceil(len(change.keys) / KEYS_PER_STATEMENT))
    if isinstance(change, UpdateRows):
        return max(1, math.ceil(len(change.rows) / KEYS_PER_STATEMENT))
    return 1


class Wrapper:
    """Passes every call to ``inner``; each is a step between ``start`` and ``stop``."""

    def __init__(self, inner: Connector) -> None:
        self.inner = inner

    def start(self, statements: int) -> float:
        """Before a step that sends ``statements`` (0: none); returns what ``stop`` is given."""
        return 0.0

    def stop(self, started: float) -> None:
        """After the step, however it ended."""

    def step(self, statements: int, call: Callable[..., T], *args: Any) -> T:
        """``call(*args)`` as one step that sends ``statements``."""
        started = self.start(statements)
        try:
            return call(*args)
        finally:
            self.stop(started)

    def check(self) -> None:
        self.step(1, self.inner.check)

    def read(
        self, collection: str, key: str, values: Sequence[Any], columns: Sequence[str]
    ) -> Iterator[list[Row]]:
        keyed = math.ceil(len(values) / KEYS_PER_STATEMENT)
        batches = self.step(keyed, self.inner.read, collection, key, values, columns)
        return self._stream(iter(batches), first=0)

    def scan(
        self,
        collection: str,
        columns: Sequence[str],
        containing: Mapping[str, Sequence[str]] | None = None,
    ) -> Iterator[list[Row]]:
        return self._stream(iter(self.inner.scan(collection, columns, containing)), first=1)

    def writer(self) -> str | None:
        return self.inner.writer()

    def begin(self) -> Transaction:
        return _Transaction(self.step(0, self.inner.begin), self)

    def apply(self, changes: Sequence[Change]) -> list[int]:
        return self.step(sum(statements(c) for c in changes), self.inner.apply, changes)

    def describe(self, tables: Sequence[str] | None = None) -> SchemaInfo:
        return self.step(1, self.inner.describe, tables)

    def close(self) -> None:
        self.inner.close()

    def _stream(self, batches: Iterator[list[Row]], *, first: int) -> Iterator[list[Row]]:
        """Each batch fetched is a step; once it has come, it costs ``first`` statements if it
        is the first, else one (a further batch is a further round trip to the store)."""
        cost = first
        try:
            while True:
                batch = self.step(0, next, batches, None)
                if batch is None:
                    return
                if cost:
                    self.step(cost, _nothing)  # a rate's wait for the batch that came
                cost = 1
                yield batch
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()


def _nothing() -> None:
    return None


class _Transaction:
    def __init__(self, inner: Transaction, owner: Wrapper) -> None:
        self.inner, self.owner = inner, owner

    def apply(self, changes: Sequence[Change]) -> list[int]:
        return self.owner.step(sum(statements(c) for c in changes), self.inner.apply, changes)

    def commit(self) -> None:
        self.owner.step(0, self.inner.commit)

    def rollback(self) -> None:
        self.owner.step(0, self.inner.rollback)

"""A process's cache of answers that hold for one version of a store-wide counter.

The answers are only as fresh as the version they were computed under: the caller reads the
version from the store on every look-up (one primary-key read) and the cache drops everything
when it moved. A change committed by any process therefore reaches every other process on its
next look-up, with no message between them and no time window.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from datetime import datetime
from typing import Generic, TypeVar

V = TypeVar("V")


class VersionedCache(Generic[V]):
    """Up to ``size`` answers, each valid until a moment (or for ever) within one version;
    least recently used first out; safe between threads."""

    def __init__(self, size: int = 100_000) -> None:
        self._size = size
        self._version: int | None = None
        self._answers: OrderedDict[Hashable, tuple[V, datetime | None]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, version: int, key: Hashable, now: datetime) -> V | None:
        with self._lock:
            if version != self._version:
                self._answers.clear()
                self._version = version
            found = self._answers.get(key)
            if found is None or (found[1] is not None and now >= found[1]):
                self.misses += 1
                return None
            self._answers.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, version: int, key: Hashable, value: V, until: datetime | None = None) -> None:
        """Keep ``value`` for ``version`` (until ``until``, when given); a stale version is
        not kept, so an answer computed before a change never outlives it."""
        with self._lock:
            if version != self._version:
                return
            self._answers[key] = (value, until)
            self._answers.move_to_end(key)
            while len(self._answers) > self._size:
                self._answers.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self._version = None

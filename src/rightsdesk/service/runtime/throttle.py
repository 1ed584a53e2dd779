"""A statement rate for one run in one data store, applied around its connector (like ``Timed``).

The engine never sees a clock: the run's connector for a system with a rate is wrapped, and
each statement waits for its turn before it is sent. Statements are counted as
``connectors/wrapper.py`` counts them (by what a wrapper can see).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from rightsdesk.connectors.base import Connector
from rightsdesk.connectors.wrapper import Wrapper


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


class Throttled(Wrapper):
    """A connector that sends statements to the one it wraps no faster than its bucket allows."""

    def __init__(self, inner: Connector, bucket: Bucket) -> None:
        super().__init__(inner)
        self.bucket = bucket

    def start(self, statements: int) -> float:
        if statements:
            self.bucket.take(statements)
        return 0.0

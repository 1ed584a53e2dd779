"""How long a run spends in each data store, measured around the connectors the engine is given.

The engine interleaves systems (its traversal follows references across them), so the time per
system is the sum of the time inside that system's connector calls, including the wait for each
streamed batch. Wrapping the connectors keeps the engine free of any clock or metrics library;
the edge decides what to do with the numbers (``Services.step_observer``).
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter
from typing import TYPE_CHECKING

from rightsdesk.connectors.base import Connector
from rightsdesk.connectors.wrapper import Wrapper

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


class Timed(Wrapper):
    """A connector that adds up the seconds spent inside the one it wraps."""

    def __init__(self, inner: Connector) -> None:
        super().__init__(inner)
        self.seconds = 0.0
        self.used = False

    def start(self, statements: int) -> float:
        return perf_counter()

    def stop(self, started: float) -> None:
        self.seconds += perf_counter() - started
        self.used = True

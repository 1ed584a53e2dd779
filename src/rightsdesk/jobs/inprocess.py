"""The embedded default: work runs on a thread pool inside the API or CLI process."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Generic, TypeVar

from rightsdesk.jobs.base import Handler

if TYPE_CHECKING:
    from rightsdesk.settings import Settings

log = logging.getLogger("rightsdesk.jobs")
T = TypeVar("T")


class ThreadRunner(Generic[T]):
    """Run ``handler(item)`` for each submitted item on a pool; ``drain`` waits for all."""

    def __init__(self, handler: Callable[[T], None] | None, workers: int, name: str) -> None:
        self.handler = handler
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name)
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()

    def submit(self, item: T) -> None:
        handler = self.handler
        if handler is None:
            raise RuntimeError("no handler bound")
        future = self._pool.submit(_run, handler, item)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def drain(self, timeout: float | None = None) -> None:
        """Wait until everything submitted so far, and what it submitted in turn, is done."""
        while True:
            with self._lock:
                pending = set(self._pending)
            if not pending:
                return
            wait(pending, timeout=timeout)
            if timeout is not None:
                return

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)


def _run(handler: Callable[[T], None], item: T) -> None:
    try:
        handler(item)
    except Exception:
        # ids are safe to name; anything else (a notice) may carry a person's address or code
        shown = item if isinstance(item, str) else type(item).__name__
        log.exception("background work on %s crashed", shown)


class InProcessBackend:
    """Jobs on a thread pool (``workers`` threads); the job id is the only thing passed."""

    def __init__(self, workers: int = 2) -> None:
        self._runner: ThreadRunner[str] = ThreadRunner(None, workers, "rightsdesk-job")

    @classmethod
    def from_settings(cls, settings: Settings) -> InProcessBackend:
        """``RIGHTSDESK_WORKERS`` threads."""
        return cls(settings.workers)

    def bind(self, handler: Handler) -> None:
        self._runner.handler = handler

    def submit(self, job_id: str) -> None:
        self._runner.submit(job_id)

    def drain(self, timeout: float | None = None) -> None:
        self._runner.drain(timeout)

    def close(self) -> None:
        self._runner.close()

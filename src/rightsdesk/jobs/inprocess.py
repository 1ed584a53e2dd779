"""The embedded default: jobs run in a thread pool inside the API or CLI process."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait

from rightsdesk.jobs.base import Handler

log = logging.getLogger("rightsdesk.jobs")


class InProcessBackend:
    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rightsdesk-job")
        self._handler: Handler | None = None
        self._pending: set[Future[None]] = set()
        self._lock = threading.Lock()

    def bind(self, handler: Handler) -> None:
        self._handler = handler

    def submit(self, job_id: str) -> None:
        if self._handler is None:
            raise RuntimeError("job backend has no handler bound")
        future = self._pool.submit(self._run, self._handler, job_id)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)

    def drain(self, timeout: float | None = None) -> None:
        with self._lock:
            pending = set(self._pending)
        wait(pending, timeout=timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    @staticmethod
    def _run(handler: Handler, job_id: str) -> None:
        try:
            handler(job_id)
        except Exception:  # a job must never kill the worker thread; the handler records failure
            log.exception("job %s crashed", job_id)

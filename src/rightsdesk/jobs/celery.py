"""The scale-out backend: jobs go through Redis or RabbitMQ to Celery workers on any machine.

The only module that imports Celery. A message carries a job id and nothing else; the store
says what the job is and how far it got, so a lost, repeated or late message does no harm
(the lease sweep submits lost ones again, a repeated one finds the job done or leased).
Messages are acknowledged only after the job has run (``acks_late``) and given back when a
worker dies holding one (``reject_on_worker_lost``); each worker thread takes one at a time.
A worker never gives up on its broker: it reconnects with back-off for as long as it runs
(restart, replacement, reset, a new address behind the name), see jobs/broker.py.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING

from celery import Celery, bootsteps, signals
from celery.worker.consumer import Consumer
from kombu.exceptions import OperationalError
from kombu.utils.url import maybe_sanitize_url

from rightsdesk.domain.errors import PolicyError
from rightsdesk.jobs.base import BrokerState, Handler
from rightsdesk.jobs.broker import REDIS_OPTIONS, ResilientConnection

if TYPE_CHECKING:
    from rightsdesk.settings import Settings

log = logging.getLogger("rightsdesk.jobs")

TASK = "rightsdesk.run_job"
QUEUE = "rightsdesk"
#: After the broker refused a message, submissions are dropped (not waited on) this long: the
#: jobs are in the store with a delivery lease, and the lease sweep submits them again.
PAUSE_SECONDS = 5.0


#: Signals that ask a worker to stop: it ends with exit code 0 after them.
STOP_SIGNALS = frozenset({"SIGINT", "SIGTERM", "SIGQUIT"})


class CeleryBackend:
    """Submit job ids to a Celery broker; ``work`` runs a worker on them in this process."""

    def __init__(self, broker_url: str, *, queue: str = QUEUE) -> None:
        self.queue = queue
        self._handler: Handler | None = None
        self._paused_until = 0.0
        self._state = BrokerState(str(maybe_sanitize_url(broker_url)), connected=False)
        self.app = Celery("rightsdesk", broker=broker_url, set_as_current=False)
        self.app.amqp.Connection = ResilientConnection
        self.app.conf.update(
            task_acks_late=True,
            task_reject_on_worker_lost=True,
            worker_prefetch_multiplier=1,
            task_serializer="json",
            accept_content=["json"],
            task_ignore_result=True,
            task_default_queue=queue,
            task_publish_retry_policy={"max_retries": 2, "interval_start": 0.2},
            broker_connection_retry=True,
            broker_connection_retry_on_startup=True,
            broker_connection_max_retries=None,  # Celery's default (100) ends the worker
            broker_connection_timeout=2,
            broker_heartbeat=10,  # AMQP: a silent connection is found dead within ~20 s
            broker_transport_options=REDIS_OPTIONS if broker_url.startswith("redis") else {},
            worker_hijack_root_logger=False,
            worker_cancel_long_running_tasks_on_connection_loss=False,
        )

        def run_job(job_id: str) -> None:
            if self._handler is None:
                raise RuntimeError("no handler bound")
            self._handler(job_id)

        self.task = self.app.task(name=TASK, acks_late=True, reject_on_worker_lost=True)(run_job)
        self.app.steps["consumer"].add(self._watch_step())

    @classmethod
    def from_settings(cls, settings: Settings) -> CeleryBackend:
        """The broker at ``RIGHTSDESK_BROKER_URL`` (required)."""
        if not settings.broker_url:
            raise PolicyError("RIGHTSDESK_JOB_BACKEND=celery needs RIGHTSDESK_BROKER_URL")
        return cls(settings.broker_url)

    def _watch_step(self) -> type[bootsteps.StartStopStep]:
        """A consumer step that records the broker connection as Celery makes and loses it."""
        backend = self

        class BrokerWatch(bootsteps.StartStopStep):  # type: ignore[misc]  # celery is untyped
            requires = ("celery.worker.consumer.connection:Connection",)

            def start(self, parent: Consumer) -> None:
                state = backend._state
                backend._state = BrokerState(state.url, True, state.connects + 1)

            def stop(self, parent: Consumer) -> None:
                state = backend._state
                backend._state = BrokerState(state.url, False, state.connects, "disconnected")

        return BrokerWatch

    def state(self) -> BrokerState:
        """This worker's consumer connection (before ``work`` starts: not connected)."""
        return self._state

    def probe(self, timeout: float = 3.0) -> BrokerState:
        """Connect to the broker now and say whether it answered (``rightsdesk status``)."""
        url = self._state.url
        try:
            with self.app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=timeout)
        except (OperationalError, OSError) as exc:
            return BrokerState(url, False, detail=str(exc) or type(exc).__name__)
        return BrokerState(url, True, connects=1)

    def bind(self, handler: Handler) -> None:
        self._handler = handler

    def submit(self, job_id: str) -> None:
        """Hand the id to the broker; if it is unreachable, leave the job to the lease sweep."""
        if time.monotonic() < self._paused_until:
            return
        try:
            self.task.apply_async((job_id,), queue=self.queue, retry=True)
        except (OperationalError, OSError) as exc:
            self._paused_until = time.monotonic() + PAUSE_SECONDS
            log.warning("broker refused job %s (%s); the lease sweep will submit it", job_id, exc)

    def drain(self, timeout: float | None = None) -> None:
        """Nothing to wait for here: the jobs run in the workers, and the store says when."""

    def close(self) -> None:
        self.app.close()

    def work(self, *, concurrency: int, queues: Sequence[str] = ()) -> int:
        """Run a Celery worker in this process until it is told to stop (SIGTERM, Ctrl-C).

        A thread pool, not prefork: the workers share this process's store pool, connectors
        and data map, none of which survive a fork; run one worker process per core to use
        more of them (the engine holds the GIL while it decides rows).
        """
        # worker_cancel_long_running_tasks_on_connection_loss is False on purpose (a job does not
        # need the broker, and its redelivered message finds it done); Celery still warns about
        # its future default at every reconnect
        warnings.filterwarnings("ignore", message=r"\s*In Celery 5.1 we introduced an optional")
        worker = self.app.Worker(
            concurrency=concurrency,
            pool="threads",
            queues=list(queues) or [self.queue],
            hostname=f"rightsdesk.{os.getpid()}@{socket.gethostname()}",
            without_gossip=True,
            without_mingle=True,
            loglevel="INFO",
        )
        asked: list[str] = []

        def told_to_stop(sig: str = "", **_: object) -> None:
            asked.append(sig)

        # Celery's warm shutdown on Ctrl-C sets exit code 1 (SIGTERM's is 0): a stop that was
        # asked for is a clean end, or a supervisor (scripts/cluster.sh) reads it as a crash
        signals.worker_shutting_down.connect(told_to_stop, weak=False)
        try:
            worker.start()
        finally:
            signals.worker_shutting_down.disconnect(told_to_stop)
        if asked and asked[0] in STOP_SIGNALS:
            return 0
        return int(worker.exitcode or 0)

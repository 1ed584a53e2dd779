"""The job-backend interface: it carries a job id, never objects; the store holds progress.

Backends are registered in the ``rightsdesk.job_backends`` entry-point group under the name
``RIGHTSDESK_JOB_BACKEND`` gives (``inprocess``, ``celery``); each entry is a class with a
``from_settings`` class method, imported only when chosen (Celery costs nothing otherwise).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from rightsdesk.plugins import Registry

if TYPE_CHECKING:
    from rightsdesk.settings import Settings

#: Runs one job by id; safe to call twice for the same id (the store says what is left).
Handler = Callable[[str], None]


class JobBackend(Protocol):
    def bind(self, handler: Handler) -> None:
        """Set the function that runs a job (the service layer's, so jobs never import it)."""

    def submit(self, job_id: str) -> None:
        """Schedule the job; returns at once."""

    def drain(self, timeout: float | None = None) -> None:
        """Wait until every submitted job has finished (tests, CLI, shutdown)."""

    def close(self) -> None: ...


class BackendClass(Protocol):
    """What the registry holds: a backend class (or factory) built from the settings."""

    def from_settings(self, settings: Settings) -> JobBackend:
        """The backend the settings describe; PolicyError when they are incomplete."""
        ...


JOB_BACKENDS: Registry[BackendClass] = Registry(
    "rightsdesk.job_backends", "job backend", lambda o: callable(getattr(o, "from_settings", None))
)


@dataclass(frozen=True)
class BrokerState:
    """What one process knows of its broker connection (``rightsdesk status``, worker metrics)."""

    url: str  # without its password
    connected: bool
    #: Connections made since the process started; more than one means it reconnected.
    connects: int = 0
    detail: str = ""  # why it is not connected, when it is not


@runtime_checkable
class BrokerBackend(Protocol):
    """A backend whose jobs go through a broker to workers (``rightsdesk worker`` runs one in
    its process; ``rightsdesk status`` probes the broker)."""

    queue: str

    def state(self) -> BrokerState:
        """This process's consumer connection."""
        ...

    def probe(self, timeout: float = 3.0) -> BrokerState:
        """Connect to the broker now and say whether it answered."""
        ...

    def work(self, *, concurrency: int, queues: Sequence[str] = ()) -> int:
        """Run a worker in this process until it is told to stop; its exit code."""
        ...

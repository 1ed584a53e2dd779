"""The job-backend interface: it carries a job id, never objects; the store holds progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

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


@dataclass(frozen=True)
class BrokerState:
    """What one process knows of its broker connection (``rightsdesk status``, worker metrics)."""

    url: str  # without its password
    connected: bool
    #: Connections made since the process started; more than one means it reconnected.
    connects: int = 0
    detail: str = ""  # why it is not connected, when it is not

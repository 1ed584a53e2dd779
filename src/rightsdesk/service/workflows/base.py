"""The hooks every request type's workflow has; intake, decisions and execution call only these.

A request goes: intake (``check`` its params) -> verification (``after_verification``) ->
approval (``on_approval``; a held run starts once ``ready``) -> a job (``run``, or ``aside``
for a job beside the run) -> completion (``finish``: what the outcome records and what the
person is told besides their receipt). The defaults are what most types do; a type overrides
only where it differs. ``table.WORKFLOWS`` holds one object per request type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.runtime.context import Services, Unit
from rightsdesk.store.models import Request

Summary = dict[str, Any]
"""A run's JSON-ready summary: stored as the request's ``outcome.run``, signed in its receipt."""


@dataclass(frozen=True)
class Snapshot:
    """What a job needs from the request, read in one transaction and used outside it."""

    request_id: str
    type: RequestType
    identities: tuple[Identity, ...]
    params: dict[str, Any] = field(default_factory=dict)
    #: A job beside the run (``Workflow.aside``), e.g. the backup before an account cancellation.
    aside: bool = False
    #: The person's language and the request's regimes, for what the answer tells them.
    locale: str = "en"
    regimes: tuple[str, ...] = ()
    #: Places of the data map (``system.collection[.field]``) refused parts hold: a run that
    #: writes leaves them as they are (``engine/holds.py``).
    held: tuple[str, ...] = ()


@dataclass(frozen=True)
class Asked:
    """What intake knows of a request before it is stored."""

    params: Mapping[str, Any]
    identities: Sequence[Identity]
    #: The person will be verified by a code sent to one of ``identities``.
    by_code: bool


class Workflow:
    """What one request type does at each step of a request's life."""

    type: ClassVar[RequestType]
    #: Whether the run waits for a recent proof of identity (a step-up code) when approved.
    fresh_identity: ClassVar[bool] = True
    #: Whether the requester proves who they are at all; an opt-out of sale or a limit of
    #: sensitive data takes effect without it (CCR 7026(d), 7027(e); INT-03, INT-12).
    needs_verification: ClassVar[bool] = True
    #: Host events (``consent.withdrawn``, ...) the host must acknowledge before the request
    #: completes: the processing they stop runs there (``requests.completion``).
    stop_events: ClassVar[frozenset[str]] = frozenset()
    #: The run erases: on completion it is journaled for a restore's replay, and a whole one
    #: puts the person on the suppression list (``erasures.journal``).
    journaled: ClassVar[bool] = False

    def check(self, services: Services, asked: Asked) -> Mapping[str, Any]:
        """At intake, before anything is stored: the params checked and normalised."""
        return asked.params

    def after_verification(self, services: Services, work: Unit, request: Request) -> bool:
        """Right after the person is verified; True when the workflow took the request on."""
        return False

    def on_approval(self, services: Services, work: Unit, request: Request) -> bool:
        """When the approved request's job starts; True to hold the run (``ready`` says when)."""
        return False

    def ready(self, request: Request, now: datetime) -> bool:
        """Whether a held run may start now."""
        return True

    def run(self, services: Services, snapshot: Snapshot) -> Summary:
        raise NotImplementedError

    def batchable(self, snapshot: Snapshot) -> bool:
        """Whether this run can share one set-based run with others of its type."""
        return False

    def run_batch(self, services: Services, snapshots: Sequence[Snapshot]) -> list[Summary]:
        """Several batchable runs at once; one summary each, in order."""
        return [self.run(services, s) for s in snapshots]

    def aside(self, services: Services, job_id: str, snapshot: Snapshot) -> None:
        """A job beside the run, queued by one of the hooks above (it settles its own job)."""
        raise NotImplementedError(f"{self.type.value} has no job beside its run")

    def finish(
        self, services: Services, work: Unit, request: Request, summary: Summary
    ) -> dict[str, Any]:
        """On completion: record what the run produced in ``request.outcome``; returns what
        the completion notice tells the person besides the receipt."""
        return {}

    def lifted(
        self, services: Services, work: Unit, request: Request, places: Sequence[str]
    ) -> Request | None:
        """A hold on ``places`` was lifted after the run: open the follow-up run that handles
        them (None when the type writes nothing there, as an access)."""
        return None

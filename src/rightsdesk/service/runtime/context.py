"""What every workflow needs, built once at the edge, and the unit of work they run in."""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from rightsdesk.audit import events
from rightsdesk.audit import log as audit
from rightsdesk.datamap import DataMap
from rightsdesk.domain.errors import NotifyError, PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.jobs.base import JobBackend
from rightsdesk.jobs.inprocess import ThreadRunner
from rightsdesk.notify.notifier import Notifier
from rightsdesk.policy import Policy
from rightsdesk.service.runtime.caches import VersionedCache
from rightsdesk.service.runtime.connections import ConnectorPool
from rightsdesk.service.runtime.limits import Gate
from rightsdesk.settings import Settings
from rightsdesk.store.db import Store
from rightsdesk.store.models import Request

log = logging.getLogger("rightsdesk.service")

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Secrets:
    """The server's secret; every keyed hash names its purpose so values never cross uses."""

    key: bytes

    def mac(self, purpose: str, *parts: str) -> str:
        message = "\x1f".join((purpose, *parts)).encode()
        return hmac.new(self.key, message, hashlib.sha256).hexdigest()

    def follow_token(self, request_id: str) -> str:
        """The capability token of the link every message to the person carries: derived from
        the request's id (so no message needs it stored), stored only as a hash once opened."""
        return self.mac("follow-link", request_id)

    def follow_url(self, public_url: str, request_id: str) -> str:
        token = self.follow_token(request_id)
        return f"{public_url.rstrip('/')}/requests/{request_id}/open?token={token}"


@dataclass(frozen=True)
class Notice:
    """A message for the requester, sent only after the transaction that caused it commits."""

    kind: str
    email: str | None
    phone: str | None
    locale: str
    context: dict[str, Any]
    request_id: str
    #: Whether the message carries the request's follow link: never in one to an authorised
    #: agent, as the link is the person's own capability (it enters their code).
    follow: bool = True


class RecentIds:
    """The last ``size`` ids added, for a membership test; safe between threads."""

    def __init__(self, size: int) -> None:
        self._order: deque[str] = deque()
        self._ids: set[str] = set()
        self._size = size
        self._lock = threading.Lock()

    def add(self, ids: Iterable[str]) -> None:
        with self._lock:
            for one in ids:
                if one not in self._ids:
                    self._ids.add(one)
                    self._order.append(one)
            while len(self._order) > self._size:
                self._ids.discard(self._order.popleft())

    def __contains__(self, one: object) -> bool:
        return one in self._ids


@dataclass(frozen=True)
class Links:
    """Where the person's links point, and how long an export's link lasts."""

    public_url: str
    export_ttl_hours: int


@dataclass(frozen=True)
class CoolingOff:
    """A confirmed cancellation's cooling-off, and the approval time it must leave room for."""

    days: int
    approval_days: int


@dataclass(frozen=True)
class RegistrationSite:
    """Where a person corrects the data that proves who they are (COR-02)."""

    name: str
    url: str | None


@dataclass(frozen=True)
class ResidueScan:
    """Whether a deletion scans every store for what it erased, and the key needles are
    hashed with (read when first needed: only erasures that verify create its file)."""

    on: bool
    hash_key: Callable[[], bytes]


@dataclass(frozen=True)
class Slices:
    """The settings the workflows read, each a small frozen slice (``wiring`` builds them from
    ``Settings``); a workflow never reads the whole settings object."""

    links: Links
    cooling_off: CoolingOff
    registration_site: RegistrationSite
    residue: ResidueScan


class OpenFollowup(Protocol):
    """Opens a request on the system's initiative for a person just proven (``intake``'s)."""

    def __call__(
        self,
        services: Services,
        work: Unit,
        kind: RequestType,
        identities: Sequence[Identity],
        *,
        params: Mapping[str, Any],
    ) -> Request | None: ...


@dataclass
class Services:
    """rightsdesk's collaborators; the CLI and the API build one and call the same workflows."""

    settings: Settings
    store: Store
    policy: Policy
    notifier: Notifier
    secrets: Secrets
    signing_key: Ed25519PrivateKey
    jobs: JobBackend
    datamap: DataMap | None
    #: Opening a request is intake's; consent, below it, is handed the door (WDR-05 follow-ups).
    open_followup: OpenFollowup
    #: What the workflows read of the settings.
    slices: Slices
    clock: Clock = utcnow
    #: Sends notices in the background so a request never waits for mail (wiring sets it).
    outbox: ThreadRunner[Notice] | None = None
    #: Sends deliveries (webhooks, recipient mail) in the background by id; None sends inline.
    hooks: ThreadRunner[str] | None = None
    #: Told (action, system, seconds in that system) after each run; the edge that exports
    #: metrics sets it (observability.metrics.install), so the service needs no metrics library.
    step_observer: Callable[[str, str, float], None] | None = None
    #: The data stores' connectors, shared by every run in this process (closed by wiring).
    connectors: ConnectorPool = field(default_factory=ConnectorPool)
    #: Per-system concurrency and statement-rate limits of engine runs (wiring builds it).
    limits: Gate | None = None
    #: Told (request id, "host" or "operator") after a host event of a request is acknowledged;
    #: wiring binds it to complete a withdrawal or cancellation awaiting that confirmation.
    stop_acknowledged: Callable[[str, str], None] | None = None
    #: Consent checks answered lately, valid for one version of the consent ledger
    #: (``consent.checks``); every process keeps its own.
    consent_checks: VersionedCache[Any] = field(default_factory=VersionedCache)
    #: Jobs this process finished lately: their other deliveries end without a store lookup.
    finished: RecentIds = field(default_factory=lambda: RecentIds(100_000))

    @property
    def exports_dir(self) -> Path:
        return self.settings.state_dir / "exports"

    def require_datamap(self) -> DataMap:
        """The data map; the one place its absence becomes an error, with what to set."""
        if self.datamap is None:
            raise PolicyError("no data map is configured (set RIGHTSDESK_DATAMAP)")
        return self.datamap


@dataclass
class Unit:
    """One transaction plus what to do once it has committed (send notices, enqueue jobs)."""

    session: Session
    now: datetime
    notices: list[Notice] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)


@contextmanager
def unit(services: Services) -> Iterator[Unit]:
    """Run a block in one transaction; notices and jobs go out only if it commits."""
    with services.store.session() as session:
        work = Unit(session, services.clock())
        yield work
    for notice in work.notices:
        if services.outbox is not None:
            services.outbox.submit(notice)
        else:
            deliver(services, notice)
    for action in work.after_commit:
        action()


def deliver(services: Services, notice: Notice) -> None:
    """Send a notice, with the request's follow link; a failed one is logged and audited.

    A request with no e-mail or phone (an operator's ticket naming only an account id) cannot
    be written to: that is recorded as a failed notice too, not raised in a background thread.
    """
    if notice.email is None and notice.phone is None:
        _failed(services, notice, "NoContact: the request names no e-mail or phone")
        return
    context = notice.context
    if notice.follow:
        link = services.secrets.follow_url(services.settings.public_url, notice.request_id)
        context = {**context, "follow_url": link}
    try:
        services.notifier.notify(
            notice.kind,
            email=notice.email,
            phone=notice.phone,
            locale=notice.locale,
            context=context,
        )
    except NotifyError as exc:
        _failed(services, notice, audit.cause(exc))  # an SMTP reply names the recipient


def _failed(services: Services, notice: Notice, cause: str) -> None:
    log.warning(
        "notice %s for request %s not delivered: %s",
        notice.kind,
        notice.request_id,
        cause,
        extra={"request_id": notice.request_id, "event": "notice_failed"},
    )
    with services.store.session() as session:
        audit.append(
            session,
            at=services.clock(),
            actor="system",
            event=events.NOTICE_FAILED,
            request_id=notice.request_id,
            reason=cause,
            data={"kind": notice.kind},
        )

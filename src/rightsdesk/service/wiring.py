"""Build the Services object from settings (at the edge), and take it down again."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from rightsdesk.audit.receipts import load_or_create_signing_key
from rightsdesk.datamap import load
from rightsdesk.jobs.base import JobBackend
from rightsdesk.jobs.inprocess import InProcessBackend, ThreadRunner
from rightsdesk.notify.mailer import mailer_from_url
from rightsdesk.notify.notifier import Notifier
from rightsdesk.notify.sms import sms_from_url
from rightsdesk.policy import Policy, PolicyConfig
from rightsdesk.service import decisions, execution, keyfiles
from rightsdesk.service.context import Clock, Secrets, Services, deliver, unit, utcnow
from rightsdesk.settings import Settings
from rightsdesk.store.db import Store

log = logging.getLogger("rightsdesk.service")


def build(settings: Settings, *, clock: Clock = utcnow, jobs: JobBackend | None = None) -> Services:
    """Open the store (migrated to the newest schema) and everything the workflows use."""
    state = settings.state_dir
    store = Store(settings.store_url())
    store.migrate()
    backend = jobs if jobs is not None else InProcessBackend(settings.workers)
    services = Services(
        settings=settings,
        store=store,
        policy=Policy(PolicyConfig.load(settings.policy) if settings.policy else None),
        notifier=Notifier(
            mailer_from_url(settings.mail_url or (state / "outbox").resolve().as_uri()),
            sms_from_url(settings.sms_url),
            settings.mail_from,
        ),
        secrets=Secrets(keyfiles.secret(settings.secret_key, state / "secret.key")),
        signing_key=load_or_create_signing_key(state),
        jobs=backend,
        datamap=load(settings.datamap) if settings.datamap else None,
        clock=clock,
    )
    backend.bind(lambda job_id: execution.run_job(services, job_id))
    services.outbox = ThreadRunner(lambda notice: deliver(services, notice), 1, "rightsdesk-mail")
    return services


def close(services: Services) -> None:
    settle(services)
    services.jobs.close()
    if services.outbox is not None:
        services.outbox.close()
    services.store.close()


def settle(services: Services) -> None:
    """Wait until every job has run and every notice has been sent (CLI, tests, shutdown)."""
    services.jobs.drain()
    if services.outbox is not None:
        services.outbox.drain()


def sweep(services: Services) -> dict[str, int]:
    """Expire abandoned requests and delete expired exports."""
    with unit(services) as work:
        counts = decisions.sweep(services, work)
    counts["exports_removed"] = _remove_expired_exports(services)
    return counts


def sweep_forever(services: Services, every_seconds: float, stop: threading.Event) -> None:
    while not stop.wait(every_seconds):
        try:
            sweep(services)
        except Exception:
            log.exception("sweep failed")


def _remove_expired_exports(services: Services) -> int:
    folder: Path = services.exports_dir
    if not folder.exists():
        return 0
    removed = 0
    ttl = services.settings.export_ttl_hours * 3600
    now = services.clock().timestamp()
    for path in folder.glob("*.zip"):
        if now - path.stat().st_mtime > ttl:
            path.unlink(missing_ok=True)
            removed += 1
    return removed

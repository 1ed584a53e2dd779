"""Build the Services object from settings (at the edge), and take it down again."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from rightsdesk.audit.receipts import load_or_create_signing_key
from rightsdesk.connectors import urls
from rightsdesk.datamap import load
from rightsdesk.jobs.base import JOB_BACKENDS, JobBackend
from rightsdesk.jobs.inprocess import ThreadRunner
from rightsdesk.notify.mailer import mailer_from_url
from rightsdesk.notify.notifier import Notifier
from rightsdesk.notify.sms import sms_from_url
from rightsdesk.policy import Policy, PolicyConfig
from rightsdesk.service.consent import ledger as consent_ledger
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.erasures import journal
from rightsdesk.service.requests import completion, decisions, execution, expiry, intake
from rightsdesk.service.restrictions import lifting
from rightsdesk.service.retention import cases, vault
from rightsdesk.service.runtime import keyfiles, runs
from rightsdesk.service.runtime.context import (
    Clock,
    CoolingOff,
    Links,
    RegistrationSite,
    ResidueScan,
    Secrets,
    Services,
    Slices,
    deliver,
    unit,
    utcnow,
)
from rightsdesk.service.runtime.limits import Gate
from rightsdesk.service.workflows import cooling
from rightsdesk.settings import Settings
from rightsdesk.store.db import Store

log = logging.getLogger("rightsdesk.service")


def open_store(settings: Settings) -> Store:
    """rightsdesk's own store, migrated; a bad URL is exit 2, a server that does not answer 3."""
    system = "rightsdesk store (RIGHTSDESK_DATABASE_URL)"
    parsed = urls.parse(system, settings.store_url())
    with urls.dialect_errors(system, parsed):
        store = Store(settings.store_url())
    try:
        with urls.driver_errors(system, f"cannot open {parsed.render_as_string()}"):
            store.migrate()
    except BaseException:
        store.close()
        raise
    return store


def settings_slices(settings: Settings) -> Slices:
    """What the workflows read of the settings, each slice frozen."""
    return Slices(
        links=Links(settings.public_url, settings.export_ttl_hours),
        cooling_off=CoolingOff(settings.cooling_off_days, settings.approval_days),
        registration_site=RegistrationSite(
            settings.registration_site, settings.registration_site_url
        ),
        residue=ResidueScan(settings.verify_erasure, lambda: runs.masking_key(settings).secret),
    )


def build(settings: Settings, *, clock: Clock = utcnow, jobs: JobBackend | None = None) -> Services:
    """Open the store (migrated to the newest schema) and everything the workflows use."""
    policy = Policy(PolicyConfig.load(settings.policy) if settings.policy else None)
    slices = settings_slices(settings)
    cooling.check(slices.cooling_off, policy)  # CAN-09: no cooling-off that can overrun a deadline
    datamap = load(settings.datamap) if settings.datamap else None
    if settings.database_url is None:  # the default store is a file in the private folder
        keyfiles.private_dir(settings.state_dir)
    store = open_store(settings)  # before any key file: a server not reached leaves nothing
    try:
        state = keyfiles.private_dir(settings.state_dir)
        secret = Secrets(keyfiles.secret(settings.secret_key, state / "secret.key"))
        backend = jobs if jobs is not None else job_backend(settings)
    except BaseException:  # a refused secret key or backend: the store opened for nothing
        store.close()
        raise
    services = Services(
        settings=settings,
        store=store,
        policy=policy,
        notifier=Notifier(
            mailer_from_url(settings.mail_url or (state / "outbox").resolve().as_uri()),
            sms_from_url(settings.sms_url or (state / "sms-outbox").resolve().as_uri()),
            settings.mail_from,
        ),
        secrets=secret,
        signing_key=load_or_create_signing_key(state),
        jobs=backend,
        datamap=datamap,
        open_followup=intake.open_followup,
        slices=slices,
        clock=clock,
        limits=Gate(store),  # slots are advisory locks in a PostgreSQL store: every process
    )
    backend.bind(lambda job_id: execution.run_job(services, job_id))
    services.stop_acknowledged = lambda request_id, by: completion.acknowledged(
        services, request_id, by
    )
    services.outbox = ThreadRunner(lambda notice: deliver(services, notice), 1, "rightsdesk-mail")
    consent_ledger.install_guard()
    services.hooks = ThreadRunner(lambda id_: deliveries.send(services, id_), 2, "rightsdesk-hook")
    return services


def job_backend(settings: Settings) -> JobBackend:
    """The backend RIGHTSDESK_JOB_BACKEND names in the ``rightsdesk.job_backends`` registry."""
    return JOB_BACKENDS.get(settings.job_backend).from_settings(settings)


def close(services: Services) -> None:
    settle(services)
    services.jobs.close()
    if services.outbox is not None:
        services.outbox.close()
    if services.hooks is not None:
        services.hooks.close()
    services.connectors.close()
    services.store.close()


def settle(services: Services) -> None:
    """Wait until every job has run and every notice and delivery has been sent."""
    services.jobs.drain()
    if services.outbox is not None:
        services.outbox.drain()
    if services.hooks is not None:
        services.hooks.drain()


def sweep(services: Services) -> dict[str, int]:
    """Expire abandoned requests and exports, retry deliveries, shred keys, delete old data,
    minimise closed case records."""
    with unit(services) as work:
        counts = decisions.sweep(services, work)
    counts["exports_removed"] = _remove_expired_exports(services)
    counts["deliveries_attempted"] = deliveries.retry_due(services)
    counts["vault_keys_destroyed"] = vault.sweep(services)
    counts["expired_rows_deleted"] = expiry.sweep(services)
    counts["restrictions_lifted"] = lifting.sweep(services)  # their corrections decided
    counts["cases_minimised"] = cases.sweep(services)  # after deliveries settled above
    counts["replay_entries_shredded"] = journal.shred_due(services)  # past the horizon
    counts["jobs_resubmitted"] = execution.recover(services)  # leases that lapsed
    counts["stops_confirmed"] = completion.sweep(services)  # completions a crash cut off
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

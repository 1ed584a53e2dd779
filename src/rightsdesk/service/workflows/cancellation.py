"""Account cancellation (CAN-01..09): warn, back up, check, confirm, cool off, then close.

After verification the person is told what cancelling means, gets a backup of everything, and
sees the pre-checks (unpaid bills block; open orders may be waived). An account that logs in
through a third party is sent there instead (``redirected_to_idp``). Once confirmed (and
approved), an optional cooling-off period runs (``cooling``), during which the person can
still revoke. When it is due to run, the person proves again who they are (a step-up code,
unless they did within ``step_up_minutes``: INT-04), as before a deletion. Then: services stop
and sessions and keys are revoked (host hook), every consent is withdrawn, every binding
removed, the personal data erased with what the law keeps sealed in the vault under a
tombstone, which alone keeps pre-cancellation obligations reachable for finance and legal
roles. Every step can run again after a crash without doing anything twice. The request
completes once the host confirmed the stop (``requests.completion``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select

from rightsdesk.audit import events
from rightsdesk.audit import log as audit
from rightsdesk.connectors.base import Row
from rightsdesk.datamap.rights import Precheck
from rightsdesk.domain.errors import Code, ConflictError, RightsdeskError
from rightsdesk.domain.outcome import FailedCheck, Redirect
from rightsdesk.domain.requests import Event, RequestType, Status
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.domain.texts import LocalText
from rightsdesk.engine.runner import Engine
from rightsdesk.engine.traversal import Owners, canon
from rightsdesk.service.consent import bindings
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.requests import jobs, lifecycle
from rightsdesk.service.requests.notices import notice
from rightsdesk.service.runtime import connections
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.service.workflows import access, cooling, deletion
from rightsdesk.service.workflows.base import Snapshot, Summary, Workflow
from rightsdesk.store.models import Delivery, Request, Tombstone, VaultItem

#: A plug-in pre-check: (engine, identities) -> how many things block (0: passes).
PrecheckPlugin = Callable[[Engine, Sequence[Identity]], int]


#: The job kind of the backup offered before a cancellation is confirmed (CAN-03).
BACKUP = "backup"


class Cancellation(Workflow):
    type = RequestType.CANCEL_ACCOUNT
    journaled = True
    stop_events = frozenset({"account.cancel", "consent.withdrawn", "binding.revoked"})

    def after_verification(self, services: Services, work: Unit, request: Request) -> bool:
        if "confirmed_at" in request.params or Status(request.status) is not Status.VERIFIED:
            return False
        prepare(services, work, request)  # warn, back up, check, ask (CAN-02)
        return True

    def on_approval(self, services: Services, work: Unit, request: Request) -> bool:
        return cooling.cool_off(services, work, request)

    def ready(self, request: Request, now: datetime) -> bool:
        return cooling.cooled(request, now)

    def run(self, services: Services, snapshot: Snapshot) -> Summary:
        return run(services, snapshot)

    def aside(self, services: Services, job_id: str, snapshot: Snapshot) -> None:
        backup(services, job_id, snapshot)

    def lifted(
        self, services: Services, work: Unit, request: Request, places: Sequence[str]
    ) -> Request | None:
        return deletion.erase_later(services, work, request, places)


#: What a federated account is told when the data map names no instructions for its provider.
_ELSEWHERE = LocalText.of(
    {"en": "Cancel the account at {provider}.", "zh-CN": "请前往{provider}注销账号。"}
)


def prepare(services: Services, work: Unit, request: Request) -> None:
    """Right after verification: redirect a federated account, else ask for confirmation."""
    datamap = services.require_datamap()
    identities = _identities(request)
    with connections.engine(services, datamap, limited=False) as engine:
        found = _Found.of(engine, identities)  # one walk for the login provider and the checks
        provider = _login_provider(engine, found)
        checks = evaluate(engine, identities, request.locale, found) if provider is None else []
    if provider is not None:
        spec = datamap.account.providers.get(provider) if datamap.account else None
        # the texts in the person's language, kept in the request as its refusal titles are
        elsewhere = _ELSEWHERE.get(request.locale).format(provider=provider)
        redirect = Redirect(
            redirected_to=provider,
            provider_title=spec.title.get(request.locale) if spec else provider,
            instructions=spec.instructions.get(request.locale) if spec else elsewhere,
            provider_url=spec.url if spec else None,
        )
        lifecycle.advance(
            work, request, Event.REDIRECT, actor="system", data={"provider": provider}
        )
        request.outcome = replace(request.outcome, redirect=redirect)
        context = {k: v for k, v in redirect.to_json().items() if k != "redirected_to"}
        work.notices.append(notice(request, "cancellation_redirected", context))
        return
    lifecycle.advance(work, request, Event.AWAIT_CONFIRMATION, actor="system")
    request.outcome = replace(request.outcome, prechecks=tuple(checks))
    # the backup: an export of everything, offered before anything is done
    jobs.enqueue(services, work, request, kind=BACKUP)


@dataclass(frozen=True)
class _Found:
    """The person's rows per ``system.collection`` and where each column sits in them."""

    rows: dict[str, list[tuple[Row, Owners]]]
    columns: dict[str, dict[str, int]]

    @classmethod
    def of(cls, engine: Engine, identities: Sequence[Identity]) -> _Found:
        subject = Subject("cancellation", tuple(identities))
        steps = engine.plan_for([subject]).steps
        columns = {s.name: {c: i for i, c in enumerate(s.columns)} for s in steps}
        return cls(engine.find([subject]), columns)


def evaluate(
    engine: Engine, identities: Sequence[Identity], locale: str, found: _Found | None = None
) -> list[FailedCheck]:
    """Every pre-check of the data map's account section that currently fails; each message in
    ``locale`` (the request's)."""
    account = engine.datamap.account
    if account is None or not account.prechecks:
        return []
    found = found or _Found.of(engine, identities)
    failing = []
    for check in account.prechecks:
        count = _count(engine, check, found, identities)
        if count:
            failing.append(
                FailedCheck(check.name, check.message.get(locale), check.waivable, count)
            )
    return failing


def _count(engine: Engine, check: Precheck, found: _Found, identities: Sequence[Identity]) -> int:
    if check.plugin is not None:
        module, _, name = check.plugin.partition(":")
        plugin: PrecheckPlugin = getattr(importlib.import_module(module), name)
        return int(plugin(engine, identities))
    assert check.collection is not None
    index = found.columns.get(check.collection)
    if index is None:
        return 0
    wanted = {
        column: {canon(o) for o in (w if isinstance(w, list) else [w])}
        for column, w in check.where.items()
    }

    def matches(row: Row) -> bool:
        return all(canon(row[index[column]]) in options for column, options in wanted.items())

    return sum(1 for row, _ in found.rows.get(check.collection, []) if matches(row))


def confirm(services: Services, work: Unit, request: Request, *, waive: Sequence[str]) -> None:
    """The person's explicit "yes" (CAN-02), waiving what may be waived; checks run again."""
    if RequestType(request.type) is not RequestType.CANCEL_ACCOUNT:
        raise ConflictError("only account cancellations are confirmed")
    if Status(request.status) is not Status.AWAITING_CONFIRMATION:
        raise ConflictError(
            f"this request is {request.status}, not awaiting confirmation",
            code=Code.NOT_AWAITING_CONFIRMATION,
        )
    with connections.engine(services, services.require_datamap(), limited=False) as engine:
        failing = evaluate(engine, _identities(request), request.locale)
    blocking = [c for c in failing if not c.waivable]
    if blocking:
        what = "; ".join(c.message for c in blocking)
        raise ConflictError(
            f"settle these first: {what}", code=Code.SETTLE_FIRST, params={"what": what}
        )
    unwaived = [c.name for c in failing if c.name not in set(waive)]
    if unwaived:
        what = ", ".join(unwaived)
        raise ConflictError(
            f"waive {what} to go ahead (or settle them first)",
            code=Code.WAIVE_FIRST,
            params={"what": what},
        )
    waived = sorted({c.name for c in failing})
    request.params = {**request.params, "confirmed_at": work.now.isoformat(), "waived": waived}
    lifecycle.advance(work, request, Event.CONFIRM, actor="person", data={"waived": waived})


def run(services: Services, snapshot: Snapshot) -> dict[str, Any]:
    """Close the account; each step is idempotent, so a resumed run picks up where it stopped."""
    identities = snapshot.identities
    tombstone = tombstone_id(services, snapshot.request_id)
    with unit(services) as work:
        if not _sent(work, snapshot.request_id, "account.cancel"):
            payload = {
                "identities": {i.kind: i.value for i in identities},
                "tombstone": tombstone,
                "stop": ["services", "sessions", "access_keys", "tokens"],
            }
            deliveries.to_host(
                services, work, "account.cancel", payload, request_id=snapshot.request_id
            )
        withdrawn = consent.withdraw_all(
            services, work, identities, method="cancellation", request_id=snapshot.request_id
        )
    removed = (
        bindings.remove_all(services, identities, actor="system", request_id=snapshot.request_id)
        if _has_bindings(services)
        else []
    )
    summary = deletion.erase(services, tombstone, identities, held=snapshot.held)
    with unit(services) as work:
        if work.session.get(Tombstone, tombstone) is None:
            held = work.session.scalars(
                select(VaultItem.rule).where(VaultItem.subject == tombstone)
            ).all()
            obligations: dict[str, int] = {}
            for rule in held:
                obligations[rule] = obligations.get(rule, 0) + 1
            work.session.add(
                Tombstone(
                    id=tombstone,
                    request_id=snapshot.request_id,
                    created_at=work.now,
                    obligations=obligations,
                )
            )
    return {
        **summary,
        "tombstone": tombstone,
        "consents_withdrawn": len(withdrawn),
        "bindings_removed": len(removed),
    }


def backup(services: Services, job_id: str, snapshot: Snapshot) -> None:
    """The export offered before a cancellation; then the person is asked to confirm."""
    try:
        summary = access.export(services, snapshot)
        failure = cause = None
    except RightsdeskError as exc:
        summary, failure, cause = {}, str(exc), audit.cause(exc)
    with unit(services) as work:
        jobs.settle(work, job_id, failure)
        request = lifecycle.load(work, snapshot.request_id)
        context: dict[str, Any] = {
            "checks": [c.to_json() for c in request.outcome.prechecks or ()],
            "cooling_off_days": services.slices.cooling_off.days,
        }
        if failure is None:
            context.update(access.offer(services, work, request, summary["file"]))
        else:
            lifecycle.record(work, request, events.BACKUP_FAILED, actor="system", reason=cause)
        if Status(request.status) is Status.AWAITING_CONFIRMATION:
            work.notices.append(notice(request, "cancellation_confirm", context))


def tombstone_id(services: Services, request_id: str) -> str:
    """Derived from the request, so a resumed run finds the same one; says nothing of the person."""
    return "t" + services.secrets.mac("tombstone", request_id)[:31]


def _sent(work: Unit, request_id: str, event: str) -> bool:
    query = select(Delivery.id).where(Delivery.request_id == request_id, Delivery.event == event)
    return work.session.scalars(query).first() is not None


def _has_bindings(services: Services) -> bool:
    return services.datamap is not None and any(
        c.binding for _, c in services.datamap.collections()
    )


def _login_provider(engine: Engine, found: _Found) -> str | None:
    account = engine.datamap.account
    if account is None or account.login_provider is None:
        return None
    index = found.columns[account.collection][account.login_provider]
    providers = {row[index] for row, _ in found.rows.get(account.collection, []) if row[index]}
    return str(sorted(providers)[0]) if providers else None


def _identities(request: Request) -> tuple[Identity, ...]:
    return tuple(Identity(i.kind, i.value) for i in request.identities)

"""The demo's last act: the other rights, for one more person, through the request service.

A correction, an unbinding, a consent given then withdrawn, and a full account cancellation
(warning and backup, confirmation, approval), then what the vault holds for them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rightsdesk.demo import requests as demo_requests
from rightsdesk.demo import stores
from rightsdesk.domain.errors import PermissionDeniedError
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import bindings
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import intake, views
from rightsdesk.service.retention import vault
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.verification import codes as verification

#: The categories the demo prints of the access answer's processing section.
SHOWN = (
    "user.contact.email",
    "user.behavior.login",
    "user.financial.invoice",
    "user.government_id.verification",
)


@dataclass
class RightsDemo:
    email: str
    correction: str = ""
    phone_before: str = ""
    phone_after: str = ""
    unbound: str = ""
    bindings_left: int = 0
    consent_history: list[str] = field(default_factory=list)
    cancellation: list[str] = field(default_factory=list)
    backup: str = ""
    live_rows_left: int = 0
    tombstone: str = ""
    vault: list[str] = field(default_factory=list)
    denied: str = ""
    #: What their access answer tells besides the data, one line per category (ACC-03).
    processing: list[str] = field(default_factory=list)


def run(datamap: Path) -> RightsDemo:
    directory = datamap.parent
    settings, outbox = demo_requests.settings_for(datamap)
    person, user_id, phone = stores.someone_to_cancel(directory)
    me = (Identity("email", person),)
    shown = RightsDemo(person, phone_before=phone)
    services = wiring.build(settings)
    try:
        new_phone = "13700137000"
        done = _request(
            services,
            outbox,
            RequestType.CORRECT,
            person,
            {"changes": [{"field": "phone", "value": new_phone}]},
        )
        shown.correction = views.detail(services, done).status
        shown.phone_after = stores.phone(directory, user_id)
        access = _request(services, outbox, RequestType.ACCESS, person, {})
        shown.processing = _told(views.detail(services, access).processing or {})

        found = bindings.listing(services, me)
        if found:
            removed = bindings.remove(services, me, found[0].id, actor="person")
            shown.unbound = f"{removed.provider} ({removed.id})"
        shown.bindings_left = len(bindings.listing(services, me))

        consent.decide(services, me, "marketing", given=True, method="api")
        consent.decide(services, me, "marketing", given=False, method="api")
        history = {s.purpose: s for s in consent.show(services, me)}["marketing"].history
        shown.consent_history = [f"{r.state} at {r.recorded_at:%H:%M:%S}" for r in history]

        shown.cancellation, shown.backup = _cancel(services, outbox, person)
        shown.live_rows_left = stores.live_rows(directory, user_id)
        request_id = shown.cancellation[-1].split()[-1]
        shown.tombstone = views.detail(services, request_id).outcome["run"]["tombstone"]
        reading = vault.read(services, shown.tombstone, role="legal", actor="demo-legal")
        shown.vault = [
            f"{i.system}.{i.collection} #{i.key}: {i.rule} until {i.until} "
            f"(readable by {', '.join(i.roles)})"
            for i in reading.items
        ]
        try:
            with _expected_refusal():
                vault.read(services, shown.tombstone, role="marketing", actor="demo-marketing")
        except PermissionDeniedError as exc:  # a business role is refused, and it is audited
            shown.denied = str(exc)
        wiring.settle(services)
    finally:
        wiring.close(services)
    return shown


def _told(processing: dict[str, Any]) -> list[str]:
    """A few categories of the access answer's ``processing`` section, one line each."""
    lines = []
    for item in processing.get("categories", []):
        if item["category"] not in SHOWN:
            continue
        purposes = ", ".join(f"{p['name']} ({p['basis']})" for p in item["purposes"]) or "-"
        shared = ", ".join(f"{r['name']} ({r['kind']})" for r in item["recipients"]) or "nobody"
        kept = "; ".join(dict.fromkeys(r["text"] for r in item["retention"]))
        source = "; ".join(dict.fromkeys(s["text"] for s in item["sources"]))
        lines.append(f"{item['category']}: for {purposes}; shared with {shared}; {kept}; {source}")
    return lines


@contextmanager
def _expected_refusal() -> Iterator[None]:
    """The vault's warning of a refused read unsaid: the demo shows the refusal as an outcome."""
    logger = logging.getLogger("rightsdesk.service")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _request(
    services: Services, outbox: Path, kind: RequestType, person: str, params: dict[str, object]
) -> str:
    done = intake.submit(
        services, intake.Submission(kind, (Identity("email", person),), params=params)
    )
    wiring.settle(services)
    verification.enter_code(services, done.request.id, done.own_token(), demo_requests.code(outbox))
    if views.detail(services, done.request.id).status == "awaiting_approval":
        requests.approve(services, demo_requests.DESK, done.request.id, "demo")
    wiring.settle(services)
    return done.request.id


def _cancel(services: Services, outbox: Path, person: str) -> tuple[list[str], str]:
    done = intake.submit(
        services, intake.Submission(RequestType.CANCEL_ACCOUNT, (Identity("email", person),))
    )
    wiring.settle(services)
    verification.enter_code(services, done.request.id, done.own_token(), demo_requests.code(outbox))
    wiring.settle(services)  # the backup export, then the warning is mailed
    waiting = views.detail(services, done.request.id)
    steps = [f"verified -> {waiting.status}"]
    checks = [c["name"] for c in waiting.outcome.get("prechecks", [])]
    backup = str(services.exports_dir / waiting.outcome["export"]["file"])
    confirmed = requests.confirm_cancellation(services, done.request.id, done.own_token(), checks)
    steps.append(f"confirmed (waiving {', '.join(checks) or 'nothing'}) -> {confirmed.status}")
    requests.approve(services, demo_requests.DESK, done.request.id, "demo: nothing outstanding")
    wiring.settle(services)
    steps.append(f"approved -> {views.detail(services, done.request.id).status}")
    # the platform (pulling its events: the demo has no webhook) stops services and sessions
    # and acknowledges; only then is the cancellation complete (CAN-05)
    for event in deliveries.listing(services, target=deliveries.HOST, request_id=done.request.id):
        if event.state != "acknowledged":
            deliveries.acknowledge(services, event.id, actor="demo-host", target=deliveries.HOST)
    wiring.settle(services)
    status = views.detail(services, done.request.id).status
    steps.append(f"the platform confirmed the stop -> {status} {done.request.id}")
    return steps, backup

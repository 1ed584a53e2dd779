"""Findings 6 and 7: event name, time and request were outside the hash; outside text got in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import select, update

from rightsdesk.audit import log as audit
from rightsdesk.notify.mailer import mailer_from_url
from rightsdesk.notify.notifier import Notifier
from rightsdesk.service.runtime.context import Services
from rightsdesk.store.models import AuditEvent
from tests.api.conftest import KeyMaker
from tests.api.steps import submit
from tests.mailbox import free_port

Tamper = Callable[[AuditEvent, str], dict[str, object]]
TAMPERING: dict[str, Tamper] = {
    "event": lambda row, other: {"event": "verify"},
    "at": lambda row, other: {"at": row.at - timedelta(days=3)},
    "request_id": lambda row, other: {"request_id": other},
}


@pytest.mark.parametrize("column", TAMPERING)
def test_editing_any_column_of_an_event_breaks_the_chain(
    live: httpx.Client, services: Services, key: KeyMaker, column: str
) -> None:
    mine = submit(live, "access")
    other = submit(live, "access", "someone.else@example.com")
    with services.store.session() as session:
        row = session.scalars(
            select(AuditEvent).where(AuditEvent.request_id == mine["id"]).limit(1)
        ).one()
        shown_before = row.event
        changes = TAMPERING[column](row, other["id"])
        session.execute(update(AuditEvent).where(AuditEvent.seq == row.seq).values(**changes))
    _, breaks = audit.check(services.store)
    assert [b.kind.value for b in breaks] == ["edited"]
    # the operator's view reads the hashed record, so the edit does not show there either
    view = live.get(f"/v1/admin/requests/{mine['id']}", headers=key("read")).json()
    if column == "event":
        assert view["events"][0]["event"] == shown_before


class RejectingServer:
    """A real SMTP server (aiosmtpd) that refuses every recipient, naming it in the reply."""

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        return f"550 5.1.1 <{address}>: Recipient address rejected: user unknown"


def test_an_smtp_rejection_naming_the_recipient_stays_out_of_the_audit_log(
    live: httpx.Client, services: Services, key: KeyMaker
) -> None:
    """A person submits to the live server; the mail server refuses their address by name."""
    address = "rejected.person@example.com"
    controller = Controller(RejectingServer(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        mailer = mailer_from_url(f"smtp://127.0.0.1:{controller.port}")
        services.notifier = Notifier(mailer, None, services.settings.mail_from)
        submitted = submit(live, "access", address)
    finally:
        controller.stop()
    history = live.get(f"/v1/admin/requests/{submitted['id']}", headers=key("read")).json()
    failed = [e for e in history["events"] if e["event"] == "notice_failed"]
    assert failed and failed[0]["reason"] == "DeliveryError channel=email", history["events"]
    with services.store.session() as session:
        stored = [(e.event, e.record) for e in session.scalars(select(AuditEvent))]
    assert all(address not in str(record) for record in stored)
    assert all("rejected" not in str(record) for record in stored)  # nor the server's reply


def test_a_ticket_person_with_no_email_or_phone_gets_a_recorded_failure(
    live: httpx.Client, services: Services, key: KeyMaker
) -> None:
    ticket = {
        "type": "access",
        "identities": [{"kind": "user_id", "value": "7"}],
        "evidence": "signed letter, ticket T-1",
    }
    answer = live.post("/v1/admin/requests", json=ticket, headers=key("decide"))
    assert answer.status_code == 201, answer.text
    services.jobs.drain()
    history = live.get(f"/v1/admin/requests/{answer.json()['id']}", headers=key("read")).json()
    failed = [e for e in history["events"] if e["event"] == "notice_failed"]
    assert failed and failed[0]["reason"].startswith("NoContact")

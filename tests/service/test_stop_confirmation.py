"""Stopping processing is confirmed, not assumed (WDR-03, CAN-05, CAN-08): a withdrawal or a
cancellation completes only once the host acknowledged its stop events, and the answer says
no more than was confirmed. A real webhook receiver plays the host; both stores.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from rightsdesk.domain.errors import ConflictError, PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.requests import actions as requests
from rightsdesk.service.requests import views
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.store.models import AuditEvent, Delivery
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON, Clock
from tests.service.flows import mails_to, submit, verify
from tests.service.receiver import Receiver, platform, receiver, settings
from tests.service.test_flow import OPERATOR

__all__ = ["platform", "receiver", "settings"]  # fixtures
ME = (Identity("email", PERSON),)


def withdraw(services: Services, mailbox: Mailbox, *purposes: str, locale: str = "en") -> str:
    params = {"purposes": list(purposes)}
    done = submit(services, RequestType.WITHDRAW_CONSENT, params=params, locale=locale)
    verify(services, mailbox, done)
    wiring.settle(services)
    return done.request.id


def completions(mailbox: Mailbox) -> list[str]:
    """The completion messages to the person (en or zh-CN)."""
    done = ("is complete", "已办理完成")
    return [m.body for m in mails_to(mailbox) if any(d in m.subject for d in done)]


def audit(services: Services, request_id: str, event: str) -> list[AuditEvent]:
    with services.store.session() as session:
        query = select(AuditEvent).where(
            AuditEvent.request_id == request_id, AuditEvent.event == event
        )
        return list(session.scalars(query))


def test_a_withdrawal_waits_for_the_host_and_completes_when_its_webhook_answers(
    services: Services, mailbox: Mailbox, receiver: Receiver, clock: Clock
) -> None:
    """WDR-03: the host refuses the first attempt; the request says so (``awaiting_stop``) and
    tells the person nothing; the retry is acknowledged and only then is the answer sent."""
    consent.decide(services, ME, "marketing", given=True, method="api")
    wiring.settle(services)
    receiver.answers = [503]
    request_id = withdraw(services, mailbox, "marketing")
    assert views.detail(services, request_id).status == "awaiting_stop"
    assert completions(mailbox) == []
    [waiting] = audit(services, request_id, "await_stop")
    assert waiting.record["data"]["stop_events"] == ["consent.withdrawn"]

    clock.advance(minutes=2)
    assert wiring.sweep(services)["deliveries_attempted"] == 1
    wiring.settle(services)
    assert views.detail(services, request_id).status == "completed"
    [body] = completions(mailbox)
    assert "confirmed on" in body and "newsletter, promo_sms" in body
    [done] = audit(services, request_id, "complete")
    assert done.record["data"]["confirmed_by"] == "host"
    hits = [h.json["event"] for h in receiver.at("host")]
    assert hits.count("consent.withdrawn") == 2  # refused once, then acknowledged


def test_withdrawing_what_is_not_in_force_completes_at_once_and_claims_no_stop(
    services: Services, mailbox: Mailbox, receiver: Receiver
) -> None:
    """WDR-03: nothing relied on the consent, so nothing was sent and nothing is claimed."""
    receiver.answers = [503] * 5  # would keep a stop event unacknowledged
    request_id = withdraw(services, mailbox, "marketing")  # never granted
    assert views.detail(services, request_id).status == "completed"
    [body] = completions(mailbox)
    assert "nothing to stop" in body and "confirmed on" not in body


def test_an_operator_records_the_hosts_confirmation_with_evidence(
    services: Services, mailbox: Mailbox, receiver: Receiver
) -> None:
    """WDR-03: a host that answers only by phone: the operator records it, audited with the
    evidence; the answer says the staff recorded the confirmation. Nothing else completes it
    early, and a request not awaiting the stop cannot be recorded."""
    receiver.answers = [503] * 10  # the host never answers its webhook
    request_id = withdraw(services, mailbox, "ad_sharing", locale="zh-CN")  # an opt-out purpose
    assert views.detail(services, request_id).status == "awaiting_stop"
    with pytest.raises(PolicyError, match="evidence"):
        requests.record_stop(services, OPERATOR, request_id, " ")
    settled = requests.record_stop(services, OPERATOR, request_id, "call with platform ops #88")
    assert settled == 1
    wiring.settle(services)
    assert views.detail(services, request_id).status == "completed"
    [body] = completions(mailbox)
    assert "该确认由我们的工作人员记录" in body
    [ack] = [
        e
        for e in audit(services, request_id, "delivery_acknowledged")
        if e.record["data"]["delivery_event"] == "consent.withdrawn"
    ]
    assert ack.record["reason"] == "call with platform ops #88"
    assert ack.record["actor"] == OPERATOR.actor
    with pytest.raises(ConflictError, match="not awaiting_stop"):
        requests.record_stop(services, OPERATOR, request_id, "call with platform ops #88")


def test_a_cancellation_is_not_complete_until_the_host_confirms_account_cancel(
    services: Services, mailbox: Mailbox, receiver: Receiver, platform: Path, clock: Clock
) -> None:
    """CAN-05/CAN-08: the data is erased on our side, but services, sessions and keys are the
    host's to stop: the request waits for account.cancel (and the withdrawals it caused)."""
    from tests.service.test_cancellation import confirmed, settle_bills

    settle_bills(platform)
    receiver.answers = [503] * 3  # the host is down for the run's first webhooks
    done = confirmed(services, mailbox)
    assert views.detail(services, done.request.id).status == "awaiting_stop"
    assert completions(mailbox) == []
    with services.store.session() as session:
        pending = session.scalars(
            select(Delivery.event).where(
                Delivery.request_id == done.request.id,
                Delivery.target == "host",
                Delivery.state != "acknowledged",
            )
        ).all()
    assert "account.cancel" in pending
    clock.advance(minutes=5)
    wiring.sweep(services)
    wiring.settle(services)
    assert views.detail(services, done.request.id).status == "completed"
    [body] = completions(mailbox)
    assert "已注销您的登录会话、访问密钥和令牌" in body

"""Deliveries to the host and to recipients: signed webhooks to a real receiver, e-mail over real
SMTP, retries with backoff, failure after the last attempt, acknowledgement, nothing on rollback."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from rightsdesk.jobs.inprocess import ThreadRunner
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services, unit
from rightsdesk.settings import Settings
from rightsdesk.store.models import AuditEvent, Delivery
from tests.mailbox import Mailbox
from tests.service.conftest import Clock
from tests.service.receiver import Receiver, platform, receiver, settings

__all__ = ["platform", "receiver", "settings"]  # fixtures

REQUEST = "a" * 32


def row(services: Services, delivery_id: str) -> Delivery:
    with services.store.session() as session:
        found = session.get(Delivery, delivery_id)
    assert found is not None
    return found


def audited(services: Services, delivery_id: str) -> list[str]:
    with services.store.session() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq))
        return [e.event for e in events if e.record["data"].get("delivery_id") == delivery_id]


def tell_host(services: Services, event: str = "consent.withdrawn") -> str:
    with unit(services) as work:
        return deliveries.to_host(
            services, work, event, {"purpose": "marketing"}, request_id=REQUEST
        )


def test_the_host_gets_a_signed_webhook_and_a_2xx_acknowledges_it(
    services: Services, receiver: Receiver
) -> None:
    delivery_id = tell_host(services)
    [hit] = receiver.at("host")
    assert hit.headers["x-rightsdesk-event"] == "consent.withdrawn"
    assert hit.headers["x-rightsdesk-delivery"] == delivery_id
    assert hit.headers["x-rightsdesk-timestamp"] == str(int(services.clock().timestamp()))
    assert hit.signed_by(services.secrets.mac("webhook", "host").encode())
    assert not hit.signed_by(b"another key")
    assert hit.json["payload"] == {"purpose": "marketing"}
    assert hit.json["id"] == delivery_id and hit.json["request_id"] == REQUEST
    done = row(services, delivery_id)
    assert (done.state, done.attempts, done.acknowledged_at) == (
        "acknowledged",
        1,
        services.clock(),
    )
    assert audited(services, delivery_id) == ["delivery_queued", "delivery_acknowledged"]


def test_a_configured_hook_secret_signs_instead(
    settings: Settings, services: Services, receiver: Receiver
) -> None:
    from pydantic import SecretStr

    services.settings = settings.model_copy(update={"hook_secret": SecretStr("shared-with-host")})
    tell_host(services)
    [hit] = receiver.at("host")
    assert hit.signed_by(b"shared-with-host")


def test_a_refused_webhook_is_retried_after_a_backoff(
    services: Services, receiver: Receiver, clock: Clock
) -> None:
    receiver.answers = [500]
    delivery_id = tell_host(services)
    waiting = row(services, delivery_id)
    assert (waiting.state, waiting.attempts) == ("pending", 1)
    assert waiting.last_error is not None and "HTTP 500" in waiting.last_error
    assert waiting.next_attempt_at == clock.now + timedelta(minutes=1)
    assert deliveries.retry_due(services) == 0  # not yet due
    clock.advance(minutes=1)
    assert wiring.sweep(services)["deliveries_attempted"] == 1
    assert row(services, delivery_id).state == "acknowledged"
    hits = receiver.at("host")
    assert [h.headers["x-rightsdesk-delivery"] for h in hits] == [delivery_id] * 2
    assert audited(services, delivery_id) == [
        "delivery_queued",
        "delivery_attempt_failed",
        "delivery_acknowledged",
    ]


def test_after_the_last_attempt_a_delivery_fails_with_an_alert_and_can_be_retried(
    services: Services, receiver: Receiver, clock: Clock
) -> None:
    receiver.answers = [503, 503, 503]
    delivery_id = tell_host(services)
    for minutes in (1, 2):
        clock.advance(minutes=minutes)
        assert deliveries.retry_due(services) == 1
    failed = row(services, delivery_id)
    assert (failed.state, failed.attempts, failed.next_attempt_at) == ("failed", 3, None)
    assert audited(services, delivery_id)[-1] == "delivery_failed"
    clock.advance(hours=1)
    assert deliveries.retry_due(services) == 0
    deliveries.retry(services, delivery_id, actor="operator:x")
    assert row(services, delivery_id).state == "acknowledged"
    assert audited(services, delivery_id)[-2:] == ["delivery_retry", "delivery_acknowledged"]


def test_an_unreachable_receiver_is_a_failed_attempt(
    settings: Settings, services: Services
) -> None:
    from tests.mailbox import free_port

    url = f"http://127.0.0.1:{free_port()}/hook"
    services.settings = settings.model_copy(update={"host_hook_url": url})
    delivery_id = tell_host(services)
    waiting = row(services, delivery_id)
    assert waiting.state == "pending" and waiting.last_error is not None
    assert "ConnectError" in waiting.last_error


def test_without_a_hook_the_host_pulls_its_events_and_acknowledges_them(
    settings: Settings, services: Services, receiver: Receiver, clock: Clock
) -> None:
    services.settings = settings.model_copy(update={"host_hook_url": None})
    first, second = tell_host(services), tell_host(services, "consent.granted")
    clock.advance(hours=1)
    assert deliveries.retry_due(services) == 0 and receiver.hits == []
    pending = deliveries.listing(services, state="pending", target="host")
    assert {d.id for d in pending} == {first, second}
    deliveries.acknowledge(services, first, actor="operator:host", target="host")
    assert [d.id for d in deliveries.listing(services, state="pending", target="host")] == [second]


def test_recipients_hear_of_their_own_collections_by_webhook_or_email(
    services: Services, receiver: Receiver, mailbox: Mailbox
) -> None:
    collections = ["platform.login_events", "platform.account_bindings", "billing.orders"]
    with unit(services) as work:
        ids = deliveries.to_recipients(
            services, work, collections, "consent.withdrawn", {"user_id": "42"}
        )
    by_target = {row(services, i).target: row(services, i) for i in ids}
    assert set(by_target) == {"mailhouse", "ad_partner"}
    [hit] = receiver.at("ad_partner")
    assert hit.signed_by(services.secrets.mac("webhook", "ad_partner").encode())
    payload = {"user_id": "42", "collections": ["platform.account_bindings"]}
    assert hit.json["payload"] == payload
    assert by_target["ad_partner"].state == "acknowledged"
    mailed = by_target["mailhouse"]
    assert mailed.state == "sent" and mailed.acknowledged_at is None
    [message] = mailbox.wait_for(1)
    assert message["To"] == "mailhouse@example.net"
    assert mailed.id in message.body and "platform.login_events" in message.body
    assert "account_bindings" not in message.body
    deliveries.acknowledge(services, mailed.id, actor="operator:k1")
    assert row(services, mailed.id).state == "acknowledged"
    assert audited(services, mailed.id) == [
        "delivery_queued",
        "delivery_sent",
        "delivery_acknowledged",
    ]


def test_a_rolled_back_change_tells_nobody(services: Services, receiver: Receiver) -> None:
    with pytest.raises(RuntimeError), unit(services) as work:
        deliveries.to_host(services, work, "consent.withdrawn", {})
        raise RuntimeError("the change failed")
    assert receiver.hits == [] and deliveries.listing(services) == []


def test_background_sending_and_a_second_attempt_never_double_sends(
    services: Services, receiver: Receiver
) -> None:
    runner: ThreadRunner[str] = ThreadRunner(lambda i: deliveries.send(services, i), 2, "test-hook")
    services.hooks = runner
    try:
        delivery_id = tell_host(services)
        runner.drain()
    finally:
        runner.close()
        services.hooks = None
    assert row(services, delivery_id).state == "acknowledged"
    assert deliveries.retry_due(services) == 0
    assert len(receiver.at("host")) == 1

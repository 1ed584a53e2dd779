"""Deliveries over HTTP: operators list and acknowledge them by scope; the host pulls its events."""

from __future__ import annotations

import pytest

from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from tests.api.conftest import Api, KeyMaker
from tests.mailbox import Mailbox
from tests.service.receiver import platform, receiver, settings

__all__ = ["platform", "receiver", "settings"]  # fixtures

PERSON = (Identity("user_id", "42"), Identity("email", "li.wei@example.com"))


@pytest.fixture
def store_url(sqlite_url: str) -> str:
    return sqlite_url


def withdraw_marketing(services: Services) -> None:
    consent.decide(services, PERSON, "marketing", given=True, method="api")
    consent.decide(services, PERSON, "marketing", given=False, method="api")


def test_operators_follow_and_acknowledge_recipient_mail(
    api: Api, services: Services, key: KeyMaker, mailbox: Mailbox
) -> None:
    withdraw_marketing(services)
    mailbox.wait_for(1)
    reader, decider = key("read"), key("decide")
    listed = api.get("/v1/deliveries", params={"state": "sent"}, headers=reader).json()
    [mail] = listed
    assert (mail["target"], mail["channel"], mail["event"]) == (
        "mailhouse",
        "email",
        "consent.withdrawn",
    )
    path = f"/v1/deliveries/{mail['id']}/ack"
    assert api.post(path, headers=reader).status_code == 403
    assert api.post(path, headers=decider).status_code == 200
    assert api.get("/v1/deliveries", params={"state": "sent"}, headers=reader).json() == []
    assert api.get("/v1/deliveries", headers={}).status_code == 401
    unknown = api.post(f"/v1/deliveries/{'0' * 32}/ack", headers=decider)
    assert unknown.status_code == 404


def test_without_a_webhook_the_host_pulls_and_acknowledges_its_events(
    api: Api, settings: Settings, services: Services, key: KeyMaker
) -> None:
    services.settings = settings.model_copy(update={"host_hook_url": None})
    withdraw_marketing(services)
    host = key("read")
    events = api.get("/v1/events", headers=host).json()
    assert [e["event"] for e in events] == ["consent.granted", "consent.withdrawn"]
    assert events[1]["payload"]["features"] == ["newsletter", "promo_sms"]
    after = api.get("/v1/events", params={"after": events[0]["id"]}, headers=host).json()
    assert [e["id"] for e in after] == [events[1]["id"]]
    for event in events:
        assert api.post(f"/v1/events/{event['id']}/ack", headers=host).status_code == 200
    assert api.get("/v1/events", headers=host).json() == []
    # the host acknowledges only its own events, not deliveries to recipients
    [mail] = api.get("/v1/deliveries", params={"target": "mailhouse"}, headers=host).json()
    assert api.post(f"/v1/events/{mail['id']}/ack", headers=host).status_code == 404

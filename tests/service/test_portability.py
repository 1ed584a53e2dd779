"""Portability and direct transfer (GDPR Art. 20, PIPL Art. 45(3); ACC-07, ACC-08) through the
request service on each store backend: the export of what the person provided, valid against
the shipped JSON Schema, and a signed transfer to a real HTTPS receiver, or the reason it was
not made.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from sqlalchemy import select

from rightsdesk.audit.receipts import PUBLIC_KEY_FILE, load_public_key
from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.export import portability
from rightsdesk.service.deliveries import transfer
from rightsdesk.service.requests import views
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from rightsdesk.store.models import AuditEvent
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON
from tests.service.flows import submit, verify, wait_for_mail
from tests.service.https_receiver import HttpsReceiver


@pytest.fixture
def handler(tmp_path: Path) -> Iterator[HttpsReceiver]:
    with HttpsReceiver(tmp_path) as running:
        yield running


@pytest.fixture
def platform(platform: Path) -> Path:
    """The demo map, with the account's status derived by the company (not portable)."""
    text = platform.read_text(encoding="utf-8")
    old = "          - {name: status, categories: [user.account]}\n"
    assert old in text
    platform.write_text(
        text.replace(
            old, "          - {name: status, categories: [user.account], provided: false}\n"
        ),
        encoding="utf-8",
    )
    return platform


@pytest.fixture
def settings(settings: Settings, handler: HttpsReceiver) -> Settings:
    return settings.model_copy(update={"transfer_ca_file": handler.cert})


def carried(services: Services, mailbox: Mailbox, **params: object) -> str:
    done = submit(services, RequestType.PORTABILITY, params=params, locale="en")
    verify(services, mailbox, done)
    wiring.settle(services)
    return done.request.id


def transfers(services: Services) -> list[dict[str, Any]]:
    with services.store.session() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.event == "transfer"))
        return [dict(r.record["data"]) for r in rows]


def exported(services: Services, request_id: str) -> dict[str, Any]:
    with zipfile.ZipFile(services.exports_dir / f"{request_id}.zip") as archive:
        assert json.loads(archive.read("portability.schema.json")) == portability.schema()
        document: dict[str, Any] = json.loads(archive.read("portability.json"))
    return document


def test_the_export_holds_what_the_person_provided_in_the_documented_schema(
    services: Services, mailbox: Mailbox, handler: HttpsReceiver
) -> None:
    """ACC-07: consent- or contract-based data the person provided, schema-validated JSON that
    reads back record by record; no credentials, nothing derived, nothing kept by law."""
    request_id = carried(services, mailbox)

    assert views.detail(services, request_id).status == "completed"
    document = exported(services, request_id)
    jsonschema_rs.validator_for(portability.schema()).validate(document)
    by_name = {c["name"]: c for c in document["collections"]}
    assert set(by_name) == {
        "platform.accounts",
        "platform.security_devices",
        "platform.login_events",
        "billing.subscriptions",
    }
    assert "billing.invoices" not in by_name  # a legal obligation, not consent or contract
    accounts = by_name["platform.accounts"]
    assert accounts["bases"] == ["consent", "contract"]
    fields = [f["name"] for f in accounts["fields"]]
    assert "password_hash" not in fields and "status" not in fields and "email" in fields
    assert [r["email"] for r in accounts["records"]] == [PERSON]  # read back, one record
    assert len(by_name["platform.login_events"]["records"]) >= 1
    assert handler.received == []  # no transfer asked for
    assert "Download your personal information" in wait_for_mail(mailbox, 3)[-1].body


def test_a_direct_transfer_is_signed_and_sent_over_https(
    services: Services, mailbox: Mailbox, handler: HttpsReceiver, settings: Settings
) -> None:
    """ACC-08: verified, consent or contract, feasible: the same document, signed with the
    receipt key, reaches the other handler's HTTPS endpoint."""
    request_id = carried(services, mailbox, transfer_to=handler.url())

    shown = views.detail(services, request_id)
    assert shown.status == "completed", shown.outcome
    [got] = handler.received
    public = load_public_key(settings.state_dir / PUBLIC_KEY_FILE)
    assert transfer.verify(public, got.body, got.headers["x-rightsdesk-signature"])
    assert not transfer.verify(public, got.body + b" ", got.headers["x-rightsdesk-signature"])
    assert json.loads(got.body) == exported(services, request_id)
    assert got.headers["x-rightsdesk-request"] == request_id
    sent = shown.outcome["run"]["transfer"]
    assert (sent["to"], sent["status"]) == ("127.0.0.1", 200)
    assert "127.0.0.1" in wait_for_mail(mailbox, 3)[-1].body
    [audited] = transfers(services)
    assert (audited["host"], audited["status"], audited["sha256"]) == (
        "127.0.0.1",
        200,
        sent["sha256"],
    )


@pytest.mark.parametrize(
    ("trusted", "answer", "reason"),
    [
        (False, 200, "certificate is not trusted"),
        (True, 503, "answered HTTP 503"),
    ],
)
def test_a_transfer_not_feasible_is_refused_with_its_reason(
    services: Services,
    mailbox: Mailbox,
    handler: HttpsReceiver,
    trusted: bool,
    answer: int,
    reason: str,
) -> None:
    """ACC-08: the failing condition is named; the person keeps the export to carry it."""
    if not trusted:
        services.settings = services.settings.model_copy(update={"transfer_ca_file": None})
    handler.answers[:] = [answer]
    request_id = carried(services, mailbox, transfer_to=handler.url())

    shown = views.detail(services, request_id)
    assert shown.status == "partially_completed"
    [part] = shown.outcome["refused_parts"]
    assert part["ground"] == "transfer_not_feasible" and reason in part["justification"]
    assert (services.exports_dir / f"{request_id}.zip").exists()
    assert "transfer" not in shown.outcome["run"]
    assert reason in transfers(services)[0]["refused"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"transfer_to": "http://127.0.0.1/import"}, "https:// URL"),
        ({"transfer_to": "https://user:pw@handler.example/import"}, "credentials"),
        ({"transfer_to": 7}, "https:// URL"),
        ({"send_to": "https://handler.example"}, "unknown params send_to"),
    ],
)
def test_bad_params_are_refused_at_intake(
    services: Services, params: dict[str, object], message: str
) -> None:
    with pytest.raises(PolicyError, match=message):
        submit(services, RequestType.PORTABILITY, params=params)


def test_nothing_portable_is_refused_at_intake(services: Services) -> None:
    """ACC-08: no data held on consent or contract, nothing to carry."""
    assert services.datamap is not None
    services.datamap = services.datamap.model_copy(update={"purposes": ()})
    with pytest.raises(PolicyError, match="nothing here is portable"):
        submit(services, RequestType.PORTABILITY)

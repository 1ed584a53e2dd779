"""Portability over the API: the person asks for a transfer to another handler's HTTPS endpoint
and downloads the same signed document (GDPR Art. 20; PIPL Art. 45(3); ACC-07, ACC-08)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from tests.api.conftest import Api
from tests.api.steps import bearer, submit, verify
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON
from tests.service.https_receiver import HttpsReceiver


@pytest.fixture
def handler(tmp_path: Path) -> Iterator[HttpsReceiver]:
    with HttpsReceiver(tmp_path) as running:
        yield running


@pytest.fixture
def settings(settings: Settings, handler: HttpsReceiver) -> Settings:
    return settings.model_copy(update={"transfer_ca_file": handler.cert})


def test_a_transfer_and_its_download(
    api: Api, services: Services, mailbox: Mailbox, handler: HttpsReceiver
) -> None:
    """ACC-07, ACC-08: what reached the other handler is what the person can download."""
    submitted = submit(api, "portability", params={"transfer_to": handler.url()}, locale="en")
    verify(api, mailbox, submitted)
    wiring.settle(services)

    shown = api.get(f"/v1/requests/{submitted['id']}", headers=bearer(submitted["token"]))
    assert shown.status_code == 200 and shown.json()["status"] == "completed", shown.text
    [got] = handler.received
    link = next(
        line.strip()
        for m in mailbox.messages
        if PERSON in m.envelope_to
        for line in m.body.splitlines()
        if "/export?" in line
    )
    download = api.get("/" + link.split("://", 1)[1].split("/", 1)[1])
    assert download.status_code == 200, download.text
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert json.loads(archive.read("portability.json")) == json.loads(got.body)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"transfer_to": "http://handler.example/import"}, "https:// URL"),
        ({"transfer_to": "https://u:p@handler.example/"}, "credentials"),
    ],
)
def test_a_bad_endpoint_is_a_422(api: Api, params: dict[str, object], message: str) -> None:
    response = api.post(
        "/v1/requests",
        json={
            "type": "portability",
            "identities": [{"kind": "email", "value": PERSON}],
            "params": params,
        },
    )
    assert response.status_code == 422 and message in response.text, response.text

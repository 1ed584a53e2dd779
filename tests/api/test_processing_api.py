"""GET /v1/requests/{id} of a completed access shows the processing section (ACC-03)."""

from __future__ import annotations

import io
import json
import zipfile

import httpx

from rightsdesk.service.runtime.context import Services
from tests.api.conftest import Api
from tests.api.steps import bearer, submit, verify
from tests.mailbox import Mailbox


def test_the_status_view_of_an_access_shows_how_the_data_is_processed(
    api: Api, services: Services, mailbox: Mailbox
) -> None:
    """ACC-03 (GDPR Art. 15(1)-(2), PIPL Art. 48), in the language the request was made in."""
    submitted = submit(api, locale="zh-CN")
    request = f"/v1/requests/{submitted['id']}"
    person = bearer(submitted["token"])
    assert api.get(request, headers=person).json()["processing"] is None  # not yet verified
    verify(api, mailbox, submitted)
    services.jobs.drain()
    shown = api.get(request, headers=person)
    assert shown.status_code == 200, shown.text
    told = shown.json()["processing"]
    assert told["locale"] == "zh-CN"
    email = next(c for c in told["categories"] if c["category"] == "user.contact.email")
    assert {r["name"] for r in email["recipients"]} == {"sms_gateway"}
    assert email["sources"][0]["text"] == "向您收集"
    link = httpx.URL(shown.json()["outcome"]["export"]["download_url"])
    download = api.get(link.raw_path.decode())
    assert download.status_code == 200, download.text
    with zipfile.ZipFile(io.BytesIO(download.content)) as zipped:
        assert json.loads(zipped.read("data.json"))["processing"] == told

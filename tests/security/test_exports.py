"""The Low list: an export stayed downloadable after the person's data had been erased."""

from __future__ import annotations

import httpx

from rightsdesk.service.runtime.context import Services
from tests.api.conftest import KeyMaker
from tests.api.steps import bearer, submit, verify
from tests.mailbox import Mailbox


def test_erasing_the_person_revokes_their_export_link(
    live: httpx.Client, services: Services, mailbox: Mailbox, key: KeyMaker
) -> None:
    mailbox.clear()
    access = submit(live, "access")
    verify(live, mailbox, access)
    services.jobs.drain()
    shown = live.get(f"/v1/requests/{access['id']}", headers=bearer(access["token"])).json()
    link = shown["outcome"]["export"]["download_url"]
    assert live.get(link).status_code == 200

    deletion = submit(live, "delete")
    verify(live, mailbox, deletion)
    approved = live.post(
        f"/v1/admin/requests/{deletion['id']}/approve", json={"reason": "ok"}, headers=key("decide")
    )
    assert approved.status_code == 200, approved.text
    services.jobs.drain()

    assert live.get(link).status_code == 404  # the same, still unexpired, link
    again = live.get(f"/v1/requests/{access['id']}", headers=bearer(access["token"])).json()
    assert "download_url" not in again["outcome"]["export"]
    assert not (services.exports_dir / f"{access['id']}.zip").exists()
    history = live.get(f"/v1/admin/requests/{access['id']}", headers=key("read")).json()
    assert "export_revoked" in [e["event"] for e in history["events"]]

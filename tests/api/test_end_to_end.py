"""The issue's "done when": access and deletion over a real uvicorn server, on each store."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx

from rightsdesk.audit.receipts import verify_receipt
from rightsdesk.service.runtime.context import Services
from tests.api.conftest import KeyMaker
from tests.api.steps import bearer, submit, verify
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON
from tests.service.flows import wait_for_mail

CLI = Path(sys.executable).with_name("rightsdesk")


def test_access_is_verified_by_emailed_code_runs_and_downloads_a_zip(
    live: httpx.Client, services: Services, mailbox: Mailbox
) -> None:
    submitted = submit(live)
    assert submitted["status"] == "identity_unverified" and not submitted["joined"]
    assert verify(live, mailbox, submitted)["verified"]
    services.jobs.drain()

    request = f"/v1/requests/{submitted['id']}"
    shown = live.get(request, headers=bearer(submitted["token"]))
    assert shown.status_code == 200, shown.text
    assert shown.json()["status"] == "completed", shown.json()
    link = shown.json()["outcome"]["export"]["download_url"]
    assert link.startswith(f"{services.settings.public_url}{request}/export?")
    completed = wait_for_mail(mailbox, 3)[-1]
    assert link in completed.body

    download = live.get(link)
    assert download.status_code == 200, download.text
    assert download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as zipped:
        assert PERSON in zipped.read("data.json").decode()


def test_deletion_is_approved_by_an_operator_and_its_receipt_verifies(
    live: httpx.Client, services: Services, mailbox: Mailbox, key: KeyMaker, tmp_path: Path
) -> None:
    submitted = submit(live, "delete")
    verify(live, mailbox, submitted)
    request = f"/v1/requests/{submitted['id']}"
    person = bearer(submitted["token"])
    assert live.get(request, headers=person).json()["status"] == "awaiting_approval"

    approved = live.post(
        f"/v1/admin/requests/{submitted['id']}/approve",
        json={"reason": "identity checked"},
        headers=key("decide"),
    )
    assert approved.status_code == 200, approved.text
    services.jobs.drain()
    assert live.get(request, headers=person).json()["status"] == "completed"

    receipt = live.get(f"{request}/receipt", headers=person)
    assert receipt.status_code == 200, receipt.text
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(receipt.json()), encoding="utf-8")
    check = verify_receipt(path, [services.signing_key.public_key()])
    assert check.valid and check.trusted, check.problems
    public_key = services.settings.state_dir / "receipt-signing.pub"
    cli = subprocess.run(
        [CLI, "receipt", "verify", path, "--public-key", public_key],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert "valid, signed by the given key" in cli.stdout

    audit = live.get("/v1/admin/audit/verify", headers=key("admin"))
    assert audit.status_code == 200, audit.text
    assert audit.json()["intact"] and audit.json()["entries"] > 0, audit.json()

"""Findings 2 and 7: codes, phone numbers and addresses reached the server's log.

``rightsdesk serve`` runs as a real process (DEBUG logs) with each mail and SMS transport; a
person submits by e-mail or phone, enters a wrong code and the right one; then the process's
whole output (stdout and stderr) must hold neither the code nor the identity.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.api.steps import bearer
from tests.mailbox import Mailbox, free_port
from tests.service.flows import CODE, emailed_code, wait_for_mail

EMAIL = "zhang.wei@例子.公司"  # an internationalised address: intake accepts it
PHONE = "+8613912345678"


@dataclass(frozen=True)
class Case:
    identity: str  # email | phone
    transport: str  # how the code is read back


CASES = [
    Case("email", "mail-outbox"),
    Case("email", "smtp"),
    Case("phone", "sms-outbox"),
    Case("phone", "sms-file"),
    Case("phone", "console"),
]


@contextmanager
def serve(env: dict[str, str], output: Path) -> Iterator[httpx.Client]:
    port = free_port()
    command = [sys.executable, "-m", "rightsdesk", "serve", "--port", str(port)]
    with output.open("wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
                # a liveness bound, not a timing: on a loaded 2-core machine start-up took 25 s
                deadline = time.monotonic() + 120
                while True:
                    assert process.poll() is None, output.read_text()
                    assert time.monotonic() < deadline, "the server did not start"
                    try:
                        client.get("/healthz")
                        break
                    except httpx.TransportError:
                        time.sleep(0.05)
                yield client
        finally:
            process.terminate()
            process.wait(20)


def _code(case: Case, state: Path, mailbox: Mailbox, sms_file: Path) -> str | None:
    """The code as the person reads it (None from the console: it is never shown anywhere)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if case.transport == "smtp":
            wait_for_mail(mailbox, 1, EMAIL)
            return emailed_code(mailbox, EMAIL)
        texts: list[str] = []
        if case.transport == "mail-outbox":
            texts = [p.read_text() for p in (state / "outbox").glob("*.eml")]
        elif case.transport == "sms-outbox":
            texts = [json.loads(p.read_text())["text"] for p in (state / "sms-outbox").glob("*")]
        elif case.transport == "sms-file" and sms_file.exists():
            texts = [json.loads(line)["text"] for line in sms_file.read_text().splitlines()]
        elif case.transport == "console":
            return None
        found = [m.group(1) for t in texts if (m := CODE.search(t) or re.search(r"(\d{6})", t))]
        if found:
            return found[-1]
        time.sleep(0.05)
    raise AssertionError(f"no code arrived by {case.transport}")


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.identity}-{c.transport}")
def test_the_server_output_holds_no_code_and_no_identity(
    case: Case, tmp_path: Path, store_url: str, platform: Path, mailbox: Mailbox
) -> None:
    mailbox.clear()
    state, sms_file = tmp_path / "state", tmp_path / "sms.jsonl"
    env = {
        **os.environ,
        "RIGHTSDESK_STATE_DIR": str(state),
        "RIGHTSDESK_DATABASE_URL": store_url,
        "RIGHTSDESK_DATAMAP": str(platform),
        "RIGHTSDESK_LOG_LEVEL": "DEBUG",
        "RIGHTSDESK_LOCALE": "en",
    }
    if case.transport == "smtp":
        env["RIGHTSDESK_MAIL_URL"] = mailbox.url
    if case.transport == "sms-file":
        env["RIGHTSDESK_SMS_URL"] = sms_file.as_uri()
    if case.transport == "console":
        env["RIGHTSDESK_SMS_URL"] = "console"
    value = EMAIL if case.identity == "email" else PHONE
    output = tmp_path / "server.log"
    with serve(env, output) as client:
        submitted = client.post(
            "/v1/requests",
            json={"type": "access", "identities": [{"kind": case.identity, "value": value}]},
        )
        assert submitted.status_code == 201, submitted.text
        request = submitted.json()
        code = _code(case, state, mailbox, sms_file)
        url = f"/v1/requests/{request['id']}/verify"
        wrong = "000000" if code != "000000" else "111111"
        client.post(url, json={"code": wrong}, headers=bearer(request["token"]))
        if code is not None:
            answer = client.post(url, json={"code": code}, headers=bearer(request["token"]))
            assert answer.status_code == 200, answer.text
    text = output.read_text(encoding="utf-8", errors="replace")
    assert "rightsdesk API on" in text  # the output was captured
    for secret in filter(None, [code, value, value.lstrip("+"), value.split("@")[0]]):
        assert secret not in text, f"{secret!r} is in the server's output:\n{text}"

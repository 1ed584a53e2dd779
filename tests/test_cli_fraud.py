"""Suspected fraud from the command line: a flag, and a denial with its documented belief
(CCR 7061(b), 7026(e); INT-05, INT-12)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rightsdesk.demo import direct as demo
from tests.test_cli import invoke


@pytest.fixture
def platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    datamap = demo.build(tmp_path / "demo", 20)
    monkeypatch.setenv("RIGHTSDESK_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("RIGHTSDESK_DATAMAP", str(datamap))
    monkeypatch.setenv("RIGHTSDESK_MAIL_URL", (tmp_path / "outbox").as_uri())
    monkeypatch.setenv("RIGHTSDESK_LOCALE", "en")
    return datamap


def test_flag_then_deny_for_fraud(platform: Path, tmp_path: Path) -> None:
    code, output = invoke(
        "request", "submit", "--type", "delete", "-i", "email=li.wei@example.com",
        "--evidence", "ticket 7",
    )  # fmt: skip
    found = re.search(r"request ([0-9a-f]{32})", output)
    assert code == 0 and found, output
    request_id = found.group(1)
    code, output = invoke("request", "flag-fraud", request_id, "--reason", "e-mail changed today")
    assert code == 0 and "flagged" in output, output
    refuse = ["request", "refuse", request_id, "--ground", "suspected_fraud"]
    code, output = invoke(*refuse, "--justification", "tied to account takeovers")
    assert code == 2 and "evidence" in output, output
    code, output = invoke(
        *refuse, "--justification", "tied to account takeovers", "--evidence", "case 2291"
    )
    assert code == 0 and ": refused" in output, output
    told = [p.read_text() for p in (tmp_path / "outbox").rglob("*") if p.is_file()]
    assert any("account takeovers" in t for t in told)

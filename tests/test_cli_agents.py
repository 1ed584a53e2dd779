"""Authorised agents and signed documents from the command line, on SQLite and PostgreSQL:
an agent's power of attorney (CCR 7063(b); INT-11) and a written request the policy asks for
(doc (f); INT-14), filed, listed and read back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rightsdesk.demo import direct as demo
from tests.service.conftest import PERSON, store_url
from tests.test_cli import invoke

__all__ = ["store_url"]  # fixture: each store backend
POA = b"%PDF-1.7\n% Power of attorney (Probate Code 4121), signed by Li Wei\n%%EOF\n"
AGENT = {"name": "Zhou & Partners", "email": "desk@zhou.example", "authority": ""}


@pytest.fixture
def platform(tmp_path: Path, store_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    datamap = demo.build(tmp_path / "demo", 20)
    monkeypatch.setenv("RIGHTSDESK_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("RIGHTSDESK_DATABASE_URL", store_url)
    monkeypatch.setenv("RIGHTSDESK_DATAMAP", str(datamap))
    monkeypatch.setenv("RIGHTSDESK_MAIL_URL", (tmp_path / "outbox").as_uri())
    monkeypatch.setenv("RIGHTSDESK_LOCALE", "en")
    (tmp_path / "poa.pdf").write_bytes(POA)
    (tmp_path / "note.txt").write_text("I agree. Li Wei\n")
    return datamap


def submitted(output: str) -> str:
    found = re.search(r"request ([0-9a-f]{32})", output)
    assert found, output
    return found.group(1)


def mail(tmp_path: Path) -> list[str]:
    return [p.read_text() for p in (tmp_path / "outbox").rglob("*") if p.is_file()]


def test_an_agent_under_a_power_of_attorney(platform: Path, tmp_path: Path) -> None:
    """INT-11: no code to the person; the operator verifies once the document is filed."""
    agent = json.dumps({**AGENT, "authority": "power_of_attorney"})
    code, output = invoke(
        "request", "submit", "--type", "access", "-i", f"email={PERSON}", "--regime", "ccpa",
        "--agent", agent,
    )  # fmt: skip
    assert code == 0 and ": identity_unverified" in output, output
    request_id = submitted(output)
    code, output = invoke("request", "documents", request_id)
    assert code == 0 and "still needed: power_of_attorney" in output, output
    evidence = ["--evidence", "POA checked with the notary's register"]
    code, output = invoke("request", "verify", request_id, *evidence)
    assert code == 7 and "power of attorney" in output, output  # a 409: not filed yet
    attach = ["request", "attach", request_id, "--kind", "power_of_attorney"]
    code, output = invoke(*attach, str(tmp_path / "note.txt"))
    assert code == 2 and "PDF" in output, output
    code, output = invoke(*attach, str(tmp_path / "poa.pdf"))
    assert code == 0 and "application/pdf" in output, output

    code, output = invoke("request", "verify", request_id, *evidence)
    assert code == 0 and ": completed" in output, output  # an access runs once verified
    code, output = invoke("request", "documents", request_id, "--json")
    listed = json.loads(output)
    assert code == 0 and listed["missing"] == [], output
    (document,) = listed["documents"]
    copy = tmp_path / "copy.pdf"
    code, output = invoke("request", "document", request_id, document["id"], "--out", str(copy))
    assert code == 0 and copy.read_bytes() == POA, output
    assert copy.stat().st_mode & 0o077 == 0
    told = mail(tmp_path)
    to_agent = [t for t in told if "desk@zhou.example" in t]
    assert to_agent and all("/open?token=" not in t for t in to_agent)  # not the person's link
    assert not [t for t in told if "verification code" in t.lower()]  # the person never asked


def test_a_written_request_is_filed_before_approval(platform: Path, tmp_path: Path) -> None:
    """INT-14: with ``written_request: {delete: true}`` an approval waits for the letter."""
    policy = tmp_path / "policy.yml"
    policy.write_text(
        "regimes: [provider_cn]\nmanual_approval: {delete: true}\nwritten_request: {delete: true}\n"
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RIGHTSDESK_POLICY", str(policy))
        code, output = invoke(
            "request", "submit", "--type", "delete", "-i", f"email={PERSON}",
            "--evidence", "letter of 2026-06-01, ticket 88",
        )  # fmt: skip
        request_id = submitted(output)
        assert code == 0 and ": awaiting_approval" in output, output
        code, output = invoke("request", "approve", request_id)
        assert code == 7 and "written_request" in output, output
        code, output = invoke(
            "request", "attach", request_id, str(tmp_path / "poa.pdf"), "--kind", "written_request"
        )
        assert code == 0, output
        code, output = invoke("request", "approve", request_id)
    assert code == 0, output
    assert any("signed by the person" in t for t in mail(tmp_path))  # documents_needed

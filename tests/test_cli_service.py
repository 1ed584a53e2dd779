"""The request-service commands end to end: keys, a ticket request, approval, receipt, audit."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from rightsdesk.demo import direct as demo
from tests.test_cli import invoke

#: A deletion asked for by ticket, the person's identity checked on it.
TICKET = ("request", "submit", "--type", "delete", "-i", "email=li.wei@example.com")
TICKET += ("--evidence", "ticket 4711: signed written request on file")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    state = tmp_path / "state"
    monkeypatch.setenv("RIGHTSDESK_STATE_DIR", str(state))
    monkeypatch.setenv("RIGHTSDESK_DATAMAP", str(demo.build(tmp_path / "demo", 20)))
    monkeypatch.setenv("RIGHTSDESK_MAIL_URL", (tmp_path / "outbox").as_uri())
    monkeypatch.setenv("RIGHTSDESK_LOCALE", "en")
    return state


def test_ticket_request_is_approved_run_and_proven(env: Path, tmp_path: Path) -> None:
    code, output = invoke(
        "apikey", "create", "support desk", "--scope", "read", "--scope", "decide"
    )
    assert code == 0 and re.search(r"rdk_[0-9a-f]{12}_\S+", output), output

    code, output = invoke(*TICKET)
    assert code == 0, output
    request_id = re.search(r"request ([0-9a-f]{32}): awaiting_approval", output)
    assert request_id, output
    rid = request_id.group(1)

    code, output = invoke("request", "list", "--status", "awaiting_approval")
    assert code == 0 and rid in output

    code, output = invoke("request", "approve", rid, "--reason", "identity checked on the ticket")
    assert code == 0 and f"request {rid}: completed" in output, output

    shown = json.loads(invoke("request", "show", rid)[1])
    assert shown["status"] == "completed"
    assert [e["event"] for e in shown["events"]][:2] == ["receive", "verify"]

    receipt = tmp_path / "receipt.json"
    assert invoke("request", "receipt", rid, "-o", str(receipt))[0] == 0
    public = env / "receipt-signing.pub"
    code, output = invoke("receipt", "verify", str(receipt), "--public-key", str(public))
    assert code == 0 and "valid, signed by the given key" in output, output

    forged = json.loads(receipt.read_text())
    forged["receipt"]["retained"] = []
    receipt.write_text(json.dumps(forged))
    code, output = invoke("receipt", "verify", str(receipt), "--public-key", str(public))
    assert code == 8 and "it was altered" in output

    code, output = invoke("audit", "verify")
    assert code == 0 and "audit log intact" in output

    emails = sorted((tmp_path / "outbox").glob("*.eml"))
    assert len(emails) >= 3  # acknowledged, verified, completed
    assert "li.wei@example.com" in emails[0].read_text()


def test_refusal_on_an_unknown_ground_exits_2_and_lists_the_grounds(env: Path) -> None:
    _, output = invoke("request", "submit", "--type", "access", "-i", "email=li.wei@example.com")
    rid = re.search(r"request ([0-9a-f]{32})", output).group(1)  # type: ignore[union-attr]
    code, output = invoke(
        "request", "refuse", rid, "--ground", "nope", "--justification", "because we said so"
    )
    assert code == 2 and "trade_secret" in output
    code, output = invoke("request", "grounds")
    assert code == 0 and "backup tapes" in output
    code, output = invoke("request", "show", "0" * 32)
    assert code == 5 and "no request" in output


def test_tampered_audit_log_exits_8(env: Path) -> None:
    import sqlite3

    invoke("request", "submit", "--type", "access", "-i", "email=li.wei@example.com")
    with sqlite3.connect(env / "rightsdesk.db") as db:
        db.execute("UPDATE audit_events SET record = '{}' WHERE seq = 1")
    code, output = invoke("audit", "verify")
    assert code == 8 and "entry 1: edited" in output


def test_a_partial_refusal_by_place_holds_it_until_lifted(env: Path) -> None:
    """DEL-10, RSP-06..08 in the CLI: ``--part`` names places (repeatable), exit 2 with the
    valid places for one not in the map; the run leaves them; ``request lift`` opens the
    follow-up that erases them."""
    import sqlite3

    billing = Path(str(os.environ["RIGHTSDESK_DATAMAP"])).parent / "billing.db"

    def linked() -> int:
        with sqlite3.connect(billing) as conn:
            return int(conn.execute("SELECT count(*) FROM orders WHERE user_id = 1").fetchone()[0])

    _, output = invoke(*TICKET)
    rid = re.search(r"request ([0-9a-f]{32})", output).group(1)  # type: ignore[union-attr]
    why = ["--ground", "legal_obligation", "--justification", "kept for an open tax audit"]
    code, output = invoke("request", "refuse", rid, *why, "--part", "billing.receipts")
    assert code == 2 and "billing.orders" in output and "platform.accounts" in output, output
    before = linked()
    code, output = invoke(
        "request", "refuse", rid, *why, "--part", "billing.orders", "--part", "billing.bills"
    )
    assert code == 0, output
    code, output = invoke("request", "approve", rid)
    assert code == 0 and f"request {rid}: partially_completed" in output, output
    assert linked() == before > 0
    shown = json.loads(invoke("request", "show", rid)[1])
    assert shown["outcome"]["refused_parts"][0]["places"] == ["billing.orders", "billing.bills"]
    code, output = invoke("request", "lift", rid, "--reason", "the tax audit closed")
    found = re.search(r"follow-up request ([0-9a-f]{32})", output)
    assert code == 0 and found, output
    code, output = invoke("request", "approve", found.group(1))
    assert code == 0 and "completed" in output, output
    assert linked() == 0

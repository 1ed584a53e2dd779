"""`rightsdesk status`: the numbers of /metrics from the command line, as a table or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.test_cli import invoke


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str) -> None:
    monkeypatch.setenv("RIGHTSDESK_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("RIGHTSDESK_DATABASE_URL", postgres_url)
    monkeypatch.setenv("RIGHTSDESK_MAIL_URL", (tmp_path / "outbox").as_uri())


@pytest.mark.postgres
def test_status_shows_requests_queue_deliveries_and_the_audit_head(env: None) -> None:
    code, output = invoke("status")
    assert code == 0 and "no requests yet" in output, output
    for email in ("a@example.com", "b@example.com"):
        submitted = ("request", "submit", "--type", "delete", "-i", f"email={email}")
        assert invoke(*submitted, "--evidence", "ticket 7")[0] == 0

    code, output = invoke("status", "--json")
    assert code == 0, output
    shown = json.loads(output)
    assert shown["requests"] == {"delete": {"awaiting_approval": 2}}
    assert shown["deadlines"] == {"at_risk": {}, "overdue": {}}
    assert shown["jobs"] == {"queued": 0, "running": 0, "waiting": 0, "failed": 0}
    assert shown["queue_depth"] == 0 and shown["oldest_queued_seconds"] == 0
    assert shown["deliveries"] == {"pending": 0, "sent": 0, "failed": 0}
    assert shown["audit"]["seq"] > 0 and len(shown["audit"]["hash"]) == 64

    code, output = invoke("status")
    assert code == 0, output
    assert "delete" in output and "awaiting_approval" in output
    assert "jobs: 0 queued, 0 running, 0 waiting, 0 failed" in output
    assert f"audit head: entry {shown['audit']['seq']}, hash {shown['audit']['hash']}" in output

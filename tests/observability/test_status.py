"""`rightsdesk status`: the numbers of /metrics from the command line, as a table or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rightsdesk.demo import direct as demo
from tests.mailbox import free_port
from tests.test_cli import invoke


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, postgres_url: str) -> None:
    monkeypatch.setenv("RIGHTSDESK_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("RIGHTSDESK_DATABASE_URL", postgres_url)
    monkeypatch.setenv("RIGHTSDESK_MAIL_URL", (tmp_path / "outbox").as_uri())
    # a request is refused without a data map saying where the person's data lives
    monkeypatch.setenv("RIGHTSDESK_DATAMAP", str(demo.build(tmp_path / "demo", 20)))


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
    assert shown["broker"] is None  # the in-process backend

    code, output = invoke("status")
    assert code == 0, output
    assert "delete" in output and "awaiting_approval" in output
    assert "jobs: 0 queued, 0 running, 0 waiting, 0 failed" in output
    assert f"audit head: entry {shown['audit']['seq']}, hash {shown['audit']['hash']}" in output


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("port", "connected", "line"),
    [
        pytest.param(6379, True, "broker: connected to redis://127.0.0.1:6379/15", id="up"),
        pytest.param(None, False, "broker: unreachable at redis://127.0.0.1:", id="down"),
    ],
)
def test_status_says_whether_the_broker_answers(
    env: None, monkeypatch: pytest.MonkeyPatch, port: int | None, connected: bool, line: str
) -> None:
    url = f"redis://127.0.0.1:{port or free_port()}/15"  # a free port: nothing listens there
    monkeypatch.setenv("RIGHTSDESK_JOB_BACKEND", "celery")
    monkeypatch.setenv("RIGHTSDESK_BROKER_URL", url)
    code, output = invoke("status")
    assert code == 0 and line in output, output
    code, output = invoke("status", "--json")
    broker = json.loads(output)["broker"]
    assert (broker["url"], broker["connected"]) == (url, connected)
    assert bool(broker["detail"]) is not connected  # why, when it is not

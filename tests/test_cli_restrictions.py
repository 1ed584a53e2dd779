"""Restriction and objection from the command line: a ticket, the list, the check, the lift."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rightsdesk.demo import direct as demo
from tests.service.restricting import account_id, flags, order_ids, restricting
from tests.test_cli import invoke

PERSON = "li.wei@example.com"


@pytest.fixture
def platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    datamap = restricting(demo.build(tmp_path / "demo", 20))
    monkeypatch.setenv("RIGHTSDESK_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("RIGHTSDESK_DATAMAP", str(datamap))
    monkeypatch.setenv("RIGHTSDESK_MAIL_URL", (tmp_path / "outbox").as_uri())
    monkeypatch.setenv("RIGHTSDESK_LOCALE", "en")
    return datamap


def test_a_restriction_by_ticket_is_checked_and_lifted(platform: Path, tmp_path: Path) -> None:
    """COR-04; GDPR Art. 18(1)-(3); PIPL Art. 44."""
    code, output = invoke(
        "request", "submit", "--type", "restrict", "-i", f"email={PERSON}",
        "--evidence", "ticket 9: signed letter", "--params", '{"ground": "accuracy_contested"}',
    )  # fmt: skip
    assert code == 0 and ": completed" in output, output
    me = account_id(platform, PERSON)
    assert flags(platform)[PERSON] == 1

    code, output = invoke("restriction", "list")
    assert code == 0 and "restrictions: 1" in output, output
    found = re.search(r"\b[0-9a-f]{32}\b", output)
    assert found, output
    code, output = invoke("restriction", "check", "-i", f"user_id={me}")
    assert code == 1 and json.loads(output)["may_process"] is False, output
    row = str(order_ids(platform, me)[0])
    code, output = invoke("restriction", "check", "--collection", "billing.orders", "--key", row)
    assert code == 1, output
    assert invoke("restriction", "check", "-i", f"user_id={me}", "--purpose", "storage")[0] == 0

    code, output = invoke("restriction", "lift", found.group(0), "--reason", "now accurate")
    assert code == 0 and "the person was told" in output, output
    assert flags(platform)[PERSON] == 0
    assert invoke("restriction", "check", "-i", f"user_id={me}")[0] == 0
    told = [p.read_text() for p in (tmp_path / "outbox").rglob("*") if p.is_file()]
    assert any("lifting that restriction" in t and "now accurate" in t for t in told)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["restriction", "check"], 2, "name the person"),
        (["restriction", "lift", "f" * 32, "--reason", "x"], 5, "no restriction"),
    ],
)
def test_bad_input_is_a_clear_error(
    platform: Path, args: list[str], code: int, message: str
) -> None:
    got, output = invoke(*args)
    assert got == code and message in output, output

"""`rightsdesk request import`: a help desk's tickets from CSV or JSONL, all checked first."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import test_cli_service
from tests.test_cli import invoke

env = test_cli_service.env  # the same state directory, demo map and outbox


def listed(*status: str) -> int:
    """How many requests ``rightsdesk request list`` shows (with these statuses)."""
    code, output = invoke("request", "list", *(f"--status={s}" for s in status))
    assert code == 0, output
    return int(output.split(" request(s)")[0])


def test_a_csv_of_tickets_is_taken_in_approved_and_run(env: Path, tmp_path: Path) -> None:
    file = tmp_path / "tickets.csv"
    file.write_text(
        "type,email,evidence\n"
        "delete,li.wei@example.com,ticket 1 signed letter\n"
        "access,other@example.com,ticket 2 call back verified\n"
        "delete,li.wei@example.com,ticket 3 (the same person again)\n"
    )
    code, output = invoke("request", "import", str(file), "--approve", "--reason", "desk ok")
    assert code == 0, output
    assert "stored 3/3 tickets" in output and "2 new requests, 1 joined an open one" in output
    assert listed("completed") == 2 and listed() == 2


def test_a_jsonl_withdrawal_with_params_runs_without_approval(env: Path, tmp_path: Path) -> None:
    file = tmp_path / "tickets.jsonl"
    line = {
        "type": "withdraw_consent",
        "email": "li.wei@example.com",
        "evidence": "ticket 9",
        "params": {"purposes": ["marketing"]},
    }
    file.write_text(json.dumps(line) + "\n")
    code, output = invoke("request", "import", str(file))
    assert code == 0, output
    assert "1 new requests" in output and listed("completed") == 1  # policy: no approval


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("type,email,evidence\nerase,a@example.com,t1\n", "tickets.csv:2: type must be one of"),
        ("type,evidence\ndelete,t1\n", "tickets.csv:2: no identity on this line"),
        (
            "type,email,evidence\ndelete,a@example.com,t1\ndelete,not-an-email,t2\n",
            "tickets.csv:3:",
        ),
        ("type,email,evidence\n", "no tickets listed"),
        (  # every bad line at once, not the first alone
            "type,email,evidence\nforget,a@example.com,t1\ndelete,b@example.com,t2\ndelete,,t3\n",
            "tickets.csv:4: no identity on this line",  # after line 2's error
        ),
    ],
)
def test_a_bad_line_is_named_and_nothing_is_stored(
    env: Path, tmp_path: Path, text: str, message: str
) -> None:
    file = tmp_path / "tickets.csv"
    file.write_text(text)
    code, output = invoke("request", "import", str(file))
    assert code == 2, output
    assert message in " ".join(output.split()), output
    assert listed() == 0

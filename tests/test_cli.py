"""The command line end to end on the embedded demo platform (SQLite, real files)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rightsdesk import cli
from rightsdesk.demo import direct as demo

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    """Run the CLI as ``main()`` does, errors mapped to exit codes."""
    try:
        result = runner.invoke(cli.app, list(args), catch_exceptions=False)
    except cli.RightsdeskError as exc:
        return cli.exit_code(exc), str(exc)
    return result.exit_code, result.output


@pytest.fixture
def platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return demo.build(tmp_path / "demo", 30)


def test_demo_runs_access_and_erasure_end_to_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = invoke("demo", "--dir", "d", "--people", "20")
    assert code == 0, output
    assert "1. Access" in output and "2. Erasure" in output
    assert "finds 0 records" in output
    assert "operator approved -> partially_completed" in output  # a part refused and held
    assert "billing.bills: " in output and "still linked (legal_obligation)" in output
    assert re.search(r"hold lifted -> follow-up [0-9a-f]{32} completed", output), output
    assert "(valid and signed by this server)" in output and "entries, intact" in output
    assert "5. The other rights" in output and "-> 13700137000 (completed)" in output
    assert "confirmed (waiving" in output and "rows of theirs left in the live tables: 0" in output
    # CAN-05: complete only once the platform acknowledged account.cancel
    assert "approved -> awaiting_stop" in output
    assert "the platform confirmed the stop -> completed" in output
    assert "tax-invoices until" in output and "a marketing role asking for it: refused" in output
    data = json.loads((tmp_path / "d" / "export" / "data.json").read_text(encoding="utf-8"))
    account = data["collections"]["platform.accounts"][0]
    assert account["email"] == "li.wei@example.com" and account["password_hash"] == "[present]"
    assert (tmp_path / "d" / "export" / "report.html").read_text(encoding="utf-8").count(
        "<table>"
    ) > 5


def test_validate_reports_file_line_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "systems:\n  - name: s\n    url: sqlite://\n    collections:\n      - name: t\n"
        "        fields:\n          - {name: id, primary_key: true, erase: shred}\n"
    )
    code, output = invoke("datamap", "validate", str(bad))
    assert code == 2
    assert f"{bad}:7: s.t.id: erase: unknown erasure strategy 'shred'" in output


def test_validate_live_accepts_the_demo_map(platform: Path) -> None:
    code, output = invoke("datamap", "validate", str(platform), "--live")
    assert code == 0 and "checked against the live schema" in output


def test_batch_access_writes_one_export_per_person(platform: Path, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("id,email\nfirst,li.wei@example.com\nnobody,nobody@example.com\n")
    code, output = invoke(
        "access", "--datamap", str(platform), "--identities-file", str(people), "--out", "out"
    )
    assert code == 0, output
    first = json.loads((tmp_path / "out" / "first" / "data.json").read_text(encoding="utf-8"))
    nobody = json.loads((tmp_path / "out" / "nobody" / "data.json").read_text(encoding="utf-8"))
    assert len(first["collections"]["platform.accounts"]) == 1
    assert all(rows == [] for rows in nobody["collections"].values())


def test_erase_dry_run_then_for_real_as_json(platform: Path) -> None:
    code, output = invoke(
        "erase", "--datamap", str(platform), "--identity", "phone=+8613800138000", "--dry-run"
    )
    assert code == 0 and "dry run: nothing changed" in output and "DELETE FROM accounts" in output
    code, output = invoke(
        "erase", "--datamap", str(platform), "--identity", "phone=+8613800138000", "--json"
    )
    assert code == 0, output
    result = json.loads(output)
    report = result["subjects"]["+8613800138000"]
    assert report["platform.accounts"]["deleted"] == 1
    assert report["billing.invoices"]["retained"][0]["rows"] == 1


def test_a_guard_failure_changes_nothing_and_exits_9(platform: Path) -> None:
    """A limit below what the person has: the dry run shows the finding, the run refuses."""
    text = platform.read_text()
    limited = text.replace(
        "      - name: login_events\n",
        "      - name: login_events\n        max_rows_per_person: 2\n",
    )
    assert limited != text
    platform.write_text(limited)
    phone = "phone=+8613800138000"
    for extra in (["--dry-run"], []):
        code, output = invoke("erase", "--datamap", str(platform), "--identity", phone, *extra)
        assert code == 9, output
        assert "platform.login_events (for +8613800138000): 3 rows, more than its " in output
        assert (
            "max_rows_per_person 2; reached by identity:phone -> platform.accounts.phone; "
            in output
        )
    platform.write_text(text)  # the real run above changed nothing: the person is all there
    code, output = invoke("erase", "--datamap", str(platform), "--identity", phone, "--dry-run")
    assert code == 0 and "platform.login_events" in output


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--identity", "email"], 2, "not of the form kind=value"),
        ([], 2, "name the person with --identity"),
        (["--identity", "iban=DE00"], 2, "no collection can be found by iban"),
    ],
)
def test_bad_input_is_a_clear_error(
    platform: Path, args: list[str], code: int, message: str
) -> None:
    found, output = invoke("erase", "--datamap", str(platform), *args)
    assert (found, message in output) == (code, True), output


def test_a_malformed_identities_file_names_its_line(platform: Path, tmp_path: Path) -> None:
    people = tmp_path / "people.jsonl"
    people.write_text('{"email": "li.wei@example.com"}\n{"email": \n')
    code, output = invoke("erase", "--datamap", str(platform), "--identities-file", str(people))
    assert code == 2 and f"{people}:2: not valid JSON" in output

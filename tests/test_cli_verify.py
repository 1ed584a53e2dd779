"""`erase --verify`: after the erasure, every text column of every system is searched."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from rightsdesk.demo import direct as demo
from tests.test_cli import invoke


@pytest.fixture
def platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return demo.build(tmp_path / "demo", 30)


def test_a_clean_erasure_reports_no_residue(platform: Path) -> None:
    code, output = invoke(
        "erase", "--datamap", str(platform), "--identity", "email=li.wei@example.com", "--verify"
    )
    assert code == 0, output
    text = " ".join(output.split())
    assert "verify platform:" in text and "no residue" in text
    assert "(1 in collections kept by law)" in text  # the invoice kept under the tax rule


def test_a_copy_in_an_unmapped_table_is_flagged_with_its_key(platform: Path) -> None:
    with sqlite3.connect(platform.parent / "platform.db") as db:
        db.execute("CREATE TABLE crm_export (id INTEGER PRIMARY KEY, payload TEXT)")
        db.execute(
            "INSERT INTO crm_export VALUES (7, ?)",
            ('{"contact": "LI.WEI@example.com", "note": "vip"}',),
        )
    code, output = invoke(
        "erase",
        "--datamap",
        str(platform),
        "--identity",
        "email=li.wei@example.com",
        "--verify",
        "--json",
    )
    assert code == 0, output
    residue = json.loads(output)["residue"]["platform"]
    (finding,) = residue["findings"]
    assert finding["table"] == "crm_export" and finding["column"] == "payload"
    assert finding["key"] == {"id": 7} and finding["needle_kind"] == "email"
    # the values found are named only by a keyed hash (the subject label is the caller's own)
    finding.pop("subject")
    assert "li.wei" not in json.dumps(residue).lower()


def test_generate_then_diff_guards_against_drift(platform: Path, tmp_path: Path) -> None:
    db = platform.parent / "platform.db"
    draft = tmp_path / "draft.yml"
    code, output = invoke(
        "datamap", "generate", "--url", f"sqlite:///{db}", "--system", "platform", "-o", str(draft)
    )
    assert code == 0 and "proposals" in output, output
    assert invoke("datamap", "validate", str(draft))[0] == 0
    code, output = invoke("datamap", "diff", str(draft))
    assert code == 0 and "no drift" in " ".join(output.split()), output
    with sqlite3.connect(db) as conn:
        conn.execute("ALTER TABLE accounts ADD COLUMN backup_email TEXT")
        conn.execute("UPDATE accounts SET backup_email = 'alt.' || email")
    code, output = invoke("datamap", "diff", str(draft))
    assert code == 1 and "backup_email" in output, output
    code, output = invoke(
        "access",
        "--datamap",
        str(draft),
        "--identity",
        "email=li.wei@example.com",
        "--out",
        str(tmp_path / "export"),
    )
    assert code == 0 and "li.wei@example.com:" in output, output

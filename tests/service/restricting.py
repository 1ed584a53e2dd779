"""A copy of the demo platform whose data map marks restrictions every way it can, and objectable
purposes; shared by the service, API and CLI tests of restriction and objection."""

from __future__ import annotations

import sqlite3
from pathlib import Path

FLAG = "processing_restricted"
PURPOSES = """purposes:
  - name: fraud_analytics
    description: Scoring log-ins for fraud, on the company's legitimate interests
    basis: legitimate_interests
    collections: [platform.login_events]
    features: [login_scoring]
  - name: newsletter
    description: Product news by e-mail, on the company's legitimate interests
    basis: legitimate_interests
    direct_marketing: true
    fields: [platform.accounts.email]
    features: [newsletter]
"""


def restricting(datamap: Path) -> Path:
    """Accounts flagged in a column, support tickets through the host, the rest in the side
    table; two objectable purposes. Changes the map file and the platform database in place."""
    text = datamap.read_text(encoding="utf-8")
    edits = [
        (
            "      - name: accounts\n        erase: delete_row\n",
            f"      - name: accounts\n        erase: delete_row\n"
            f"        restrict: {{mark: flag, field: {FLAG}}}\n",
        ),
        (
            "          - {name: created_at, categories: [user.account]}\n",
            "          - {name: created_at, categories: [user.account]}\n"
            f"          - {{name: {FLAG}, categories: [system.operations]}}\n",
        ),
        (
            "      - name: support_tickets\n        erase: delete_row\n",
            "      - name: support_tickets\n        erase: delete_row\n"
            "        restrict: {mark: host_event}\n",
        ),
        ("purposes:\n", PURPOSES),
    ]
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    datamap.write_text(text, encoding="utf-8")
    with sqlite3.connect(datamap.parent / "platform.db") as conn:
        conn.execute(f"ALTER TABLE accounts ADD COLUMN {FLAG} BOOLEAN NOT NULL DEFAULT 0")
    return datamap


def flags(datamap: Path) -> dict[str, int]:
    """email -> the flag of every account."""
    with sqlite3.connect(datamap.parent / "platform.db") as conn:
        return dict(conn.execute(f"SELECT email, {FLAG} FROM accounts"))  # type: ignore[arg-type]


def account_id(datamap: Path, email: str) -> int:
    with sqlite3.connect(datamap.parent / "platform.db") as conn:
        row = conn.execute("SELECT id FROM accounts WHERE email = ?", (email,)).fetchone()
    return int(row[0])


def someone_else(datamap: Path, email: str) -> tuple[str, int]:
    """Another person with orders: (email, account id)."""
    with sqlite3.connect(datamap.parent / "platform.db") as conn:
        found = conn.execute(
            "SELECT email, id FROM accounts WHERE email <> ? ORDER BY id", (email,)
        ).fetchall()
    for other, user in found:
        if order_ids(datamap, user):
            return other, user
    raise AssertionError("the demo has nobody else with orders")


def order_ids(datamap: Path, user: int) -> list[int]:
    with sqlite3.connect(datamap.parent / "billing.db") as conn:
        return [r[0] for r in conn.execute("SELECT id FROM orders WHERE user_id = ?", (user,))]

"""A request's outcome is typed in code and stored as the same JSON object as before."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from rightsdesk.domain.outcome import Export, Outcome

STORED: list[dict[str, Any]] = [
    {},
    {"prechecks": []},
    {
        "prechecks": [{"name": "unpaid", "message": "pay", "waivable": False, "count": 1}],
        "export": {"file": "r1.zip", "expires_at": "2026-01-05T02:00:00+00:00"},
    },
    {
        "redirected_to": "google",
        "provider_title": "Google",
        "instructions": "Cancel there.",
        "provider_url": None,
    },
    {
        "run": {"collections": {"app.users": {"deleted": 1, "masked": 0}}},
        "refused_parts": [{"ground": "legal_claims", "part": "invoices"}],
        "receipt_id": "rc1",
        "overdue_flagged": "2026-02-01",
        "export": {"file": "r1.zip", "expires_at": "x", "revoked_at": "y"},
    },
    {"refusal": {"ground": "repeated"}, "written_by_a_later_version": [1]},
]


@pytest.mark.parametrize("stored", STORED)
def test_the_stored_json_reads_back_the_same(stored: dict[str, Any]) -> None:
    assert Outcome.from_json(stored).to_json() == stored


def test_a_change_is_a_new_value_with_only_that_key_added() -> None:
    before = Outcome.from_json({"prechecks": []})
    after = replace(before, export=Export("r.zip", "2026-01-05"))
    assert before.export is None
    assert after.to_json() == {
        "prechecks": [],
        "export": {"file": "r.zip", "expires_at": "2026-01-05"},
    }

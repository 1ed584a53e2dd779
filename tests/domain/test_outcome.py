"""A request's outcome is typed in code and stored as the same JSON object as before."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from rightsdesk.domain.outcome import Export, FailedCheck, Mark, Outcome, Redirect, Refusal

#: A refusal as this version writes it (every writer sets these five keys, None or not).
WHOLE = {
    "ground": "repeated",
    "title": "Repeated request",
    "justification": "the same request was answered last week",
    "part": None,
    "alternative": None,
}

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
        "refused_parts": [
            {
                **WHOLE,
                "ground": "legal_claims",
                "part": "app.invoices",
                "places": ["app.invoices"],
                "lifted": {"at": "2026-02-02T10:00:00+00:00", "by": "op", "reason": "settled"},
            },
            {**WHOLE, "ground": "registration_site", "part": "email", "fields": ["email"]},
        ],
        "receipt_id": "rc1",
        "overdue_flagged": "2026-02-01",
        "export": {"file": "r1.zip", "expires_at": "x", "revoked_at": "y"},
    },
    {"refusal": WHOLE, "written_by_a_later_version": [1]},
    {"fraud": {"reason": "two accounts, one card", "by": "op", "at": "2026-02-01T09:00:00+00:00"}},
    {"refusal": {**WHOLE, "remedies_seen": ["a later version's key"]}},
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


#: Rows of earlier versions: records with only some of their keys.
OLD_SHAPES: list[tuple[dict[str, Any], Outcome]] = [
    (
        {"prechecks": [{"name": "unpaid", "waivable": True}]},
        Outcome(prechecks=(FailedCheck("unpaid", "unpaid", waivable=True, count=0),)),
    ),
    (
        {"redirected_to": "google"},
        Outcome(redirect=Redirect("google")),
    ),
    (
        {"refusal": {"ground": "repeated"}},
        Outcome(refusal=Refusal("repeated")),
    ),
    (
        {"refused_parts": [{"ground": "legal_claims", "part": "invoices", "places": []}]},
        Outcome(refused_parts=(Refusal("legal_claims", part="invoices"),)),
    ),
    (
        {
            "refused_parts": [
                {
                    "ground": "legal_claims",
                    "justification": "a claim is pending",
                    "places": ["app.invoices"],
                    "lifted": {"at": "t", "by": "op", "reason": "settled"},
                }
            ]
        },
        Outcome(
            refused_parts=(
                Refusal(
                    "legal_claims",
                    justification="a claim is pending",
                    places=("app.invoices",),
                    lifted=Mark("t", "op", "settled"),
                ),
            )
        ),
    ),
]


@pytest.mark.parametrize(("stored", "typed"), OLD_SHAPES)
def test_rows_of_earlier_versions_read_into_the_typed_record(
    stored: dict[str, Any], typed: Outcome
) -> None:
    assert Outcome.from_json(stored) == typed
    again = Outcome.from_json(typed.to_json())
    assert again == typed  # written back with the keys it lacked as null, read the same


def test_a_refused_part_holds_its_places_until_lifted() -> None:
    part = Refusal("legal_claims", places=("app.invoices", "app.orders"))
    outcome = Outcome(refused_parts=(part, Refusal("repeated", places=("app.users",))))
    assert outcome.held() == ("app.invoices", "app.orders", "app.users")
    lifted = replace(part, lifted=Mark("t", "op", "settled"))
    assert not lifted.holding()
    assert replace(outcome, refused_parts=(lifted,)).held() == ()


def test_the_runs_collections_read_from_the_stored_summary() -> None:
    run = {"collections": {"app.users": {"deleted": 1, "masked": None}}, "run_id": "r1"}
    assert Outcome(run=run).collections() == {"app.users": {"deleted": 1, "masked": None}}
    assert Outcome().collections() == {}

"""Operators find, view and decide requests: filters, search, refusals, extensions, tickets, retries."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from rightsdesk.service.runtime.context import Services
from tests.api.conftest import Api, KeyMaker
from tests.api.steps import bearer, submit, verify
from tests.mailbox import Mailbox
from tests.service.conftest import PERSON, Clock
from tests.service.flows import wait_for_mail

OTHER, THIRD, FOURTH = "other@example.com", "third@example.com", "anna@example.eu"


@pytest.fixture
def admin(key: KeyMaker) -> dict[str, str]:
    return key("admin")


@pytest.fixture
def inbox(api: Api, services: Services, mailbox: Mailbox) -> dict[str, Any]:
    """Four requests: access done, deletion awaiting approval, correction and GDPR deletion open."""
    made = {
        "access": submit(api),
        "delete": submit(api, "delete", OTHER),
        "correct": submit(
            api, "correct", THIRD, params={"changes": [{"field": "phone", "value": "13900139000"}]}
        ),
        "gdpr": submit(api, "delete", FOURTH, regimes=["gdpr"]),
    }
    verify(api, mailbox, made["access"])
    verify(api, mailbox, made["delete"], OTHER)
    services.jobs.drain()
    return made


def found(api: Api, admin: dict[str, str], inbox: dict[str, Any], params: Any) -> set[str]:
    response = api.get("/v1/admin/requests", params=params, headers=admin)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["items"])
    names = {r["id"]: name for name, r in inbox.items()}
    return {names[item["id"]] for item in page["items"]}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"access", "delete", "correct", "gdpr"}),
        ({"status": "completed"}, {"access"}),
        ({"status": "awaiting_approval"}, {"delete"}),
        ({"status": "identity_unverified"}, {"correct", "gdpr"}),
        ({"status": ["completed", "awaiting_approval"]}, {"access", "delete"}),
        ({"type": "delete"}, {"delete", "gdpr"}),
        ({"type": "correct"}, {"correct"}),
        ({"type": "access", "status": "awaiting_approval"}, set()),
        ({"q": OTHER}, {"delete"}),
        ({"q": FOURTH}, {"gdpr"}),
        ({"q": "nobody@example.com"}, set()),
        ({"deadline": "overdue"}, set()),
        ({"deadline": "at_risk"}, set()),
        ({"regime": "gdpr"}, {"gdpr"}),
        ({"regime": "provider_cn", "type": "delete"}, {"delete"}),
        ({"regime": "ccpa"}, set()),
    ],
)
def test_search_by_status_type_and_identity(
    api: Api, admin: dict[str, str], inbox: dict[str, Any], params: Any, expected: set[str]
) -> None:
    assert found(api, admin, inbox, params) == expected


def test_search_by_request_id(api: Api, admin: dict[str, str], inbox: dict[str, Any]) -> None:
    for name, submitted in inbox.items():
        assert found(api, admin, inbox, {"q": submitted["id"]}) == {name}


@pytest.mark.parametrize(
    ("days_from_due", "hour", "state", "at_risk", "overdue"),
    [
        (-5, 12, "on_time", set(), set()),
        (-2, 12, "at_risk", {"correct", "delete"}, set()),  # the done access request is closed
        (0, 12, "at_risk", {"correct", "delete"}, set()),  # 20:00 in Beijing on the due day
        # 01:00 in Beijing the day after: the due day (a Beijing day) has passed
        (0, 17, "overdue", set(), {"correct", "delete"}),
        (1, 12, "overdue", set(), {"correct", "delete"}),
    ],
)
def test_deadline_filters_follow_the_clock_in_the_regimes_timezone(
    api: Api,
    admin: dict[str, str],
    inbox: dict[str, Any],
    clock: Clock,
    days_from_due: int,
    hour: int,
    state: str,
    at_risk: set[str],
    overdue: set[str],
) -> None:
    due = date.fromisoformat(inbox["correct"]["due"])
    assert (
        due == date.fromisoformat(inbox["delete"]["due"]) < date.fromisoformat(inbox["gdpr"]["due"])
    )
    clock.now = datetime.combine(due + timedelta(days=days_from_due), time(hour), tzinfo=UTC)
    assert found(api, admin, inbox, {"deadline": "at_risk"}) == at_risk
    assert found(api, admin, inbox, {"deadline": "overdue"}) == overdue
    shown = api.get(f"/v1/admin/requests/{inbox['correct']['id']}", headers=admin).json()
    assert shown["deadline"] == state


def test_pagination_walks_every_request_once_in_due_order(
    api: Api, admin: dict[str, str], inbox: dict[str, Any]
) -> None:
    seen: list[dict[str, Any]] = []
    for offset in (0, 2, 4):
        page = api.get(
            "/v1/admin/requests", params={"limit": 2, "offset": offset}, headers=admin
        ).json()
        assert page["total"] == 4
        assert len(page["items"]) == (2 if offset < 4 else 0)
        seen += page["items"]
    assert sorted(r["id"] for r in seen) == sorted(r["id"] for r in inbox.values())
    assert [r["due"] for r in seen] == sorted(r["due"] for r in seen)


def test_view_shows_identities_notes_assignee_and_audit_events(
    api: Api, key: KeyMaker, admin: dict[str, str], inbox: dict[str, Any]
) -> None:
    request_id = inbox["delete"]["id"]
    base = f"/v1/admin/requests/{request_id}"
    decide = key("decide")
    assert api.post(f"{base}/notes", json={"text": "called back"}, headers=decide).is_success
    assert api.post(f"{base}/assign", json={"assignee": "alice"}, headers=decide).is_success
    shown = api.get(base, headers=admin).json()
    assert shown["identities"] == [{"kind": "email", "value": OTHER}]
    assert [n["text"] for n in shown["notes"]] == ["called back"]
    assert shown["notes"][0]["author"].startswith("operator:")
    assert shown["assignee"] == "alice"
    events = [e["event"] for e in shown["events"]]
    assert events[:4] == ["receive", "challenge", "verify", "queue_for_approval"]
    assert events[-2:] == ["note", "assign"]
    assert found(api, admin, inbox, {"assignee": "alice"}) == {"delete"}


def test_refusal_with_an_unknown_ground_lists_the_valid_ones(
    api: Api, admin: dict[str, str], inbox: dict[str, Any]
) -> None:
    url = f"/v1/admin/requests/{inbox['delete']['id']}/refuse"
    response = api.post(
        url, json={"ground": "because", "justification": "we say so"}, headers=admin
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "PolicyError"
    assert "legal_obligation" in response.json()["detail"]
    missing = api.post(url, json={"ground": "legal_obligation"}, headers=admin)
    assert missing.status_code == 422, missing.text
    assert missing.json()["detail"][0]["field"] == "body.justification"
    refused = api.post(
        url,
        json={"ground": "legal_obligation", "justification": "a court preservation order"},
        headers=admin,
    )
    assert refused.status_code == 200, refused.text
    assert refused.json() == {"ok": True, "status": "refused"}
    shown = api.get(f"/v1/admin/requests/{inbox['delete']['id']}", headers=admin).json()
    assert shown["status"] == "refused"
    assert shown["outcome"]["refusal"]["ground"] == "legal_obligation"


def test_extension_only_where_the_regime_allows_it(
    api: Api, admin: dict[str, str], inbox: dict[str, Any]
) -> None:
    reason = {"reason": "many systems hold data about this person"}
    cn = api.post(f"/v1/admin/requests/{inbox['delete']['id']}/extend", json=reason, headers=admin)
    assert cn.status_code == 422, cn.text
    gdpr = f"/v1/admin/requests/{inbox['gdpr']['id']}"
    assert api.post(f"{gdpr}/extend", json=reason, headers=admin).status_code == 200
    shown = api.get(gdpr, headers=admin).json()
    assert date.fromisoformat(shown["due"]) > date.fromisoformat(inbox["gdpr"]["due"])
    assert shown["events"][-1]["event"] == "extend"
    assert shown["events"][-1]["reason"] == reason["reason"]


def ticket(kind: str, *identities: tuple[str, str], **extra: Any) -> dict[str, Any]:
    return {"type": kind, "identities": [{"kind": k, "value": v} for k, v in identities], **extra}


def test_a_ticket_with_evidence_is_verified_at_once(
    api: Api, key: KeyMaker, admin: dict[str, str]
) -> None:
    body = ticket("delete", ("user_id", "1"), ("email", OTHER), evidence="signed letter L-7")
    response = api.post("/v1/admin/requests", json=body, headers=key("decide"))
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "awaiting_approval"
    shown = api.get(f"/v1/admin/requests/{response.json()['id']}", headers=admin).json()
    assert shown["channel"] == "ticket" and shown["verified"]
    evidence = [e for e in shown["events"] if e["event"] == "verification_evidence"]
    assert evidence[0]["reason"] == "signed letter L-7"


def test_a_ticket_is_verified_later_by_an_operator_citing_evidence(
    api: Api, services: Services, mailbox: Mailbox, key: KeyMaker, admin: dict[str, str]
) -> None:
    decide = key("decide")
    created = api.post(
        "/v1/admin/requests", json=ticket("access", ("email", PERSON)), headers=decide
    )
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "identity_unverified"
    wait_for_mail(mailbox, 1)  # a code went to the person, as for any unverified request
    url = f"/v1/admin/requests/{created.json()['id']}"
    short = api.post(f"{url}/verify", json={"evidence": "ok"}, headers=decide)
    assert short.status_code == 422, short.text
    verified = api.post(
        f"{url}/verify", json={"evidence": "phone call, ID checked"}, headers=decide
    )
    assert verified.status_code == 200, verified.text
    services.jobs.drain()
    assert api.get(url, headers=admin).json()["status"] == "completed"
    again = api.post(f"{url}/verify", json={"evidence": "phone call, ID checked"}, headers=decide)
    assert again.status_code == 409, again.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (ticket("delete", ("user_id", "1")), "verify the person with recorded evidence"),
        (ticket("delete", ("passport", "E123"), evidence="a letter"), "not held by this company"),
        (ticket("delete", ("email", "not-an-email"), evidence="a letter"), "not an email"),
        (ticket("delete", evidence="a letter"), "at least one identity"),
        (ticket("delete", ("user_id", "1"), evidence="abc"), "reference to the evidence"),
    ],
)
def test_a_ticket_the_service_cannot_take_says_why(
    api: Api, key: KeyMaker, body: dict[str, Any], message: str
) -> None:
    response = api.post("/v1/admin/requests", json=body, headers=key("decide"))
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]


def test_a_failed_run_is_retried_after_the_cause_is_fixed(
    api: Api,
    services: Services,
    mailbox: Mailbox,
    admin: dict[str, str],
    platform: Path,
) -> None:
    database = platform.parent / "platform.db"
    moved = database.with_suffix(".away")
    submitted = submit(api)
    os.replace(database, moved)  # the platform's database is gone when the run starts
    verify(api, mailbox, submitted)
    services.jobs.drain()
    url = f"/v1/admin/requests/{submitted['id']}"
    shown = api.get(url, headers=admin).json()
    assert shown["status"] == "failed", shown
    assert shown["events"][-1]["event"] == "fail" and shown["events"][-1]["reason"]
    person = api.get(f"/v1/requests/{submitted['id']}", headers=bearer(submitted["token"]))
    assert person.json()["status"] == "failed"

    os.replace(moved, database)
    retried = api.post(f"{url}/retry", headers=admin)
    assert retried.status_code == 202, retried.text
    services.jobs.drain()
    assert api.get(url, headers=admin).json()["status"] == "completed"
    assert api.post(f"{url}/retry", headers=admin).status_code == 409


def test_a_partial_refusal_names_places_and_the_run_leaves_them_until_lifted(
    api: Api, admin: dict[str, str], services: Services, mailbox: Mailbox, platform: Path
) -> None:
    """DEL-10, RSP-06..08 over the API: places of the data map, 422 with the valid places for
    one not in the map, the held place untouched and linked, the hold lifted with a follow-up."""
    import sqlite3

    def linked() -> int:
        with sqlite3.connect(platform.parent / "billing.db") as conn:
            found = conn.execute("SELECT count(*) FROM bills WHERE user_id = 1").fetchone()
            return int(found[0])

    made = submit(api, "delete")  # li.wei: user 1 of the demo platform
    verify(api, mailbox, made)
    rid = made["id"]
    url = f"/v1/admin/requests/{rid}"
    why = {"ground": "legal_obligation", "justification": "kept for an open tax audit by law"}
    wrong = api.post(f"{url}/refuse", json={**why, "parts": ["billing"]}, headers=admin)
    assert wrong.status_code == 422, wrong.text
    assert (
        "billing.bills" in wrong.json()["detail"] and "platform.accounts" in wrong.json()["detail"]
    )
    before = linked()
    assert before
    refused = api.post(f"{url}/refuse", json={**why, "parts": ["billing.bills"]}, headers=admin)
    assert refused.status_code == 200 and refused.json()["status"] == "awaiting_approval"
    assert api.post(f"{url}/approve", json={}, headers=admin).status_code == 200
    services.jobs.drain()
    shown = api.get(url, headers=admin).json()
    assert shown["status"] == "partially_completed"
    assert shown["outcome"]["refused_parts"][0]["places"] == ["billing.bills"]
    assert linked() == before
    lift = api.post(f"{url}/lift", json={"reason": "the audit closed"}, headers=admin)
    assert lift.status_code == 200, lift.text
    followup = lift.json()["followup"]
    assert api.post(f"/v1/admin/requests/{followup}/approve", json={}, headers=admin).is_success
    services.jobs.drain()
    assert linked() == 0
    again = api.post(f"{url}/lift", json={"reason": "again"}, headers=admin)
    assert again.status_code == 409 and "held now: none" in again.json()["detail"]

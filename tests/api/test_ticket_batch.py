"""Tickets in bulk: one call takes a help desk's backlog in, approves it if asked, all or none."""

from __future__ import annotations

from typing import Any

import pytest

from rightsdesk.service.runtime.context import Services
from tests.api.conftest import Api, KeyMaker
from tests.service.conftest import PERSON

URL = "/v1/admin/requests/batch"
PEOPLE = [PERSON, "other@example.com", "third@example.com"]


def tickets(*emails: str, kind: str = "delete") -> list[dict[str, Any]]:
    return [
        {
            "type": kind,
            "identities": [{"kind": "email", "value": email}],
            "evidence": f"help desk ticket T-{number}",
        }
        for number, email in enumerate(emails)
    ]


def total(api: Api, key: KeyMaker) -> int:
    page = api.get("/v1/admin/requests", headers=key("read")).json()
    return int(page["total"])


def test_a_batch_is_taken_in_approved_and_run(api: Api, services: Services, key: KeyMaker) -> None:
    response = api.post(
        URL, json={"requests": tickets(*PEOPLE), "approve": True}, headers=key("decide")
    )
    assert response.status_code == 201, response.text
    taken = response.json()["requests"]
    assert [r["status"] for r in taken] == ["approved"] * 3
    assert len({r["id"] for r in taken}) == 3 and not any(r["joined"] for r in taken)
    services.jobs.drain()
    admin = key("admin")
    for request in taken:
        shown = api.get(f"/v1/admin/requests/{request['id']}", headers=admin).json()
        assert shown["status"] == "completed", shown
        assert shown["channel"] == "ticket" and shown["verified"]
        events = [e["event"] for e in shown["events"]]
        head = ["receive", "verify", "verification_evidence", "queue_for_approval", "approve"]
        assert events[:6] == [*head, "start"] and events[-1] == "complete"


def test_without_approval_the_batch_waits_for_an_operator(api: Api, key: KeyMaker) -> None:
    response = api.post(URL, json={"requests": tickets(*PEOPLE)}, headers=key("decide"))
    assert response.status_code == 201, response.text
    assert [r["status"] for r in response.json()["requests"]] == ["awaiting_approval"] * 3


def test_one_bad_ticket_stores_none_and_is_named(api: Api, key: KeyMaker) -> None:
    before = total(api, key)
    batch = tickets(PERSON, "not-an-email", "third@example.com")
    response = api.post(URL, json={"requests": batch, "approve": True}, headers=key("decide"))
    assert response.status_code == 422, response.text
    assert "ticket 1" in response.json()["detail"] and "no ticket was stored" in response.text
    assert total(api, key) == before


def test_the_same_person_twice_joins_the_first_request(api: Api, key: KeyMaker) -> None:
    response = api.post(URL, json={"requests": tickets(PERSON, PERSON)}, headers=key("decide"))
    assert response.status_code == 201, response.text
    first, second = response.json()["requests"]
    assert second["joined"] and second["id"] == first["id"]


@pytest.mark.parametrize(
    ("body", "scope", "status"),
    [
        ({"requests": tickets(PERSON)}, "read", 403),
        ({"requests": []}, "decide", 422),
        ({"requests": tickets(*[f"p{n}@example.com" for n in range(1001)])}, "decide", 422),
        ({"requests": tickets(PERSON), "unknown": 1}, "decide", 422),
    ],
)
def test_refused_calls(
    api: Api, key: KeyMaker, body: dict[str, Any], scope: str, status: int
) -> None:
    before = total(api, key)
    assert api.post(URL, json=body, headers=key(scope)).status_code == status
    assert total(api, key) == before

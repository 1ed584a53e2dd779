"""Finding 5: concurrent identical submissions gave 500s (PostgreSQL) or several open requests."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import select

from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from rightsdesk.store.models import Request
from tests.api.conftest import KeyMaker
from tests.api.steps import body

CALLS = 20


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Eight request threads, so the submissions really overlap in the store."""
    return settings.model_copy(update={"api_threads": 8})


@pytest.mark.parametrize("idempotency_key", [None, "same-key-for-all"])
def test_twenty_concurrent_submissions_make_one_request(
    live: httpx.Client, services: Services, idempotency_key: str | None
) -> None:
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
    base = str(live.base_url)

    def one(_: int) -> httpx.Response:
        with httpx.Client(base_url=base, timeout=30) as client:  # a connection each
            return client.post("/v1/requests", json=body("delete"), headers=headers)

    with ThreadPoolExecutor(CALLS) as pool:
        responses = list(pool.map(one, range(CALLS)))
    assert sorted({r.status_code for r in responses}) in ([200, 201], [201]), [
        r.text for r in responses if r.status_code >= 300
    ]
    assert len({r.json()["id"] for r in responses}) == 1
    assert sum(r.json()["token"] is not None for r in responses) == 1
    with services.store.session() as session:
        assert len(session.scalars(select(Request)).all()) == 1


def test_concurrent_ticket_batches_for_the_same_people_never_give_a_500(
    live: httpx.Client, services: Services, key: KeyMaker
) -> None:
    tickets = {
        "requests": [
            {**body("delete", f"batch{n}@example.com"), "evidence": "signed letter T-9"}
            for n in range(3)
        ]
    }
    headers, base = key("decide"), str(live.base_url)

    def one(_: int) -> httpx.Response:
        with httpx.Client(base_url=base, timeout=60) as client:
            return client.post("/v1/admin/requests/batch", json=tickets, headers=headers)

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(one, range(8)))
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    with services.store.session() as session:
        assert len(session.scalars(select(Request)).all()) == 3

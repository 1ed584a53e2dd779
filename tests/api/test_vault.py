"""The vault over HTTP with real API keys of each scope: who reads what, and what is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from rightsdesk.service.retention import vault
from rightsdesk.service.runtime.context import Services
from rightsdesk.store.models import AuditEvent, Tombstone
from tests.api.conftest import Api, KeyMaker
from tests.service.conftest import Clock
from tests.vault.conftest import SUBJECT, held

TOMBSTONE = "t" * 32


@pytest.fixture
def sealed(services: Services, clock: Clock) -> None:
    """A subject with a legal-only row and a finance row; a tombstone with one bill."""
    with services.store.session() as session:
        session.add(
            Tombstone(
                id=TOMBSTONE, request_id="r" * 32, created_at=clock(), obligations={"bills": 1}
            )
        )
    vault.seal_rows(
        services,
        [
            held("1", {"note": "court order 2026-17"}, roles=("legal",)),
            held(
                "2", {"total": Decimal("19.90"), "on": date(2026, 1, 5)}, roles=("finance", "legal")
            ),
            held("9", {"amount": Decimal("30.00")}, subject=TOMBSTONE, roles=("finance", "legal")),
        ],
    )


def denied(services: Services) -> list[dict[str, object]]:
    with services.store.session() as session:
        query = select(AuditEvent).where(AuditEvent.event == "vault_denied")
        return [e.record["data"] for e in session.scalars(query.order_by(AuditEvent.seq))]


@pytest.mark.usefixtures("sealed")
def test_legal_reads_every_row_and_finance_only_its_own(api: Api, key: KeyMaker) -> None:
    legal = api.get(f"/v1/vault/{SUBJECT}", headers=key("legal"))
    assert legal.status_code == 200, legal.text
    body = legal.json()
    assert (body["role"], body["withheld"], body["retain_until"]) == ("legal", 0, "2030-12-31")
    assert [i["row"] for i in body["items"]] == [
        {"note": "court order 2026-17"},
        {"total": "19.90", "on": "2026-01-05"},
    ]
    finance = api.get(f"/v1/vault/{SUBJECT}", headers=key("finance")).json()
    assert ([i["key"] for i in finance["items"]], finance["withheld"]) == (["2"], 1)


@pytest.mark.usefixtures("sealed")
@pytest.mark.parametrize(
    ("scopes", "query"),
    [(("read",), ""), (("decide",), ""), (("admin",), ""), (("finance",), "?role=legal")],
)
def test_other_keys_are_refused_and_the_refusal_audited(
    api: Api, key: KeyMaker, services: Services, scopes: tuple[str, ...], query: str
) -> None:
    for path in (f"/v1/vault/{SUBJECT}{query}", f"/v1/tombstones/{TOMBSTONE}{query}"):
        response = api.get(path, headers=key(*scopes))
        assert response.status_code == 403, response.text
        assert response.json()["error"] == "PermissionDeniedError"
    assert [d["target"] for d in denied(services)] == [f"vault {SUBJECT}", f"tombstone {TOMBSTONE}"]


@pytest.mark.usefixtures("sealed")
def test_a_key_with_both_roles_chooses_one(api: Api, key: KeyMaker) -> None:
    both = key("legal", "finance")
    assert api.get(f"/v1/vault/{SUBJECT}", headers=both).json()["role"] == "legal"
    chosen = api.get(f"/v1/vault/{SUBJECT}?role=finance", headers=both).json()
    assert (chosen["role"], len(chosen["items"])) == ("finance", 1)
    assert api.get(f"/v1/vault/{SUBJECT}?role=hr", headers=both).status_code == 422


@pytest.mark.usefixtures("sealed")
def test_the_tombstone_shows_the_obligations_to_finance(api: Api, key: KeyMaker) -> None:
    response = api.get(f"/v1/tombstones/{TOMBSTONE}", headers=key("finance"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["request_id"], body["obligations"]) == ("r" * 32, {"bills": 1})
    assert [i["row"] for i in body["items"]] == [{"amount": "30.00"}]
    assert body["vault_destroyed_at"] is None


@pytest.mark.usefixtures("sealed")
def test_unknown_is_404_shredded_is_410(
    api: Api, key: KeyMaker, services: Services, clock: Clock
) -> None:
    legal = key("legal")
    assert api.get(f"/v1/vault/{'b' * 32}", headers=legal).status_code == 404
    assert api.get(f"/v1/tombstones/{'b' * 32}", headers=legal).status_code == 404
    assert api.get("/v1/vault/no;such", headers=legal).status_code == 422
    clock.advance(days=365 * 5)
    assert vault.sweep(services) == 2
    gone = api.get(f"/v1/vault/{SUBJECT}", headers=legal)
    assert gone.status_code == 410, gone.text
    assert "the data cannot be recovered" in gone.json()["detail"]
    tombstone = api.get(f"/v1/tombstones/{TOMBSTONE}", headers=legal).json()
    assert tombstone["items"] == [] and tombstone["vault_destroyed_at"] is not None


def test_no_key_is_401(api: Api) -> None:
    assert api.get(f"/v1/vault/{SUBJECT}").status_code == 401

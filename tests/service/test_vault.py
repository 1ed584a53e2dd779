"""The vault's workflows on each store backend: sealing, audited reads and refusals, shredding."""

from __future__ import annotations

import base64
import logging
import os
import stat
from datetime import date

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from rightsdesk.domain.errors import (
    KeyDestroyedError,
    NotFoundError,
    PermissionDeniedError,
    VaultError,
)
from rightsdesk.service.retention import vault
from rightsdesk.service.runtime import wiring
from rightsdesk.service.runtime.context import Services
from rightsdesk.settings import Settings
from rightsdesk.store.models import AuditEvent, Tombstone
from rightsdesk.vault.keys import LocalKeyProvider
from tests.service.conftest import Clock
from tests.vault.conftest import SUBJECT, held

SECRET = "li.wei@example.com"
TOMBSTONE = "t" * 32


def events(services: Services, name: str) -> list[AuditEvent]:
    with services.store.session() as session:
        query = select(AuditEvent).where(AuditEvent.event == name).order_by(AuditEvent.seq)
        return list(session.scalars(query))


def test_sealing_is_audited_with_counts_never_values(services: Services) -> None:
    rows = [held("1", {"email": SECRET}), held("2", rule="disputes")]
    [done] = vault.seal_rows(services, rows)
    assert done.sealed == 2
    assert vault.seal_rows(services, rows)[0].skipped == 2  # a re-run seals nothing new
    [event] = events(services, "vault_sealed")
    assert event.request_id == SUBJECT
    assert event.record["data"] == {
        "subject": SUBJECT,
        "items": 2,
        "skipped": 0,
        "rules": {"disputes": 1, "tax_records": 1},
    }
    assert SECRET not in str(event.record)
    assert vault.seal_rows(services, []) == []


def test_every_read_is_audited(services: Services) -> None:
    vault.seal_rows(services, [held("1", {"email": SECRET}), held("2", roles=("finance",))])
    for _ in range(2):
        found = vault.read(services, SUBJECT, role="legal", actor="operator:k1")
        assert [i.row for i in found.items] == [{"email": SECRET}]
    with pytest.raises(NotFoundError):
        vault.read(services, "b" * 32, role="legal", actor="operator:k1")
    reads = events(services, "vault_read")
    assert [(e.record["actor"], e.record["data"]) for e in reads] == [
        ("operator:k1", {"subject": SUBJECT, "role": "legal", "items": 1, "withheld": 1}),
        ("operator:k1", {"subject": SUBJECT, "role": "legal", "items": 1, "withheld": 1}),
        ("operator:k1", {"subject": "b" * 32, "role": "legal", "outcome": "not_found"}),
    ]
    assert SECRET not in str([e.record for e in reads])


def test_finance_does_not_read_rows_kept_for_legal(services: Services) -> None:
    vault.seal_rows(services, [held("1", roles=("legal",)), held("2", roles=("finance", "legal"))])
    found = vault.read(services, SUBJECT, role="finance", actor="operator:f")
    assert ([i.key for i in found.items], found.withheld) == (["2"], 1)


@pytest.mark.parametrize("role", ["read", "admin", "support", ""])
def test_a_business_caller_is_denied_and_an_alert_fires(
    services: Services, role: str, caplog: pytest.LogCaptureFixture
) -> None:
    vault.seal_rows(services, [held("1", {"email": SECRET})])
    with caplog.at_level(logging.WARNING, "rightsdesk.service"):
        with pytest.raises(PermissionDeniedError, match="legal and finance roles"):
            vault.read(services, SUBJECT, role=role, actor="operator:biz")
        with pytest.raises(PermissionDeniedError):
            vault.obligations(services, TOMBSTONE, role=role, actor="operator:biz")
    assert [r.levelname for r in caplog.records] == ["WARNING", "WARNING"]
    assert "operator:biz" in caplog.records[0].getMessage()
    denied = events(services, "vault_denied")
    assert [e.record["data"] for e in denied] == [
        {"target": f"vault {SUBJECT}", "role": role},
        {"target": f"tombstone {TOMBSTONE}", "role": role},
    ]
    assert events(services, "vault_read") == []


def test_obligations_stay_reachable_through_the_tombstone(services: Services, clock: Clock) -> None:
    with services.store.session() as session:
        session.add(
            Tombstone(
                id=TOMBSTONE, request_id="r" * 32, created_at=clock(), obligations={"bills": 1}
            )
        )
    bill = held(
        "7", {"amount": "30.00"}, subject=TOMBSTONE, rule="bills", roles=("finance", "legal")
    )
    dispute = held("8", subject=TOMBSTONE, rule="disputes", roles=("legal",))
    vault.seal_rows(services, [bill, dispute])
    finance = vault.obligations(services, TOMBSTONE, role="finance", actor="operator:f")
    assert (finance.request_id, finance.counts) == ("r" * 32, {"bills": 1})
    assert ([i.row for i in finance.items], finance.withheld) == ([{"amount": "30.00"}], 1)
    legal = vault.obligations(services, TOMBSTONE, role="legal", actor="operator:l")
    assert len(legal.items) == 2 and legal.destroyed_at is None
    with pytest.raises(NotFoundError):
        vault.obligations(services, "x" * 32, role="legal", actor="operator:l")
    reads = events(services, "vault_read")
    assert [e.request_id for e in reads] == ["r" * 32, "r" * 32, None]
    assert events(services, "vault_sealed")[0].request_id == "r" * 32


def test_the_sweep_shreds_keys_past_their_retention(services: Services, clock: Clock) -> None:
    vault.seal_rows(services, [held("1", until=date(2026, 6, 10)), held("1", subject="b" * 32)])
    assert wiring.sweep(services)["vault_keys_destroyed"] == 0
    clock.advance(days=3)  # 2026-06-11: the retention of 2026-06-10 has ended
    assert wiring.sweep(services)["vault_keys_destroyed"] == 1
    assert vault.sweep(services) == 0
    [event] = events(services, "vault_key_destroyed")
    assert event.request_id == SUBJECT
    assert event.record["data"] == {"subject": SUBJECT, "retain_until": "2026-06-10", "items": 1}
    with pytest.raises(KeyDestroyedError, match="destroyed on 2026-06-11"):
        vault.read(services, SUBJECT, role="legal", actor="operator:l")
    assert events(services, "vault_read")[-1].record["data"]["outcome"] == "destroyed"
    assert vault.read(services, "b" * 32, role="legal", actor="operator:l").items


def test_a_tombstone_outlives_its_shredded_vault(services: Services, clock: Clock) -> None:
    with services.store.session() as session:
        session.add(
            Tombstone(id=TOMBSTONE, request_id="r" * 32, created_at=clock(), obligations={})
        )
    vault.seal_rows(services, [held("1", subject=TOMBSTONE, until=date(2026, 1, 1))])
    vault.sweep(services)
    found = vault.obligations(services, TOMBSTONE, role="legal", actor="operator:l")
    assert (found.items, found.destroyed_at) == ([], clock())


def test_the_master_key_file_is_generated_once_and_private(settings: Settings) -> None:
    one = vault.provider_from_settings(settings)
    path = settings.state_dir / "vault-master.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert one.name == vault.provider_from_settings(settings.model_copy()).name
    assert one.name == LocalKeyProvider(bytes.fromhex(path.read_text())).name


def test_a_configured_master_key_is_used(settings: Settings) -> None:
    master = os.urandom(32)
    configured = settings.model_copy(
        update={"vault_master_key": SecretStr(base64.b64encode(master).decode())}
    )
    assert vault.provider_from_settings(configured).name == LocalKeyProvider(master).name
    assert not (settings.state_dir / "vault-master.key").exists()


@pytest.mark.parametrize("value", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_bad_master_key_is_refused(settings: Settings, value: str) -> None:
    bad = settings.model_copy(update={"vault_master_key": SecretStr(value)})
    with pytest.raises(VaultError, match="RIGHTSDESK_VAULT_MASTER_KEY"):
        vault.provider_from_settings(bad)

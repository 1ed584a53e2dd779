"""Sealing, reading and shredding on each store backend, with a real key provider."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select, update

from rightsdesk.domain.errors import KeyDestroyedError, NotFoundError, TamperedError, VaultError
from rightsdesk.store.db import Store
from rightsdesk.store.models import Tombstone, VaultItem, VaultKey
from rightsdesk.vault import codec, reading, sealing
from rightsdesk.vault.keys import LocalKeyProvider
from tests.vault.conftest import SUBJECT, held

NOW = datetime(2026, 6, 8, 2, 0, tzinfo=UTC)
ROW = {
    "id": 1,
    "total": Decimal("199.90"),
    "placed": date(2026, 1, 5),
    "paid_at": datetime(2026, 1, 5, 8, 30, tzinfo=UTC),
    "email": "li.wei@example.com",
}


def seal(store: Store, provider: LocalKeyProvider, *rows: object) -> list[sealing.Sealed]:
    with store.session() as session:
        return sealing.seal(session, provider, list(rows), NOW)  # type: ignore[arg-type]


def read(store: Store, provider: LocalKeyProvider, role: str = "legal") -> reading.Reading:
    with store.session() as session:
        return reading.read(session, provider, SUBJECT, role)


def test_a_sealed_row_reads_back_exactly_and_is_not_stored_in_clear(
    store: Store, provider: LocalKeyProvider
) -> None:
    [done] = seal(store, provider, held("1", ROW), held("2"))
    assert (done.sealed, done.skipped, done.rules) == (2, 0, {"tax_records": 2})
    found = read(store, provider)
    assert [item.row for item in found.items] == [ROW, {"id": 2, "total": "1.00"}]
    first = found.items[0]
    assert (first.system, first.collection, first.key, first.until) == (
        "shop",
        "orders",
        "1",
        date(2030, 12, 31),
    )
    with store.session() as session:
        raw = b"".join(session.scalars(select(VaultItem.ciphertext)))
        key = session.get(VaultKey, SUBJECT)
    assert b"li.wei" not in raw and b"199.90" not in raw
    assert key is not None and key.provider == provider.name and key.wrapped_key is not None


def test_sealing_again_after_a_crash_skips_what_is_sealed(
    store: Store, provider: LocalKeyProvider
) -> None:
    seal(store, provider, held("1", ROW))
    [again] = seal(store, provider, held("1", ROW), held("2"), held("2"))
    assert (again.sealed, again.skipped) == (1, 2)
    assert [item.key for item in read(store, provider).items] == ["1", "2"]


def test_each_subject_has_its_own_key(store: Store, provider: LocalKeyProvider) -> None:
    done = seal(store, provider, held("1"), held("1", subject="b" * 32))
    assert [d.subject for d in done] == [SUBJECT, "b" * 32]
    with store.session() as session:
        wrapped = [provider.unwrap(k.wrapped_key or b"") for k in session.scalars(select(VaultKey))]
    assert len(set(wrapped)) == 2


def test_a_ciphertext_moved_to_another_row_does_not_decrypt(
    store: Store, provider: LocalKeyProvider
) -> None:
    seal(store, provider, held("1", ROW), held("2"))
    with store.session() as session:
        one, two = session.scalars(select(VaultItem).order_by(VaultItem.row_key)).all()
        one.nonce, one.ciphertext, two.nonce, two.ciphertext = (
            two.nonce,
            two.ciphertext,
            one.nonce,
            one.ciphertext,
        )
    with pytest.raises(TamperedError, match="altered or moved from another row"):
        read(store, provider)


def test_widening_the_roles_in_the_table_does_not_open_a_row(
    store: Store, provider: LocalKeyProvider
) -> None:
    seal(store, provider, held("1", ROW))
    with store.session() as session:
        session.execute(update(VaultItem).values(roles=["finance", "legal"]))
    with pytest.raises(TamperedError):
        read(store, provider, "finance")


def test_a_role_reads_only_the_rows_sealed_for_it(store: Store, provider: LocalKeyProvider) -> None:
    seal(
        store,
        provider,
        held("1", collection="disputes", roles=("legal",)),
        held("2", collection="invoices", roles=("finance", "legal")),
    )
    finance = read(store, provider, "finance")
    assert ([i.collection for i in finance.items], finance.withheld) == (["invoices"], 1)
    legal = read(store, provider, "legal")
    assert ([i.collection for i in legal.items], legal.withheld) == (["disputes", "invoices"], 0)


@pytest.mark.parametrize(
    ("first", "then", "kept_until"),
    [
        ([date(2030, 1, 1), date(2035, 6, 30)], [], date(2035, 6, 30)),
        ([date(2030, 1, 1)], [date(2029, 1, 1)], date(2030, 1, 1)),
        ([date(2030, 1, 1)], [date(2040, 1, 1)], date(2040, 1, 1)),
        ([date(2030, 1, 1), None], [], None),
        ([None], [date(2040, 1, 1)], None),
        ([date(2030, 1, 1)], [None], None),
    ],
)
def test_the_key_is_kept_as_long_as_its_longest_kept_row(
    store: Store,
    provider: LocalKeyProvider,
    first: list[date | None],
    then: list[date | None],
    kept_until: date | None,
) -> None:
    seal(store, provider, *(held(str(i), until=u) for i, u in enumerate(first)))
    seal(store, provider, *(held(str(10 + i), until=u) for i, u in enumerate(then)))
    assert read(store, provider).retain_until == kept_until


def test_nothing_sealed_is_not_found(store: Store, provider: LocalKeyProvider) -> None:
    with pytest.raises(NotFoundError):
        read(store, provider)


def test_a_key_wrapped_by_another_master_key_is_named(
    store: Store, provider: LocalKeyProvider
) -> None:
    seal(store, provider, held("1"))
    rotated = LocalKeyProvider(os.urandom(32))
    with pytest.raises(VaultError, match=f"wrapped by {provider.name}.*is {rotated.name}"):
        read(store, rotated)


def test_rows_of_a_tombstone_belong_to_its_request(
    store: Store, provider: LocalKeyProvider
) -> None:
    with store.session() as session:
        session.add(Tombstone(id="t" * 32, request_id="r" * 32, created_at=NOW, obligations={}))
    done = seal(store, provider, held("1", subject="t" * 32), held("1"))
    assert [d.request_id for d in done] == ["r" * 32, SUBJECT]


def test_shredding_destroys_due_keys_only_and_leaves_no_way_back(store: Store) -> None:
    master = os.urandom(32)
    provider = LocalKeyProvider(master)
    seal(store, provider, held("1", ROW, until=date(2026, 6, 7)), held("2", until=date(2026, 6, 7)))
    seal(store, provider, held("1", subject="b" * 32, until=date(2026, 6, 8)))
    seal(store, provider, held("1", subject="c" * 32, until=None))
    with store.session() as session:  # a backup of the vault's rows, taken before the sweep
        query = select(VaultItem).where(VaultItem.subject == SUBJECT)
        backup = [
            (
                i.nonce,
                i.ciphertext,
                codec.aad(SUBJECT, i.system, i.collection, i.row_key, i.rule, i.roles),
            )
            for i in session.scalars(query)
        ]
    with store.session() as session:
        gone = sealing.shred_due(session, date(2026, 6, 8), NOW)
    assert gone == [sealing.Shredded(SUBJECT, SUBJECT, date(2026, 6, 7), 2)]

    with pytest.raises(KeyDestroyedError, match="destroyed on 2026-06-08; the data cannot be"):
        read(store, provider)
    with store.session() as session:
        key = session.get(VaultKey, SUBJECT)
        assert key is not None and key.wrapped_key is None and key.destroyed_at == NOW
        assert session.scalars(select(VaultItem).where(VaultItem.subject == SUBJECT)).all() == []
        keys = session.scalars(select(VaultKey.wrapped_key)).all()
    # every data key left in the store, and the master key itself, fail on the backup's rows
    candidates = [provider.unwrap(wrapped) for wrapped in keys if wrapped is not None]
    assert len(backup) == 2 and len(candidates) == 2
    for candidate in [*candidates, master]:
        for nonce, ciphertext, bound in backup:
            with pytest.raises(InvalidTag):
                AESGCM(candidate).decrypt(nonce, ciphertext, bound)
    with store.session() as session:  # nothing is due twice
        assert sealing.shred_due(session, date(2026, 6, 8), NOW) == []


def test_a_destroyed_subject_cannot_be_sealed_into_again(
    store: Store, provider: LocalKeyProvider
) -> None:
    seal(store, provider, held("1", until=date(2020, 1, 1)))
    with store.session() as session:
        sealing.shred_due(session, date(2026, 6, 8), NOW)
    with pytest.raises(KeyDestroyedError):
        seal(store, provider, held("2"))

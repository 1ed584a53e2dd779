"""rightsdesk's store on each backend, a local key provider, and held rows to seal."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from rightsdesk.domain.retention import HeldRow
from rightsdesk.store.db import Store
from rightsdesk.vault.keys import LocalKeyProvider
from tests.service import conftest as service_fixtures

store_url = service_fixtures.store_url

SUBJECT = "a" * 32


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store(store_url)
    opened.migrate()
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def provider() -> LocalKeyProvider:
    return LocalKeyProvider(os.urandom(32))


HeldMaker = Callable[..., HeldRow]


def held(
    key: str,
    row: dict[str, Any] | None = None,
    *,
    subject: str = SUBJECT,
    collection: str = "orders",
    rule: str = "tax_records",
    until: date | None = date(2030, 12, 31),
    roles: tuple[str, ...] = ("legal",),
) -> HeldRow:
    """A held row of the shop's ``collection`` (a small factory; every field can be changed)."""
    return HeldRow(
        subject=subject,
        system="shop",
        collection=collection,
        key=key,
        rule=rule,
        basis="tax law: keep invoices 10 years",
        until=until,
        roles=roles,
        row=row if row is not None else {"id": int(key), "total": "1.00"},
    )

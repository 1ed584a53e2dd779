"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from rightsdesk.store.db import Store
from rightsdesk.store.models import AuditHead, Base


@pytest.fixture
def store(store_url: str) -> Store:
    return Store(store_url)


def test_upgrade_matches_the_models_and_is_idempotent(store: Store) -> None:
    store.migrate()
    store.migrate()  # a second upgrade is a no-op
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    tables = set(inspect(store.engine).get_table_names())
    assert set(Base.metadata.tables) | {"alembic_version"} == tables
    with store.session() as session:
        head = session.get(AuditHead, 1)
        assert head is not None and head.seq == 0 and head.hash == "0" * 64
    store.close()

"""What discovery reads through a connector (``base.Discoverable``), on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from rightsdesk.connectors.base import Discoverable
from rightsdesk.connectors.sql import SqlConnector
from rightsdesk.domain.errors import ConnectorError
from tests.connectors.test_contract import (
    ORDERS_PER_ACCOUNT,
    Seed,
    accounts,
    engine,
    make_connector,
    seed,
)

__all__ = ["engine", "make_connector", "seed"]

notes = sa.Table(
    "notes",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("body", sa.JSON(none_as_null=True)),
    sa.Column("tag", sa.String(20)),
)


@pytest.fixture
def store(db_url: str, seed: Seed, engine: sa.Engine) -> Iterator[SqlConnector]:
    seed(4)
    notes.create(engine)
    with engine.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.id == 4).values(email=None))
        conn.execute(
            notes.insert(),
            [
                {"id": 1, "body": {"to": "user1@example.com"}, "tag": "a"},
                {"id": 2, "body": None, "tag": "a"},
            ],
        )
    connector = SqlConnector("shop", db_url)
    yield connector
    connector.close()


def test_the_sql_connector_is_discoverable(store: SqlConnector) -> None:
    assert isinstance(store, Discoverable)


@pytest.mark.parametrize(
    ("table", "column", "limit", "distinct", "expected"),
    [
        ("accounts", "email", 10, False, {f"user{i}@example.com" for i in (1, 2, 3)}),
        ("orders", "account_id", 100, True, {1, 2, 3, 4}),
        ("orders", "status", 100, True, {"open"}),
    ],
)
def test_sample_returns_non_null_values(
    store: SqlConnector, table: str, column: str, limit: int, distinct: bool, expected: set[Any]
) -> None:
    found = store.sample(table, column, limit, distinct=distinct)
    assert set(found) == expected
    assert len(found) == len(set(found)) or not distinct


def test_sample_stops_at_the_limit(store: SqlConnector) -> None:
    assert len(store.sample("orders", "status", 5)) == 5


@pytest.mark.parametrize(
    ("values", "expected"), [([1, 2, 99], 2), ([], 0), ([4, 4, "x@y"], 1), (list(range(1200)), 4)]
)
def test_count_present_counts_distinct_values_found(
    store: SqlConnector, values: list[Any], expected: int
) -> None:
    values = [v for v in values if isinstance(v, int)]
    assert store.count_present("orders", "account_id", values) == expected


@pytest.mark.parametrize(
    ("table", "column", "expected"),
    [("orders", "account_id", True), ("accounts", "email", False), ("notes", "tag", True)],
)
def test_repeats(store: SqlConnector, table: str, column: str, expected: bool) -> None:
    assert store.repeats(table, column) is expected


def test_most_per_owner_follows_the_path(store: SqlConnector) -> None:
    hop = (("orders", "account_id"), ("accounts", "id"))
    assert store.most_per_owner("orders", [hop]) == ORDERS_PER_ACCOUNT
    assert store.most_per_owner("orders", []) == 0


def test_text_scan_returns_json_as_text(store: SqlConnector) -> None:
    rows = dict(row for batch in store.scan("notes", ["id", "body"], text=True) for row in batch)
    assert isinstance(rows[1], str) and "user1@example.com" in rows[1]
    assert rows[2] is None


def test_describe_marks_text_columns(store: SqlConnector) -> None:
    columns = store.describe(["notes", "orders"]).tables
    text = {t: {c.name for c in info.columns.values() if c.text} for t, info in columns.items()}
    assert text == {"notes": {"body", "tag"}, "orders": {"status"}}


def test_unknown_table_is_a_connector_error(store: SqlConnector) -> None:
    with pytest.raises(ConnectorError, match="cannot read from"):
        store.sample("no_such_table", "x", 5)

"""The connector contract, run against SQLite, PostgreSQL and MariaDB through ``SqlConnector``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import mysql

from rightsdesk.connectors.base import (
    Change,
    Connector,
    DeleteWhere,
    ForeignKeyInfo,
    UpdateRows,
    UpdateWhere,
)
from rightsdesk.connectors.registry import open_connector
from rightsdesk.connectors.sql import SqlConnector
from rightsdesk.domain.errors import ConnectorError

metadata = sa.MetaData()
accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(255), unique=True),
    sa.Column("phone", sa.String(32)),
    sa.Column("created_at", sa.Date),
)
orders = sa.Table(
    "orders",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False, index=True),
    sa.Column("amount", sa.Numeric(10, 2)),
    sa.Column("status", sa.String(20)),
)
ORDERS_PER_ACCOUNT = 3
INJECTIONS = ["1 OR 1=1", "x'); DROP TABLE accounts;--", "1; DELETE FROM accounts", "' OR ''='"]

MakeConnector = Callable[..., SqlConnector]
Seed = Callable[[int], None]


def account(i: int) -> dict[str, Any]:
    email, phone = f"user{i}@example.com", f"+1555{i:07d}"
    return {"id": i, "email": email, "phone": phone, "created_at": date(2024, 1, 1) + timedelta(i)}


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """The test database with the accounts/orders schema created."""
    engine = sa.create_engine(db_url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def seed(engine: sa.Engine) -> Seed:
    """Insert accounts 1..n, each with ORDERS_PER_ACCOUNT open orders."""

    def insert(n: int) -> None:
        rows = [
            {"id": i * 10 + j, "account_id": i, "amount": Decimal(f"{i}.{j}0"), "status": "open"}
            for i in range(1, n + 1)
            for j in range(ORDERS_PER_ACCOUNT)
        ]
        with engine.begin() as conn:
            conn.execute(accounts.insert(), [account(i) for i in range(1, n + 1)])
            conn.execute(orders.insert(), rows)

    return insert


@pytest.fixture
def make_connector(db_url: str) -> Iterator[MakeConnector]:
    """Build connectors on the test database; all are closed at teardown."""
    made: list[SqlConnector] = []

    def make(url: str = db_url, chunk_size: int = 500) -> SqlConnector:
        made.append(SqlConnector("shop", url, chunk_size=chunk_size))
        return made[-1]

    yield make
    for connector in made:
        connector.close()


@pytest.fixture
def connector(make_connector: MakeConnector) -> SqlConnector:
    return make_connector()


def rows(
    connector: SqlConnector, table: str, key: str, values: list[Any], cols: list[str]
) -> list[tuple[Any, ...]]:
    return [row for batch in connector.read(table, key, values, cols) for row in batch]


def select(engine: sa.Engine, query: sa.Select[Any]) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(query)]


def count(engine: sa.Engine, table: sa.Table) -> int:
    return int(select(engine, sa.select(sa.func.count()).select_from(table))[0][0])


def test_is_the_registered_sql_connector(db_url: str) -> None:
    connector = open_connector("shop", "sql", db_url)
    try:
        assert isinstance(connector, SqlConnector)
        assert isinstance(connector, Connector)
    finally:
        connector.close()


def test_check_passes_on_a_live_database(connector: SqlConnector) -> None:
    connector.check()


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////nonexistent-dir/db.sqlite",
        "postgresql+psycopg://postgres:s3cret@127.0.0.1:1/test",
        "mysql+pymysql://root:s3cret@127.0.0.1:1/test",
    ],
    ids=["sqlite", "postgres", "mariadb"],
)
def test_check_on_an_unreachable_database_raises_with_the_password_masked(url: str) -> None:
    # a missing SQLite file is refused when the connector opens (never created empty)
    with pytest.raises(ConnectorError, match=r"cannot connect to|no SQLite database") as caught:
        connector = SqlConnector("shop", url)
        try:
            connector.check()
        finally:
            connector.close()
    assert caught.value.system == "shop"
    assert "s3cret" not in str(caught.value)
    assert "127.0.0.1:1" in str(caught.value) or "nonexistent-dir" in str(caught.value)


def test_an_unparseable_url_raises_without_echoing_it() -> None:
    with pytest.raises(ConnectorError, match="cannot parse") as caught:
        SqlConnector("shop", "not a url with s3cret")
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    ("key", "values", "expected_ids"),
    [
        ("id", ["1", " 2 ", "+3"], [1, 2, 3]),
        ("id", [4, 4.0, Decimal("4"), "4"], [4]),
        ("id", ["abc", "1.5", "", "4_2", "٤٢", "99999999999999999999", None, True], []),
        ("email", ["user2@example.com", "USER3@EXAMPLE.ORG"], [2]),
        ("email", ["nul\x00byte", "\ud800", "ünïcødé@example.com", 12345], []),
        ("created_at", ["2024-01-03", date(2024, 1, 4)], [2, 3]),
        ("created_at", ["not a date", "2024-02-30", 20240103], []),
    ],
)
def test_read_coerces_values_to_the_key_type_and_drops_the_rest(
    connector: SqlConnector, seed: Seed, key: str, values: list[Any], expected_ids: list[int]
) -> None:
    seed(5)
    found = rows(connector, "accounts", key, values, ["id", "email"])
    assert sorted(found) == [(i, f"user{i}@example.com") for i in expected_ids]


def test_read_returns_columns_in_the_order_asked(connector: SqlConnector, seed: Seed) -> None:
    seed(2)
    found = rows(connector, "orders", "account_id", ["2"], ["status", "amount", "id"])
    assert sorted(found) == [("open", Decimal(f"2.{j}0"), 20 + j) for j in range(3)]


def test_read_across_chunk_boundaries_returns_each_row_once(
    make_connector: MakeConnector, seed: Seed
) -> None:
    seed(1300)
    values = [str(i) for i in range(1, 1201)] * 2 + ["0", "-1"]
    found = rows(make_connector(chunk_size=500), "accounts", "id", values, ["id"])
    assert sorted(found) == [(i,) for i in range(1, 1201)]


@pytest.mark.parametrize(
    ("table", "key", "n_values", "expected_sizes"),
    [
        ("orders", "account_id", 12, [10, 10, 10, 6]),  # not unique: streamed in slices
        ("accounts", "id", 25, [10, 10, 5]),  # unique: one slice per chunk of keys
    ],
)
def test_read_streams_batches_of_about_chunk_size(
    make_connector: MakeConnector,
    seed: Seed,
    table: str,
    key: str,
    n_values: int,
    expected_sizes: list[int],
) -> None:
    seed(30)
    batches = make_connector(chunk_size=10).read(table, key, list(range(1, n_values + 1)), ["id"])
    assert isinstance(batches, Iterator)
    assert [len(batch) for batch in batches] == expected_sizes


@pytest.mark.parametrize("key", ["id", "email", "phone"])
@pytest.mark.parametrize("value", ["999999", "nobody@example.com", *INJECTIONS])
def test_unknown_and_injection_shaped_values_match_nothing_and_change_nothing(
    connector: SqlConnector, engine: sa.Engine, seed: Seed, key: str, value: str
) -> None:
    seed(3)
    assert rows(connector, "accounts", key, [value], ["id"]) == []
    assert connector.apply([UpdateWhere("accounts", key, [value], {"phone": None})]) == [0]
    assert connector.apply([DeleteWhere("orders", "account_id", [value])]) == [0]
    assert (count(engine, accounts), count(engine, orders)) == (3, 3 * ORDERS_PER_ACCOUNT)


def test_text_a_legacy_charset_cannot_hold_matches_nothing(
    connector: SqlConnector, db_url: str
) -> None:
    legacy_metadata = sa.MetaData()
    utf8mb3 = sa.String(20).with_variant(mysql.VARCHAR(20, charset="utf8mb3"), "mysql", "mariadb")
    legacy = sa.Table(
        "legacy",
        legacy_metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(20)),  # latin1, the table's charset on MariaDB
        sa.Column("nick", utf8mb3),
        mysql_charset="latin1",
    )
    engine = sa.create_engine(db_url)
    try:
        legacy_metadata.create_all(engine)
        with engine.begin() as conn:
            conn.execute(legacy.insert(), [{"id": 1, "name": "é@x", "nick": "日本"}])
    finally:
        engine.dispose()
    values = ["é@x", "日本", "😀", "€"]
    assert rows(connector, "legacy", "name", values, ["id"]) == [(1,)]
    assert rows(connector, "legacy", "nick", values, ["id"]) == [(1,)]


@pytest.mark.parametrize(
    ("table", "key", "columns", "match"),
    [
        ("nope", "id", ["id"], "unknown table 'nope'"),
        ("accounts", "nope", ["id"], r"table 'accounts': has no column\(s\) \['nope'\]"),
        ("accounts", "id", ["email", "nope"], r"table 'accounts': has no column\(s\) \['nope'\]"),
        ("accounts", "id", [], "select names no column"),
    ],
)
def test_read_of_an_unknown_table_or_column_raises_naming_it(
    connector: SqlConnector, engine: sa.Engine, table: str, key: str, columns: list[str], match: str
) -> None:
    with pytest.raises(ConnectorError, match=match):
        connector.read(table, key, ["1"], columns)


def test_scan_reads_every_row_or_those_holding_a_value(
    connector: SqlConnector, seed: Seed, engine: sa.Engine
) -> None:
    seed(12)
    with engine.begin() as conn:
        conn.execute(accounts.update().where(accounts.c.id == 3).values(email="USER3@Example.COM"))
        conn.execute(accounts.update().where(accounts.c.id == 4).values(email="userx4@example.com"))

    def scanned(containing: dict[str, list[str]] | None) -> list[int]:
        found = connector.scan("accounts", ["id", "email"], containing)
        return sorted(row[0] for batch in found for row in batch)

    assert scanned(None) == list(range(1, 13))
    # a substring, ASCII case ignored: user1@ is inside user1@, and user10@..user12@ hold user1
    assert scanned({"email": ["user1", "user3@example.com"]}) == [1, 3, 10, 11, 12]
    # LIKE wildcards are escaped: 'user_4' is not a pattern for 'userx4'
    assert scanned({"email": ["user_4", "100%"]}) == []
    assert scanned({"email": [], "phone": ["+15550000007"]}) == [7]
    with pytest.raises(ConnectorError, match="nope"):
        scanned({"nope": ["x"]})


def test_read_of_nothing_yields_no_batch(connector: SqlConnector, seed: Seed) -> None:
    seed(1)
    assert list(connector.read("accounts", "id", [], ["id"])) == []


@pytest.mark.parametrize(
    ("change", "rowcount", "query", "expected"),
    [
        (
            UpdateWhere("accounts", "id", ["1", "2", "404", "x"], {"phone": None, "email": None}),
            2,
            sa.select(accounts.c.id).where(accounts.c.phone.is_(None)).order_by(accounts.c.id),
            [(1,), (2,)],
        ),
        (  # MariaDB counts matched rows, not only the changed ones
            UpdateWhere("orders", "account_id", [1, 2], {"status": "open"}),
            2 * ORDERS_PER_ACCOUNT,
            sa.select(sa.func.count()).where(orders.c.status == "open"),
            [(4 * ORDERS_PER_ACCOUNT,)],
        ),
        (
            UpdateRows("accounts", "id", ("email", "phone"), [("1", "a@x", "1"), (2, "b@x", "2")]),
            2,
            sa.select(accounts.c.id, accounts.c.email, accounts.c.phone).where(accounts.c.id < 3),
            [(1, "a@x", "1"), (2, "b@x", "2")],
        ),
        (
            UpdateRows("accounts", "id", ("phone",), [("404", "x"), ("abc", "y"), ("3", None)]),
            1,
            sa.select(accounts.c.id).where(accounts.c.phone.is_(None)),
            [(3,)],
        ),
        (
            DeleteWhere("orders", "account_id", ["1", "3", "3", "404"]),
            2 * ORDERS_PER_ACCOUNT,
            sa.select(orders.c.account_id).distinct().order_by(orders.c.account_id),
            [(2,), (4,)],
        ),
    ],
    ids=["update-where", "update-where-unchanged", "update-rows", "update-rows-skips", "delete"],
)
def test_apply_returns_rowcounts_and_changes_the_rows(
    connector: SqlConnector,
    engine: sa.Engine,
    seed: Seed,
    change: Change,
    rowcount: int,
    query: sa.Select[Any],
    expected: list[tuple[Any, ...]],
) -> None:
    seed(4)
    assert connector.apply([change]) == [rowcount]
    assert sorted(select(engine, query)) == expected


def test_apply_deletes_children_before_parents_in_one_transaction(
    make_connector: MakeConnector, engine: sa.Engine, seed: Seed
) -> None:
    seed(1200)
    ids = [str(i) for i in range(1, 1101)]
    changes: list[Change] = [
        DeleteWhere("orders", "account_id", ids),
        DeleteWhere("accounts", "id", ids),
    ]
    assert make_connector(chunk_size=500).apply(changes) == [1100 * ORDERS_PER_ACCOUNT, 1100]
    assert select(engine, sa.select(sa.func.min(accounts.c.id))) == [(1101,)]
    assert count(engine, orders) == 100 * ORDERS_PER_ACCOUNT


def test_apply_of_nothing_does_nothing(connector: SqlConnector) -> None:
    assert connector.apply([]) == []


@pytest.mark.parametrize(
    ("failing", "match"),
    [
        (DeleteWhere("accounts", "id", [2]), "rolled back"),  # account 2 still has orders
        (UpdateWhere("accounts", "id", [2], {"email": "user3@example.com"}), "rolled back"),
        (UpdateWhere("accounts", "id", [2], {"nope": 1}), r"no column\(s\) \['nope'\]"),
        (UpdateRows("accounts", "nope", ("phone",), [(2, "x")]), r"no column\(s\) \['nope'\]"),
        (DeleteWhere("nope", "id", [2]), "unknown table 'nope'"),
        (UpdateRows("accounts", "id", ("phone",), [(2,)]), r"rows must be \(key, \*columns\)"),
        (UpdateWhere("accounts", "id", [2], {}), "update_where names no column"),
    ],
    ids=[
        "fk-violation",
        "unique-violation",
        "unknown-column",
        "unknown-key",
        "unknown-table",
        "bad-row",
        "nothing-to-set",
    ],
)
def test_a_failing_change_rolls_back_the_whole_apply(
    connector: SqlConnector, engine: sa.Engine, seed: Seed, failing: Change, match: str
) -> None:
    seed(3)
    before = select(engine, sa.select(accounts).order_by(accounts.c.id))
    earlier: list[Change] = [
        UpdateWhere("accounts", "id", ["1"], {"phone": "changed"}),
        DeleteWhere("orders", "account_id", ["1"]),
        DeleteWhere("accounts", "id", ["1"]),
    ]
    with pytest.raises(ConnectorError, match=match):
        connector.apply([*earlier, failing, UpdateWhere("accounts", "id", [3], {"phone": "late"})])
    assert select(engine, sa.select(accounts).order_by(accounts.c.id)) == before
    assert count(engine, orders) == 3 * ORDERS_PER_ACCOUNT


@pytest.mark.parametrize(("end", "phone"), [("commit", "new"), ("rollback", "+15550000001")])
def test_begin_applies_now_and_keeps_only_on_commit(
    connector: SqlConnector, engine: sa.Engine, seed: Seed, end: str, phone: str
) -> None:
    seed(2)
    transaction = connector.begin()
    assert transaction.apply([UpdateWhere("accounts", "id", ["1"], {"phone": "new"})]) == [1]
    assert transaction.apply([DeleteWhere("orders", "account_id", ["1"])]) == [ORDERS_PER_ACCOUNT]
    getattr(transaction, end)()
    assert select(engine, sa.select(accounts.c.phone).where(accounts.c.id == 1)) == [(phone,)]
    with pytest.raises(ConnectorError, match="transaction has ended"):
        transaction.commit()
    transaction.rollback()  # harmless once ended


def test_a_failing_apply_in_a_transaction_rolls_it_back(
    connector: SqlConnector, engine: sa.Engine, seed: Seed
) -> None:
    seed(2)
    transaction = connector.begin()
    transaction.apply([DeleteWhere("orders", "account_id", ["1"])])
    with pytest.raises(ConnectorError, match="rolled back"):
        transaction.apply([DeleteWhere("accounts", "id", ["2"])])
    with pytest.raises(ConnectorError, match="transaction has ended"):
        transaction.commit()
    assert count(engine, orders) == 2 * ORDERS_PER_ACCOUNT


@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_two_systems_on_one_database_hold_transactions_at_once(
    make_connector: MakeConnector, engine: sa.Engine, seed: Seed, end: str
) -> None:
    """Two transactions on a server at once; on a single-writer store (a SQLite file) both
    connectors name the same writer, and the engine applies both systems in one transaction."""
    seed(2)
    app, crm = make_connector(), make_connector()
    assert app.writer() == crm.writer()
    first = app.begin()
    second = first if app.writer() is not None else crm.begin()
    assert first.apply([DeleteWhere("orders", "account_id", [1])]) == [ORDERS_PER_ACCOUNT]
    assert second.apply([UpdateWhere("accounts", "id", [2], {"phone": None})]) == [1]
    getattr(first, end)()
    if second is not first:
        getattr(second, end)()
    expected = (ORDERS_PER_ACCOUNT, 1) if end == "commit" else (2 * ORDERS_PER_ACCOUNT, 0)
    nulls = sa.select(sa.func.count()).where(accounts.c.phone.is_(None))
    assert (count(engine, orders), select(engine, nulls)[0][0]) == expected


def test_a_database_error_is_chained_and_keeps_values_out_of_the_message(
    connector: SqlConnector, seed: Seed
) -> None:
    seed(2)
    with pytest.raises(ConnectorError) as caught:
        connector.apply([UpdateWhere("accounts", "id", [2], {"email": "user1@example.com"})])
    assert isinstance(caught.value.__cause__, sa.exc.IntegrityError)
    assert "[parameters:" not in str(caught.value)
    assert "user1@example.com" not in str(caught.value)


def test_describe_reports_tables_keys_indexes_and_types(
    connector: SqlConnector, engine: sa.Engine
) -> None:
    schema = connector.describe()
    assert set(schema.tables) == {"accounts", "orders"}
    acc, ords = schema.tables["accounts"], schema.tables["orders"]
    assert (acc.primary_key, ords.primary_key) == (("id",), ("id",))
    assert acc.foreign_keys == ()
    assert ords.foreign_keys == (ForeignKeyInfo(("account_id",), "accounts", ("id",)),)
    assert ords.is_indexed("account_id")
    assert not ords.is_indexed("status")
    assert acc.is_indexed("email")
    assert not acc.is_indexed("phone")


@pytest.mark.parametrize(
    ("table", "column", "python_type", "type_prefix", "nullable", "unique"),
    [
        ("accounts", "id", "int", "int", False, True),
        ("accounts", "email", "str", "varchar(255)", True, True),
        ("accounts", "phone", "str", "varchar(32)", True, False),
        ("accounts", "created_at", "date", "date", True, False),
        ("orders", "account_id", "int", "int", False, False),
        ("orders", "amount", "decimal", "", True, False),
        ("orders", "status", "str", "varchar(20)", True, False),
    ],
)
def test_describe_reports_each_column(
    connector: SqlConnector,
    engine: sa.Engine,
    table: str,
    column: str,
    python_type: str,
    type_prefix: str,
    nullable: bool,
    unique: bool,
) -> None:
    info = connector.describe().tables[table].columns[column]
    assert (info.name, info.python_type, info.nullable, info.unique) == (
        column,
        python_type,
        nullable,
        unique,
    )
    assert info.type.startswith(type_prefix)
    assert info.type == info.type.lower()


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.one_of(st.text(), st.integers(), st.floats(), st.binary(), st.none()))
@pytest.mark.parametrize("key", ["id", "email", "created_at"])
def test_any_identity_value_reads_without_error(
    connector: SqlConnector, engine: sa.Engine, key: str, value: Any
) -> None:
    found = rows(connector, "accounts", key, [value, "1"], ["id"])
    assert found == []


def test_describe_some_tables_matches_the_whole_schema(
    connector: SqlConnector, engine: sa.Engine
) -> None:
    whole = connector.describe()
    some = connector.describe(["orders", "accounts", "no_such_table"])
    assert some.tables == {t: whole.tables[t] for t in ("accounts", "orders")}
    assert connector.describe(["orders"]).tables["orders"] == whole.tables["orders"]

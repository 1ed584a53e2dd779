"""The demo platform: its data map matches its schema, and its generator is deterministic."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from rightsdesk.connectors.sql import SqlConnector
from rightsdesk.datamap import DataMap, load
from rightsdesk.datamap.live import check_live
from rightsdesk.demo.people import COLUMNS, national_id
from rightsdesk.demo.platform import BILLING, DATAMAP, PLATFORM, SCHEMAS, demo_urls, populate
from rightsdesk.domain.periods import Period

TODAY = date(2026, 1, 15)
SUBJECTS = 50
Populate = Callable[..., dict[str, str]]


@pytest.fixture
def datamap() -> DataMap:
    return load(DATAMAP, env={})


@pytest.fixture
def populated(tmp_path: Path) -> Populate:
    """Populate fresh SQLite files under ``tmp_path/<name>`` and return their URLs."""

    def make(name: str = "db", *, subjects: int = SUBJECTS, **options: Any) -> dict[str, str]:
        directory = tmp_path / name
        directory.mkdir()
        urls = demo_urls(directory)
        populate(urls, subjects, today=TODAY, **options)
        return urls

    return make


def _rows(urls: dict[str, str]) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, raw as stored, in id order."""
    out: dict[str, list[tuple[object, ...]]] = {}
    for system, url in urls.items():
        engine = create_engine(url)
        with engine.connect() as conn:
            for table in SCHEMAS[system].sorted_tables:
                query = f"SELECT * FROM {table.name} ORDER BY id"
                out[table.name] = [tuple(row) for row in conn.exec_driver_sql(query)]
        engine.dispose()
    return out


def _count(url: str, table_name: str, **where: object) -> int:
    table = {**PLATFORM.tables, **BILLING.tables}[table_name]
    query = select(func.count()).select_from(table)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    engine = create_engine(url)
    with engine.connect() as conn:
        count = conn.execute(query).scalar_one()
    engine.dispose()
    return count


def test_map_loads_with_sqlite_files_next_to_it(datamap: DataMap) -> None:
    urls = {system.name: system.url for system in datamap.systems}
    assert urls == {name: f"sqlite:///{DATAMAP.parent / f'{name}.db'}" for name in SCHEMAS}


def test_map_urls_follow_the_environment() -> None:
    env = {"RIGHTSDESK_DEMO_PLATFORM_URL": "postgresql+psycopg://h/p"}
    datamap = load(DATAMAP, env=env)
    platform, billing = (s.url for s in datamap.systems)
    assert platform == "postgresql+psycopg://h/p"
    assert billing.endswith("/demo/billing.db")


def test_every_mapped_table_and_column_exists(datamap: DataMap) -> None:
    for system, collection in datamap.collections():
        table = SCHEMAS[system.name].tables[collection.name]
        assert {f.name for f in collection.fields} <= set(table.c.keys()), collection.name
        assert collection.primary_key == "id"
    for rule in datamap.retention:
        system_name, _, table_name = rule.collection.partition(".")
        columns = set(SCHEMAS[system_name].tables[table_name].c.keys())
        assert {rule.start, *rule.where, *(rule.fields or ())} <= columns


def test_every_lookup_column_is_indexed(datamap: DataMap) -> None:
    lookups = {
        (system.name, collection.name, field.name)
        for system, collection in datamap.collections()
        for field in collection.fields
        if field.identity or field.references
    }
    referenced = [
        (system.name, *ref.field.split(".")[-2:])
        for system, collection in datamap.collections()
        for field in collection.fields
        for ref in field.references
    ]
    lookups |= {(system_name, table, column) for system_name, table, column in referenced}
    assert len(lookups) == 17
    for system_name, table_name, column_name in lookups:
        table = SCHEMAS[system_name].tables[table_name]
        indexed = {next(iter(ix.columns)).name for ix in table.indexes} | {"id"}
        assert column_name in indexed, f"{table_name}.{column_name}"


def test_every_personal_table_is_mapped_and_the_catalogue_is_not_personal(
    datamap: DataMap,
) -> None:
    mapped = {c.name for _, c in datamap.collections() if c.personal}
    assert mapped == set(COLUMNS) - {"services"}
    assert [c.name for _, c in datamap.collections() if not c.personal] == ["services"]
    targets = [r.field for _, c in datamap.collections() for f in c.fields for r in f.references]
    assert not [t for t in targets if "services" in t]


def test_identities_and_credentials(datamap: DataMap) -> None:
    identities = {
        f"{s.name}.{c.name}.{f.name}": f.identity
        for s, c in datamap.collections()
        for f in c.fields
        if f.identity
    }
    assert identities == {
        "platform.accounts.id": "user_id",
        "platform.accounts.email": "email",
        "platform.accounts.phone": "phone",
        **{f"billing.{t}.user_id": "user_id" for t in ("subscriptions", "orders", "transactions")},
        **{f"billing.{t}.user_id": "user_id" for t in ("bills", "invoices")},
    }
    accounts = datamap.resolve("platform.accounts")
    assert accounts is not None
    password = accounts[1].field("password_hash")
    assert password is not None and password.export_mode.value == "presence"


def test_live_schema_passes_the_live_check(datamap: DataMap, populated: Populate) -> None:
    urls = populated()
    schemas = {name: SqlConnector(name, url).describe() for name, url in urls.items()}
    assert check_live(datamap, schemas) == []


def test_same_seed_same_rows_other_seed_other_rows(populated: Populate) -> None:
    first, second, other = populated("a"), populated("b"), populated("c", seed=8)
    rows = _rows(first)
    assert rows == _rows(second)
    assert rows != _rows(other)
    assert len(rows["accounts"]) == SUBJECTS
    assert len(rows["services"]) == 12
    assert len(rows["subscriptions"]) == len(rows["bills"]) == 2 * SUBJECTS
    assert len(rows["transactions"]) == len(rows["orders"])
    assert 2 * SUBJECTS <= len(rows["orders"]) <= 3 * SUBJECTS
    assert SUBJECTS <= len(rows["login_events"]) <= 5 * SUBJECTS


def test_demo_subject_has_every_kind_of_row(populated: Populate) -> None:
    urls = populated()
    account = _rows(urls)["accounts"][0]
    assert account[:4] == (1, "li.wei@example.com", "+8613800138000", "李伟")
    for name in set(PLATFORM.tables) - {"accounts"}:
        assert _count(urls["platform"], name, account_id=1) >= 1, name
    for name in set(BILLING.tables) - {"services"}:
        assert _count(urls["billing"], name, user_id=1) >= 1, name


def test_demo_subject_has_invoices_either_side_of_ten_years(populated: Populate) -> None:
    urls = populated()
    invoices = BILLING.tables["invoices"]
    query = select(invoices.c.issued_at, invoices.c.status).where(invoices.c.user_id == 1)
    engine = create_engine(urls["billing"])
    with engine.connect() as conn:
        issued = conn.execute(query).all()
    engine.dispose()
    ten_years = Period.parse("10y")
    assert {row.status for row in issued} == {"issued"}
    assert sorted(ten_years.after(row.issued_at) > TODAY for row in issued) == [False, True]


def test_heavy_rows_are_extra_login_events_of_the_demo_subject(populated: Populate) -> None:
    plain, heavy = populated("plain"), populated("heavy", heavy_rows=1_234)
    assert _count(heavy["platform"], "login_events", account_id=1) == (
        _count(plain["platform"], "login_events", account_id=1) + 1_234
    )
    assert (
        _count(heavy["platform"], "login_events")
        == _count(plain["platform"], "login_events") + 1_234
    )


def test_progress_reaches_the_total(populated: Populate) -> None:
    calls: list[tuple[int, int]] = []
    populated(
        subjects=4_100, heavy_rows=10, progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(2_000, 4_110), (4_000, 4_110), (4_100, 4_110), (4_110, 4_110)]


@pytest.mark.parametrize(
    ("urls", "subjects", "heavy_rows", "message"),
    [
        ({}, 1, 0, "no URL for system"),
        ({"platform": "sqlite://", "billing": "sqlite://"}, 0, 0, "subjects >= 1"),
        ({"platform": "sqlite://", "billing": "sqlite://"}, 1, -1, "heavy_rows >= 0"),
    ],
)
def test_populate_rejects_bad_arguments(
    urls: dict[str, str], subjects: int, heavy_rows: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        populate(urls, subjects, heavy_rows=heavy_rows)


@pytest.mark.parametrize(
    ("region", "birth", "sequence", "expected"),
    [
        ("110105", date(1949, 12, 31), 2, "11010519491231002X"),
        ("110101", date(1990, 3, 7), 775, "110101199003077758"),
    ],
)
def test_national_ids_carry_a_valid_check_character(
    region: str, birth: date, sequence: int, expected: str
) -> None:
    assert national_id(region, birth, sequence) == expected


def test_the_demo_map_has_no_drift_from_its_own_databases(tmp_path: Path) -> None:
    """The price list is marked ``personal: false``, so ``datamap diff`` exits 0 on the demo."""
    from rightsdesk.demo import direct as demo
    from tests.test_cli import invoke

    datamap = demo.build(tmp_path / "demo", 5)
    code, output = invoke("datamap", "diff", str(datamap))
    assert code == 0 and "no drift" in output, output

"""The engine's part in the rights workflows, on every backend: corrections reach every copy,
rows under a vault rule are handed over before their live copies are erased, and rows past their
``keep_for`` period are deleted with no request."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from rightsdesk.connectors.base import Connector
from rightsdesk.connectors.sql import SqlConnector
from rightsdesk.datamap import DataMap, loads
from rightsdesk.domain.errors import DataMapError
from rightsdesk.domain.retention import HeldRow
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.checkpoint import MemoryCheckpoints
from rightsdesk.engine.correction import Copy, copies
from rightsdesk.engine.runner import Engine
from rightsdesk.masking.base import MaskingKey
from tests.engine import shop

KEY = MaskingKey(b"test-key")


def engine(datamap: DataMap, connectors: dict[str, Connector], **options: object) -> Engine:
    return Engine(
        datamap,
        connectors,
        key=KEY,
        checkpoints=MemoryCheckpoints(),
        today=lambda: shop.TODAY,
        **options,  # type: ignore[arg-type]
    )


def person(n: int) -> Subject:
    return Subject(f"s{n}", (Identity("user_id", str(n)),))


def test_a_field_is_named_by_name_identity_kind_category_or_full_path(datamap: DataMap) -> None:
    both = [Copy("app", "users", "email"), Copy("crm", "crm_contacts", "email")]
    assert copies(datamap, "email") == both
    assert copies(datamap, "user.contact.email") == both
    assert copies(datamap, "crm.crm_contacts.email") == [both[1]]
    assert copies(datamap, "shoe_size") == []


def test_a_correction_reaches_every_copy_in_every_store(
    datamap: DataMap, connectors: dict[str, Connector], shop_url: str
) -> None:
    before = shop.snapshot(shop_url)
    values = {c: "new2@example.com" for c in copies(datamap, "email")}
    result = engine(datamap, connectors).correct(person(2), values)
    after = shop.snapshot(shop_url)
    assert [r[1] for r in after["users"] if r[0] == 2] == ["new2@example.com"]
    assert [r[2] for r in after["crm_contacts"] if r[1] == 2] == ["new2@example.com"]
    assert result.report["app.users"] == {"updated": 1, "fields": ["email"]}
    assert result.report["crm.crm_contacts"] == {"updated": 1, "fields": ["email"]}
    for table in ("users", "crm_contacts", "orders"):  # nobody else's rows moved
        mine = 2 if table != "orders" else None
        assert [r for r in after[table] if mine is None or r[0] != mine] == [
            r for r in before[table] if mine is None or r[0] != mine
        ]


def test_rows_under_a_vault_rule_are_handed_over_before_the_live_copy_goes(
    datamap: DataMap, connectors: dict[str, Connector], shop_url: str
) -> None:
    sealed: list[HeldRow] = []
    result = engine(datamap, connectors, seal=sealed.extend).erase([person(2)])
    # order 200 was paid this year: the law keeps it five years; order 201 is long past that
    assert [(h.subject, h.collection, h.key, h.rule) for h in sealed] == [
        ("s2", "orders", "200", "paid-orders")
    ]
    held = sealed[0]
    assert held.until == date(2031, 3, 1) and set(held.row) == {
        "id",
        "total",
        "status",
        "placed_at",
    }
    assert "user_id" not in held.row  # only the fields the rule keeps
    orders = result.report[0]["app.orders"]
    assert orders["deleted"] == 2 and orders["retained"][0]["sealed"] is True
    assert [r for r in shop.snapshot(shop_url)["orders"] if r[0] // 100 == 2] == []


def test_when_sealing_fails_no_store_is_touched(
    datamap: DataMap, connectors: dict[str, Connector], shop_url: str
) -> None:
    before = shop.snapshot(shop_url)

    def broken(rows: Sequence[HeldRow]) -> None:
        raise RuntimeError("vault unavailable")

    with pytest.raises(RuntimeError, match="vault unavailable"):
        engine(datamap, connectors, seal=broken).erase([person(2)])
    assert shop.snapshot(shop_url) == before


def test_without_a_vault_the_rows_are_kept_in_place(
    datamap: DataMap, connectors: dict[str, Connector], shop_url: str
) -> None:
    result = engine(datamap, connectors).erase([person(2)])
    assert result.report[0]["app.orders"]["retained"][0]["sealed"] is False
    assert [r[0] for r in shop.snapshot(shop_url)["orders"] if r[0] // 100 == 2] == [200]


def test_a_scoped_erasure_changes_only_the_collections_named(
    datamap: DataMap, connectors: dict[str, Connector], shop_url: str
) -> None:
    before = shop.snapshot(shop_url)
    engine(datamap, connectors).erase([person(2)], scope=frozenset({"crm.crm_contacts"}))
    after = shop.snapshot(shop_url)
    assert after["users"] == before["users"] and after["orders"] == before["orders"]
    assert [r for r in after["crm_contacts"] if r[1] == 2] != [
        r for r in before["crm_contacts"] if r[1] == 2
    ]


EXPIRY = """
systems:
  - name: logs
    url: {url}
    collections:
      - name: sign_ins
        erase: delete_row
        keep_for: {{period: 1y, from: at}}
        fields:
          - {{name: id, primary_key: true}}
          - {{name: user_id, identity: user_id}}
          - {{name: at}}
"""


def test_rows_past_their_keep_for_period_are_deleted_without_a_request(db_url: str) -> None:
    table = sa.Table(
        "sign_ins",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer),
        sa.Column("at", sa.DateTime),
    )
    created = sa.create_engine(db_url)
    try:
        table.metadata.create_all(created)
        with created.begin() as conn:
            conn.execute(
                table.insert(),
                [
                    {"id": 1, "user_id": 1, "at": datetime(2026, 11, 1, 8, 0)},
                    {"id": 2, "user_id": 1, "at": datetime(2025, 11, 28, 23, 59)},
                    {"id": 3, "user_id": 2, "at": datetime(2025, 11, 29, 0, 0)},
                    {"id": 4, "user_id": 2, "at": datetime(2019, 1, 1, 0, 0)},
                ],
            )
        datamap = loads(EXPIRY.format(url=db_url))
        connector = SqlConnector("logs", db_url)
        try:
            done = Engine(datamap, {"logs": connector}, key=KEY, today=lambda: shop.TODAY).expire()
        finally:
            connector.close()
        with created.connect() as conn:
            left = sorted(conn.execute(sa.select(table.c.id)).scalars())
    finally:
        table.metadata.drop_all(created)
        created.dispose()
    assert done == {"logs.sign_ins": 2} and left == [1, 3]


def test_keep_for_and_a_retention_rule_on_one_collection_is_refused(shop_url: str) -> None:
    text = shop.datamap_text(shop_url).replace(
        "      - name: orders\n        erase: delete_row\n",
        "      - name: orders\n        erase: delete_row\n"
        "        keep_for: {period: 10y, from: placed_at}\n",
    )
    with pytest.raises(DataMapError, match="keep_for and a retention rule"):
        loads(text)

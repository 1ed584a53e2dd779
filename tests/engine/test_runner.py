"""The runner end to end on every backend: access, erasure, batches, failures, hostile input."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

from rightsdesk.connectors.base import Change, Connector, Row, Transaction
from rightsdesk.datamap import DataMap
from rightsdesk.domain.errors import ConnectorError, ExecutionError
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.checkpoint import MemoryCheckpoints
from rightsdesk.engine.plan import Step
from rightsdesk.engine.runner import Engine
from rightsdesk.engine.traversal import Owners
from rightsdesk.masking.base import MaskingKey
from tests.engine import shop

KEY = MaskingKey(b"test-key")


class Rows:
    """A RowSink that keeps rows per subject and collection."""

    def __init__(self) -> None:
        self.by_subject: dict[int, dict[str, list[Row]]] = {}

    def rows(self, step: Step, rows: Sequence[Row], owners: Sequence[Owners]) -> None:
        for row, mine in zip(rows, owners, strict=True):
            for subject in mine:
                self.by_subject.setdefault(subject, {}).setdefault(step.name, []).append(row)


def engine(
    datamap: DataMap, connectors: dict[str, Connector], checkpoints: MemoryCheckpoints | None = None
) -> Engine:
    return Engine(datamap, connectors, key=KEY, checkpoints=checkpoints, today=lambda: shop.TODAY)


def subject(**identities: str) -> Subject:
    items = tuple(Identity(k, v) for k, v in identities.items())
    return Subject(items[0].value, items)


def test_access_finds_everything_across_systems(
    datamap: DataMap, connectors: dict[str, Connector]
) -> None:
    sink = Rows()
    engine(datamap, connectors).access([subject(email="user2@example.com")], sink)
    found = {name: sorted(r[0] for r in rows) for name, rows in sink.by_subject[0].items()}
    assert found == {
        "app.users": [2],
        "app.orders": [200, 201],
        "app.order_notes": [200, 201],
        "crm.crm_contacts": [2],
    }


@pytest.mark.parametrize("value", ["nobody@example.com", "x' OR '1'='1", "1; DROP TABLE users;--"])
def test_unknown_or_hostile_identity_finds_nothing_and_changes_nothing(
    datamap: DataMap, connectors: dict[str, Connector], shop_url: str, value: str
) -> None:
    before = shop.snapshot(shop_url)
    result = engine(datamap, connectors).erase([subject(email=value, user_id=value)])
    assert all(o["found"] == 0 for o in result.report[0].values())
    assert shop.snapshot(shop_url) == before


def test_erasure_deletes_masks_and_keeps_what_the_law_requires(
    datamap: DataMap, connectors: dict[str, Connector], shop_url: str
) -> None:
    before = shop.snapshot(shop_url)
    result = engine(datamap, connectors).erase([subject(phone="+8613800000002")])
    after = shop.snapshot(shop_url)
    assert [r[0] for r in after["users"]] == [1, 3]
    # the recent paid order is kept, detached from the person; the old one is gone
    assert [r for r in after["orders"] if r[0] // 100 == 2] == [
        (200, None, *before["orders"][2][2:])
    ]
    assert [r[0] for r in after["order_notes"]] == [100, 101, 300, 301]
    contact = after["crm_contacts"][1]
    assert (
        contact[2] != "user2@example.com"
        and len(contact[2]) == len("user2@example.com")
        and "@" in contact[2]
    )
    assert contact[3] == "203.0.113.0"
    # other people's rows are untouched
    for table in ("users", "crm_contacts"):
        assert [r for r in after[table] if r[0] != 2] == [r for r in before[table] if r[0] != 2]
    orders = result.report[0]["app.orders"]
    assert (orders["found"], orders["deleted"], orders["masked"]) == (2, 1, 1)
    assert orders["retained"] == [
        {
            "rule": "paid-orders",
            "basis": "Commercial law keeps paid orders five years",
            "until": "2031-03-01",
            "rows": 1,
            "kept_fields": ["id", "total", "status", "placed_at"],
            "sealed": False,
        }
    ]


def test_dry_run_changes_nothing(
    datamap: DataMap, connectors: dict[str, Connector], shop_url: str
) -> None:
    before = shop.snapshot(shop_url)
    result = engine(datamap, connectors).erase([subject(email="user1@example.com")], dry_run=True)
    assert result.dry_run and any("DELETE FROM users" in s for s in result.statements)
    assert shop.snapshot(shop_url) == before


def test_batch_is_set_based_and_partitioned(
    datamap: DataMap, connectors: dict[str, Connector], shop_url: str
) -> None:
    people = [subject(email=f"user{n}@example.com") for n in (1, 2, 3)]
    result = engine(datamap, connectors).erase(people)
    assert [r["app.users"]["deleted"] for r in result.report] == [1, 1, 1]
    assert [r["app.orders"]["found"] for r in result.report] == [2, 2, 2]
    # one statement per kind of change and collection, not one per person
    assert len(result.statements) <= 7
    assert shop.snapshot(shop_url)["users"] == []


class Failing:
    """A connector whose transactions fail on apply, to inject a failure half-way."""

    def __init__(self, inner: Connector) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def begin(self) -> Transaction:
        real = self.inner.begin()

        class Broken:
            def apply(self, changes: Sequence[Change]) -> list[int]:
                real.apply(changes[:1])
                raise ConnectorError("crm", "injected failure")

            def commit(self) -> None:
                real.commit()

            def rollback(self) -> None:
                real.rollback()

        return Broken()


def test_failure_half_way_rolls_every_system_back_and_resumes(
    datamap: DataMap, connectors: dict[str, Connector], shop_url: str
) -> None:
    before = shop.snapshot(shop_url)
    checkpoints = MemoryCheckpoints()
    broken = {**connectors, "crm": Failing(connectors["crm"])}
    with pytest.raises(ExecutionError, match="rolled back, run again to resume"):
        engine(datamap, broken, checkpoints).erase([subject(email="user3@example.com")])  # type: ignore[arg-type]
    assert shop.snapshot(shop_url) == before
    result = engine(datamap, connectors, checkpoints).erase([subject(email="user3@example.com")])
    assert result.resumed
    after = shop.snapshot(shop_url)
    assert [r[0] for r in after["users"]] == [1, 2]
    assert after["crm_contacts"][2][2] != "user3@example.com"
    # a second run is harmless: nothing left to find
    again = engine(datamap, connectors, checkpoints).erase([subject(email="user3@example.com")])
    assert not again.resumed and again.report[0]["app.users"]["found"] == 0

"""Property: erasing one person never changes a row that belongs only to other people."""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, insert

from rightsdesk.connectors.sql import SqlConnector
from rightsdesk.datamap import loads
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.runner import Engine
from rightsdesk.masking.base import MaskingKey
from tests.engine import shop

people = st.integers(min_value=2, max_value=5)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[int, list[int], list[int | None], list[str]]:
    count = draw(people)
    owners = st.integers(min_value=1, max_value=count)
    order_owner = draw(st.lists(owners, max_size=8))
    contact_owner = draw(st.lists(st.one_of(st.none(), owners), max_size=6))
    statuses = draw(
        st.lists(
            st.sampled_from(["paid", "cancelled"]),
            min_size=len(order_owner),
            max_size=len(order_owner),
        )
    )
    return count, order_owner, contact_owner, statuses


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(), victim=st.integers(min_value=1, max_value=2), by_phone=st.booleans())
def test_erasing_one_person_leaves_everyone_else_alone(
    world: tuple[int, list[int], list[int | None], list[str]], victim: int, by_phone: bool
) -> None:
    count, order_owner, contact_owner, statuses = world
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'shop.db'}"
        _populate(url, count, order_owner, contact_owner, statuses)
        before = shop.snapshot(url)
        datamap = loads(shop.datamap_text(url))
        connectors = {s.name: SqlConnector(s.name, s.url) for s in datamap.systems}
        try:
            identity = (
                Identity("phone", f"+86138{victim:08d}")
                if by_phone
                else Identity("email", f"user{victim}@example.com")
            )
            Engine(datamap, connectors, key=MaskingKey(b"k"), today=lambda: shop.TODAY).erase(
                [Subject("victim", (identity,))]
            )
        finally:
            for connector in connectors.values():
                connector.close()
        after = shop.snapshot(url)
    orders_of_victim = {o for o, owner in enumerate(order_owner, 1) if owner == victim}
    others = {
        "users": lambda r: r[0] != victim,
        "orders": lambda r: r[0] not in orders_of_victim,
        "order_notes": lambda r: r[1] not in orders_of_victim,
        "crm_contacts": lambda r: r[1] != victim,
    }
    for table, belongs_to_others in others.items():
        kept = [r for r in before[table] if belongs_to_others(r)]
        assert [r for r in after[table] if belongs_to_others(r)] == kept, table
    assert victim not in [r[0] for r in after["users"]]


def _populate(
    url: str,
    count: int,
    order_owner: list[int],
    contact_owner: list[int | None],
    statuses: list[str],
) -> None:
    for target in {url, shop.crm_url(url)}:
        engine = create_engine(target)
        shop.metadata.create_all(engine)
        engine.dispose()
    engine = create_engine(url)
    crm = create_engine(shop.crm_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(insert(shop.users), [shop.person(n) for n in range(1, count + 1)])
            if order_owner:
                conn.execute(
                    insert(shop.orders),
                    [
                        {
                            "id": i,
                            "user_id": owner,
                            "total": Decimal("1.00"),
                            "status": status,
                            "placed_at": date(2026, 1, 1),
                        }
                        for i, (owner, status) in enumerate(
                            zip(order_owner, statuses, strict=True), 1
                        )
                    ],
                )
                conn.execute(
                    insert(shop.order_notes),
                    [{"id": i, "order_id": i, "body": "n"} for i in range(1, len(order_owner) + 1)],
                )
        if contact_owner:
            with crm.begin() as conn:
                conn.execute(
                    insert(shop.crm_contacts),
                    [
                        {
                            "id": i,
                            "user_ref": owner,
                            "email": f"c{i}@example.com",
                            "ip": "198.51.100.7",
                        }
                        for i, owner in enumerate(contact_owner, 1)
                    ],
                )
    finally:
        engine.dispose()
        crm.dispose()

"""A small two-system shop used by the engine tests: factories for schema, data and data map."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    insert,
    select,
)

metadata = MetaData()
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(100), unique=True),
    Column("phone", String(30), index=True),
    Column("name", String(100)),
    Column("created_at", Date),
)
orders = Table(
    "orders",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), index=True, nullable=True),
    Column("total", Numeric(10, 2)),
    Column("status", String(20)),
    Column("placed_at", Date),
)
order_notes = Table(
    "order_notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("order_id", Integer, ForeignKey("orders.id"), index=True),
    Column("body", String(200)),
)
crm_contacts = Table(
    "crm_contacts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_ref", Integer, index=True),
    Column("email", String(100)),
    Column("ip", String(45)),
)

DATAMAP = """
systems:
  - name: app
    url: {url}
    collections:
      - name: users
        erase: delete_row
        fields:
          - {{name: id, primary_key: true, identity: user_id}}
          - {{name: email, identity: email, categories: user.contact.email}}
          - {{name: phone, identity: phone, categories: user.contact.phone_number}}
          - {{name: name, categories: user.name}}
          - {{name: created_at, categories: system.operations}}
      - name: orders
        erase: delete_row
        fields:
          - {{name: id, primary_key: true}}
          - {{name: user_id, references: users.id, erase: set_null}}
          - {{name: total, categories: user.financial.transaction}}
          - {{name: status}}
          - {{name: placed_at}}
      - name: order_notes
        erase: delete_row
        fields:
          - {{name: id, primary_key: true}}
          - {{name: order_id, references: orders.id}}
          - {{name: body, categories: user.content}}
  - name: crm
    url: {crm_url}
    collections:
      - name: crm_contacts
        fields:
          - {{name: id, primary_key: true}}
          - {{name: user_ref, identity: user_id}}
          - {{name: email, erase: pseudonym, categories: user.contact.email}}
          - {{name: ip, erase: {{generalize: network}}, categories: user.device.ip_address}}
retention:
  - name: paid-orders
    collection: app.orders
    basis: Commercial law keeps paid orders five years
    period: 5y
    from: placed_at
    where: {{status: paid}}
    fields: [id, total, status, placed_at]
"""

TODAY = date(2026, 11, 29)


def crm_url(url: str) -> str:
    """SQLite allows one writer per file, so the CRM system gets a file of its own there."""
    return url.replace(".db", "-crm.db") if url.startswith("sqlite:///") else url


def datamap_text(url: str) -> str:
    return DATAMAP.format(url=url, crm_url=crm_url(url))


def create(url: str, people: int = 3, orders_each: int = 2) -> None:
    """Schema plus ``people`` users (ids 1..n), each with orders, notes and a CRM contact."""
    for target in {url, crm_url(url)}:
        _create_tables(target)
    engine = create_engine(url)
    crm = create_engine(crm_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(insert(users), [person(n) for n in range(1, people + 1)])
            rows = [order(n, k) for n in range(1, people + 1) for k in range(orders_each)]
            conn.execute(insert(orders), rows)
            conn.execute(
                insert(order_notes),
                [{"id": r["id"], "order_id": r["id"], "body": f"note {r['id']}"} for r in rows],
            )
        with crm.begin() as conn:
            conn.execute(
                insert(crm_contacts),
                [
                    {
                        "id": n,
                        "user_ref": n,
                        "email": f"user{n}@example.com",
                        "ip": f"203.0.113.{n % 250}",
                    }
                    for n in range(1, people + 1)
                ],
            )
    finally:
        engine.dispose()
        crm.dispose()


def _create_tables(url: str) -> None:
    engine = create_engine(url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()


def person(n: int) -> dict[str, Any]:
    return {
        "id": n,
        "email": f"user{n}@example.com",
        "phone": f"+86138{n:08d}",
        "name": f"User {n}",
        "created_at": date(2020, 1, 1),
    }


def order(n: int, k: int) -> dict[str, Any]:
    """Order 0 is paid this year (held 5 years), order 1 paid long ago, order 2+ cancelled."""
    placed = date(2026, 3, 1) if k == 0 else date(2015, 3, 1)
    status = "paid" if k < 2 else "cancelled"
    return {
        "id": n * 100 + k,
        "user_id": n,
        "total": Decimal("9.90"),
        "status": status,
        "placed_at": placed,
    }


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    for table in metadata.sorted_tables:
        engine = create_engine(crm_url(url) if table is crm_contacts else url)
        try:
            with engine.connect() as conn:
                found[table.name] = [
                    tuple(r) for r in conn.execute(select(table).order_by(table.c.id))
                ]
        finally:
            engine.dispose()
    return found

"""The demo cloud platform: schema of its two systems and a fast, deterministic data generator.

``platform`` holds accounts and everything hanging off them (foreign keys to ``accounts.id``);
``billing`` is a separate database keyed by ``user_id`` with no foreign key into ``platform``,
the way billing usually lives in its own service.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    create_engine,
)

from rightsdesk.demo.loading import bulk_writer
from rightsdesk.demo.people import Population
from rightsdesk.demo.vocabulary import SERVICES

DATAMAP = Path(__file__).with_name("datamap.yml")
CHUNK = 2_000  # subjects per generated batch (about 40,000 rows); part of the seed's meaning
HEAVY_CHUNK = 50_000  # extra login events per batch

#: Deterministic constraint names, so a bulk load can drop and re-add them by name.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_name)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
PLATFORM = MetaData(naming_convention=NAMING)
BILLING = MetaData(naming_convention=NAMING)
#: System name (as in the data map) -> its tables.
SCHEMAS: dict[str, MetaData] = {"platform": PLATFORM, "billing": BILLING}

Table(
    "accounts",
    PLATFORM,
    Column("id", Integer, primary_key=True),
    Column("email", String(254), nullable=False, unique=True, index=True),
    Column("phone", String(20), unique=True, index=True),
    Column("display_name", String(64), nullable=False),
    Column("password_hash", String(128)),  # NULL for accounts that log in via a third party
    Column("real_name_verified", Boolean, nullable=False),
    Column("login_provider", String(16)),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False),
)


def _owned(name: str, *columns: Column[Any]) -> Table:
    """A platform table whose rows belong to one account."""
    owner = Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False, index=True)
    return Table(name, PLATFORM, Column("id", Integer, primary_key=True), owner, *columns)


_owned(
    "account_bindings",
    Column("provider", String(16), nullable=False),
    Column("external_uid", String(64), nullable=False),
    Column("bound_at", DateTime, nullable=False),
)
_owned(
    "security_devices",
    Column("kind", String(16), nullable=False),
    Column("label", String(64), nullable=False),
    Column("serial", String(32)),
    Column("added_at", DateTime, nullable=False),
)
_owned(
    "identity_verifications",
    Column("real_name", String(64), nullable=False),
    Column("national_id", String(18), nullable=False),
    Column("status", String(16), nullable=False),
    Column("verified_at", DateTime, nullable=False),
)
_owned(
    "consents",
    Column("purpose", String(40), nullable=False),
    Column("granted_at", DateTime, nullable=False),
    Column("withdrawn_at", DateTime),
)
_owned(
    "login_events",
    Column("ip", String(45)),
    Column("user_agent", String(255)),
    Column("at", DateTime, nullable=False),
)
_owned(
    "support_tickets",
    Column("subject", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
)

Table(
    "services",
    BILLING,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False),
    Column("price", Numeric(12, 4), nullable=False),
)


def _billed(name: str, *columns: Column[Any], user_nullable: bool = True) -> Table:
    """A billing table keyed by ``user_id``; nullable where erasure unlinks kept rows."""
    user = Column("user_id", Integer, nullable=user_nullable, index=True)
    return Table(name, BILLING, Column("id", Integer, primary_key=True), user, *columns)


def _order_id(nullable: bool) -> Column[Any]:
    return Column("order_id", Integer, ForeignKey("orders.id"), nullable=nullable, index=True)


_billed(
    "subscriptions",
    Column("service_id", Integer, ForeignKey("services.id"), nullable=False),
    Column("status", String(16), nullable=False),
    Column("enabled_at", DateTime, nullable=False),
    user_nullable=False,
)
_billed(
    "orders",
    Column("service_id", Integer, nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False),
)
_billed(
    "bills",
    Column("period", String(7), nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("status", String(16), nullable=False),
    Column("due_date", Date, nullable=False),
)
_billed(
    "transactions",
    _order_id(nullable=False),
    Column("amount", Numeric(12, 2), nullable=False),
    Column("method", String(16), nullable=False),
    Column("card_last4", String(4)),
    Column("at", DateTime, nullable=False),
)
_billed(
    "invoices",
    _order_id(nullable=True),
    Column("buyer_name", String(128)),
    Column("buyer_tax_id", String(64)),  # wide enough for a keyed hash after erasure
    Column("amount", Numeric(12, 2), nullable=False),
    Column("status", String(16), nullable=False),
    Column("issued_at", DateTime, nullable=False),
)


def demo_urls(directory: Path) -> dict[str, str]:
    """SQLite URLs of ``platform.db`` and ``billing.db`` in ``directory``."""
    return {name: f"sqlite:///{Path(directory) / f'{name}.db'}" for name in SCHEMAS}


def create_schema(urls: Mapping[str, str]) -> None:
    """Create the missing tables of every system named in ``urls`` (system name -> URL)."""
    for system, url in urls.items():
        engine = create_engine(url)
        try:
            _metadata(system).create_all(engine)
        finally:
            engine.dispose()


def populate(
    urls: Mapping[str, str],
    subjects: int,
    *,
    seed: int = 7,
    heavy_rows: int = 0,
    progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
) -> None:
    """Create the schema and fill it with ``subjects`` people (same seed and day, same rows).

    Subject 1 is the demo subject and also gets ``heavy_rows`` extra login events. The tables
    must be empty. ``progress(done, total)`` counts subjects plus heavy rows, once per batch.
    """
    if subjects < 1 or heavy_rows < 0:
        raise ValueError(f"need subjects >= 1 and heavy_rows >= 0, got {subjects}, {heavy_rows}")
    missing = set(SCHEMAS) - set(urls)
    if missing:
        raise ValueError(f"no URL for system(s): {', '.join(sorted(missing))}")
    create_schema(urls)
    people, total = Population(seed, today or date.today()), subjects + heavy_rows
    with bulk_writer(urls, SCHEMAS) as write:
        write({"services": list(SERVICES)})
        for first in range(1, subjects + 1, CHUNK):
            last = min(first + CHUNK - 1, subjects)
            write(people.chunk(first, last))
            if progress:
                progress(last, total)
        done = subjects
        for rows in people.heavy_logins(heavy_rows, HEAVY_CHUNK):
            write({"login_events": rows})
            done += len(rows)
            if progress:
                progress(done, total)


def _metadata(system: str) -> MetaData:
    if system not in SCHEMAS:
        raise ValueError(f"unknown demo system {system!r}; the demo has {', '.join(SCHEMAS)}")
    return SCHEMAS[system]

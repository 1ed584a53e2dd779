"""What the demo looks up in the platform it built, read through the connectors a run uses.

The demo picks its people and shows what is left of them the way rightsdesk reads any store:
keyed reads and scans of the platform's two systems, never a database opened on the side.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rightsdesk.connectors.base import Connector
from rightsdesk.connectors.registry import open_connector
from rightsdesk.demo.platform import demo_urls

#: The demo's own person, who the second act leaves alone.
DEMO_EMAIL = "li.wei@example.com"
#: Each system's tables holding a person's rows, with the column naming the person.
OWNED = {
    "platform": {
        "accounts": "id",
        "account_bindings": "account_id",
        "security_devices": "account_id",
        "login_events": "account_id",
    },
    "billing": {
        "subscriptions": "user_id",
        "orders": "user_id",
        "transactions": "user_id",
        "bills": "user_id",
        "invoices": "user_id",
    },
}


@contextmanager
def opened(directory: Path) -> Iterator[dict[str, Connector]]:
    """The platform's systems (``platform``, ``billing``) in ``directory``, closed afterwards."""
    connectors: dict[str, Connector] = {}
    try:
        for system, url in demo_urls(directory).items():
            connectors[system] = open_connector(system, "sql", url)
        yield connectors
    finally:
        for connector in connectors.values():
            connector.close()


def _all(connector: Connector, table: str, columns: list[str]) -> list[tuple[Any, ...]]:
    return [row for batch in connector.scan(table, columns) for row in batch]


def _read(
    connector: Connector, table: str, key: str, values: list[Any], columns: list[str]
) -> list[tuple[Any, ...]]:
    return [row for batch in connector.read(table, key, values, columns) for row in batch]


def someone_to_delete(directory: Path) -> str:
    """The e-mail of the first person with one, other than the demo's own."""
    with opened(directory) as systems:
        rows = _all(systems["platform"], "accounts", ["id", "email"])
    return str(min((i, e) for i, e in rows if e is not None and e != DEMO_EMAIL)[1])


def someone_to_cancel(directory: Path) -> tuple[str, int, str]:
    """A person with bindings, no unpaid bill and a password of their own (not federated):
    (e-mail, account id, phone)."""
    with opened(directory) as systems:
        platform, billing = systems["platform"], systems["billing"]
        columns = ["id", "email", "phone", "login_provider"]
        accounts = sorted(
            (i, e, p)
            for i, e, p, provider in _all(platform, "accounts", columns)
            if provider is None and p is not None and i > 2
        )
        ids = [i for i, _, _ in accounts]
        bound = {
            r[0] for r in _read(platform, "account_bindings", "account_id", ids, ["account_id"])
        }
        bills = _read(billing, "bills", "user_id", ids, ["user_id", "status"])
    unpaid = {user for user, status in bills if status == "unpaid"}
    for account_id, mail, phone in accounts:
        if account_id in bound and account_id not in unpaid:
            return str(mail), int(account_id), str(phone)
    raise RuntimeError("the demo platform has nobody to cancel; build it with more people")


def phone(directory: Path, user_id: int) -> str:
    with opened(directory) as systems:
        rows = _read(systems["platform"], "accounts", "id", [user_id], ["phone"])
    return str(rows[0][0])


def live_rows(directory: Path, user_id: int) -> int:
    """How many rows of ``user_id`` are left in the tables the cancellation erases."""
    left = 0
    with opened(directory) as systems:
        for system, tables in OWNED.items():
            for table, owner in tables.items():
                left += len(_read(systems[system], table, owner, [user_id], [owner]))
    return left

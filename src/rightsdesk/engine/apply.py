"""The first phase of applying an erasure or correction: every system's changes in an open
transaction, systems on different stores at the same time.

Systems are grouped into lanes by their store (the connector's single writer, else the data
map's ``url``): one thread per lane, the systems of a lane one after another. A store with a
single writer (a SQLite file) takes one transaction at a time, so the systems of a lane that
share one apply their changes in one transaction, begun on the first of them: two would wait on
each other until the run gave up. The caller commits the transactions only when every lane has
applied its changes; systems sharing a transaction map to the same object, committed once.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from rightsdesk.connectors.base import Change, Connector, Transaction


def stores(connectors: Mapping[str, Connector], urls: Mapping[str, str]) -> dict[str, str]:
    """Each system's store: its connector's single writer, else its data map ``url``."""
    found = {}
    for system, connector in connectors.items():
        writer = connector.writer()
        found[system] = f"writer:{writer}" if writer else f"url:{urls.get(system, system)}"
    return found


def lanes(systems: Sequence[str], stores: Mapping[str, str]) -> list[list[str]]:
    """``systems`` grouped by store, in their order; a system of unknown store is its own."""
    grouped: dict[str, list[str]] = {}
    for system in systems:
        grouped.setdefault(stores.get(system, f"system:{system}"), []).append(system)
    return list(grouped.values())


def open_all(
    connectors: Mapping[str, Connector],
    lanes_: Sequence[Sequence[str]],
    changes: Mapping[str, Sequence[Change]],
) -> tuple[dict[str, Transaction], dict[str, list[int]]]:
    """(open transactions, rows affected per change) per system; on any error every
    transaction opened is rolled back and the first error raised."""
    opened: dict[str, Transaction] = {}
    affected: dict[str, list[int]] = {}

    def run(lane: Sequence[str]) -> None:
        shared: dict[str, Transaction] = {}  # writer -> the lane's one transaction on it
        for system in lane:
            connector = connectors[system]
            writer = connector.writer()
            transaction = shared.get(writer) if writer else None
            if transaction is None:
                transaction = connector.begin()
                if writer:
                    shared[writer] = transaction
            opened[system] = transaction
            affected[system] = transaction.apply(changes[system])

    failures: list[BaseException] = []

    def lane(systems: Sequence[str]) -> None:
        try:
            run(systems)
        except BaseException as exc:  # noqa: BLE001 - raised again on the caller's thread below
            failures.append(exc)

    threads = [
        threading.Thread(target=lane, args=(systems,), name=f"rightsdesk-apply-{n}")
        for n, systems in enumerate(lanes_[1:], 1)
    ]
    for thread in threads:
        thread.start()
    if lanes_:
        lane(lanes_[0])  # the first lane on the caller's own thread
    for thread in threads:
        thread.join()
    if failures:
        for transaction in opened.values():
            transaction.rollback()
        raise failures[0]
    return opened, affected

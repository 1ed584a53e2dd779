"""The first phase of applying an erasure or correction: every system's changes in an open
transaction, systems on different stores at the same time.

Systems are grouped into lanes by their store (the data map's ``url``): one thread per lane,
the systems of a lane one after another, because two transactions on one store (one SQLite
file above all, which allows one writer) would wait on each other until the run gave up. The
caller commits the transactions only when every lane has applied its changes.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from rightsdesk.connectors.base import Change, Connector, Transaction


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
        for system in lane:
            opened[system] = connectors[system].begin()
            affected[system] = opened[system].apply(changes[system])

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

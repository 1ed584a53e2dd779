"""Applying a run's changes: systems on different stores at once, all rolled back on any error."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from rightsdesk.connectors.base import Change, DeleteWhere, Transaction
from rightsdesk.connectors.sql import SqlConnector
from rightsdesk.domain.errors import ConnectorError
from rightsdesk.engine import apply


class Recording:
    """A real SQL connector that notes which thread begins its transaction, and waits there
    for every other lane to begin too (so lanes applied one after another would time out)."""

    def __init__(self, inner: SqlConnector, threads: dict[str, str], met: threading.Barrier):
        self.inner, self.threads, self.met = inner, threads, met

    def begin(self) -> Transaction:
        self.threads[self.inner.name] = threading.current_thread().name
        self.met.wait()
        return self.inner.begin()

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def _store(path: Path, table: str = "users") -> str:
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, email TEXT)")
        conn.execute(f"INSERT INTO {table} VALUES (1, 'a@example.com'), (2, 'b@example.com')")
    return f"sqlite:///{path}"


def _rows(url: str, table: str = "users") -> int:
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture
def stores(tmp_path: Path) -> dict[str, str]:
    return {"a": _store(tmp_path / "a.db"), "b": _store(tmp_path / "b.db")}


@pytest.fixture
def opened(stores: dict[str, str]) -> Iterator[dict[str, SqlConnector]]:
    connectors = {name: SqlConnector(name, url) for name, url in stores.items()}
    yield connectors
    for connector in connectors.values():
        connector.close()


DELETE_A: Sequence[Change] = [DeleteWhere("users", "email", ["a@example.com"])]


@pytest.mark.parametrize(
    ("systems", "stores", "expected"),
    [
        (["a", "b"], {"a": "x", "b": "y"}, [["a"], ["b"]]),
        (["a", "b", "c"], {"a": "x", "b": "y", "c": "x"}, [["a", "c"], ["b"]]),
        (["a", "b"], {}, [["a"], ["b"]]),
        ([], {}, []),
    ],
)
def test_lanes_group_systems_by_store(
    systems: list[str], stores: dict[str, str], expected: list[list[str]]
) -> None:
    assert apply.lanes(systems, stores) == expected


def test_systems_on_different_stores_apply_on_their_own_threads(
    stores: dict[str, str], opened: dict[str, SqlConnector]
) -> None:
    threads: dict[str, str] = {}
    met = threading.Barrier(2, timeout=10)
    connectors: dict[str, Any] = {n: Recording(c, threads, met) for n, c in opened.items()}
    transactions, affected = apply.open_all(
        connectors, apply.lanes(["a", "b"], stores), {"a": DELETE_A, "b": DELETE_A}
    )
    assert affected == {"a": [1], "b": [1]}
    assert threads["a"] != threads["b"]  # and both were inside begin() at once (the barrier)
    for transaction in transactions.values():
        transaction.commit()
    assert (_rows(stores["a"]), _rows(stores["b"])) == (1, 1)


def test_an_error_in_one_lane_rolls_every_lane_back(
    stores: dict[str, str], opened: dict[str, SqlConnector]
) -> None:
    broken: Sequence[Change] = [DeleteWhere("no_such_table", "email", ["a@example.com"])]
    with pytest.raises(ConnectorError, match="no_such_table"):
        apply.open_all(opened, apply.lanes(["a", "b"], stores), {"a": DELETE_A, "b": broken})
    assert (_rows(stores["a"]), _rows(stores["b"])) == (2, 2)


def test_systems_sharing_one_sqlite_file_apply_in_one_transaction(tmp_path: Path) -> None:
    url = _store(tmp_path / "one.db")
    _store(tmp_path / "one.db", table="orders")
    spelled = f"sqlite:///{os.path.relpath(tmp_path / 'one.db')}"  # another URL, the same file
    connectors = {"a": SqlConnector("a", url), "b": SqlConnector("b", spelled)}
    changes = {"a": DELETE_A, "b": [DeleteWhere("orders", "email", ["b@example.com"])]}
    try:
        lanes = apply.lanes(["a", "b"], apply.stores(connectors, {"a": url, "b": spelled}))
        assert lanes == [["a", "b"]]
        transactions, affected = apply.open_all(connectors, lanes, changes)
        assert affected == {"a": [1], "b": [1]}
        assert transactions["a"] is transactions["b"]  # one writer: one transaction
        transactions["a"].commit()
    finally:
        for connector in connectors.values():
            connector.close()
    assert (_rows(url), _rows(url, "orders")) == (1, 1)


def test_only_a_sqlite_file_has_a_single_writer(db_url: str) -> None:
    connectors = {"a": SqlConnector("a", db_url), "b": SqlConnector("b", db_url)}
    try:
        writer = connectors["a"].writer()
        stores = apply.stores(connectors, {"a": db_url, "b": db_url})
    finally:
        for connector in connectors.values():
            connector.close()
    if db_url.startswith("sqlite"):
        assert writer is not None and os.path.isabs(writer)
        assert stores == {"a": f"writer:{writer}", "b": f"writer:{writer}"}
    else:  # a server takes concurrent transactions: the lane is the URL's, one per system
        assert writer is None
        assert stores == {"a": f"url:{db_url}", "b": f"url:{db_url}"}

"""Errors are looked up along their class hierarchy, as starlette's exception handlers do."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import UTC, datetime

import rightsdesk
from rightsdesk.domain import errors as e


def error_classes() -> list[type[e.RightsdeskError]]:
    """Every subclass of the root, once every module of the package is imported."""
    for module in pkgutil.walk_packages(rightsdesk.__path__, "rightsdesk."):
        if ".migrations." not in module.name and module.name != "rightsdesk.__main__":
            importlib.import_module(module.name)
    found: set[type[e.RightsdeskError]] = set()
    todo = [e.RightsdeskError]
    while todo:
        kind = todo.pop()
        found.add(kind)
        todo += kind.__subclasses__()
    return sorted(found, key=lambda k: k.__name__)


def test_the_nearest_class_with_a_row_wins_not_the_order_of_the_rows() -> None:
    table: dict[type[e.RightsdeskError], str] = {
        e.RightsdeskError: "root",
        e.ConflictError: "conflict",
        e.VaultError: "vault",
        e.KeyDestroyedError: "destroyed",
    }
    destroyed = e.KeyDestroyedError("s", datetime(2026, 1, 1, tzinfo=UTC))
    assert e.nearest(table, destroyed) == "destroyed"
    del table[e.KeyDestroyedError]
    assert e.nearest(table, destroyed) == "vault"  # first base in the MRO
    assert e.nearest(table, e.TamperedError("x")) == "vault"
    assert e.nearest(table, e.LockedOutError("x")) == "root"
    assert e.nearest({}, e.LockedOutError("x")) is None

"""Fides references, resolved once every collection of a dataset file has been converted.

A Fides field names the field it points at as ``{dataset, field: collection.field}``; here that
becomes a rightsdesk ``references:`` entry (``system.collection.field`` across systems), and a
``delete_row`` that would leave a same-system child pointing at deleted rows is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Path = tuple[str | int, ...]
Node = dict[str, Any]
#: Converted collections by (Fides dataset, collection name): (system, collection, path).
Known = dict[tuple[str, str], tuple[str, Node, Path]]
#: Records a warning or an error at a path of the source file: (path, where, message).
Report = Callable[[Path, str, str], None]


@dataclass
class Pending:
    """A Fides field's references, resolved once every collection in the file is known."""

    system: str
    collection: Node
    field: Node
    refs: list[Any]
    path: Path


def resolve(item: Pending, known: Known, warn: Report, error: Report) -> None:
    """Add the field's resolvable references; warn about (or reject) the others."""
    where = f"{item.system}.{item.collection['name']}.{item.field['name']}"
    for i, ref in enumerate(item.refs):
        path = (*item.path, i)
        dataset, target = (
            (ref.get("dataset"), ref.get("field")) if isinstance(ref, dict) else (None, None)
        )
        if not isinstance(dataset, str) or not isinstance(target, str):
            error(path, where, "a reference needs a dataset and a field")
            continue
        parts = target.split(".")
        found = known.get((dataset, parts[0]))
        if len(parts) != 2:
            warn(
                path,
                where,
                f"reference to {dataset}.{target} dropped: nested fields are not mapped",
            )
        elif found is None or not any(f["name"] == parts[1] for f in found[1]["fields"]):
            warn(
                path,
                where,
                f"reference to {dataset}.{target} dropped: not among the converted fields",
            )
        else:
            system = found[0]
            dotted = target if system == item.system else f"{system}.{target}"
            direction = ref.get("direction")
            if direction not in (None, "from", "to"):
                warn(path, where, f"unknown direction {direction!r}; walked both ways")
                direction = None
            entry = dotted if direction is None else {"field": dotted, "direction": direction}
            item.field.setdefault("references", []).append(entry)


def keep_deletes_safe(known: Known, warn: Report) -> None:
    """Drop delete_row where a same-system child would keep rows pointing at deleted ones."""
    changed = True
    while changed:
        changed = False
        for system, collection, path in known.values():
            unsafe = _unsafe_children(known, system, collection["name"])
            if collection.get("erase") == "delete_row" and unsafe:
                del collection["erase"]
                message = f"delete_row dropped: {unsafe[0]} points at its rows and is not erased"
                warn(path, f"{system}.{collection['name']}", message)
                changed = True


def _unsafe_children(known: Known, system: str, parent: str) -> list[str]:
    """``collection.field`` of this system that references ``parent`` and keeps its rows."""
    found = []
    for other, collection, _ in known.values():
        if other != system or collection.get("erase") == "delete_row":
            continue
        for fld in collection["fields"]:
            targets = [r if isinstance(r, str) else r["field"] for r in fld.get("references", [])]
            local = [t.removeprefix(f"{system}.") for t in targets]
            if "erase" not in fld and any(t.split(".")[0] == parent for t in local):
                found.append(f"{collection['name']}.{fld['name']}")
    return found

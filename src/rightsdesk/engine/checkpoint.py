"""Where a run keeps its progress, so a failed run resumes instead of starting over.

The state is plain JSON in named parts: ``meta`` (a ``RunMeta``), ``changes``, ``report`` and,
for an erasure, ``closure``. While a run is applying, it holds the computed changes (which carry
key values of the people concerned); they are dropped when the run is done.

The resume protocol, written once in ``resume``: a run found ``applying`` goes on with the saved
changes in the systems not yet ``committed`` (re-applying a change is harmless); a run found
``done``, or not found, starts afresh (the same command run again later is a new run).
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, NotRequired, Protocol, TypedDict, cast
from uuid import UUID

from rightsdesk.connectors.base import Change, DeleteOlder, DeleteWhere, UpdateRows, UpdateWhere


class CheckpointStore(Protocol):
    """A run's state as named parts, so a small progress mark never rewrites the large parts."""

    def load(self, run_id: str) -> Parts | None:
        """Every part saved for ``run_id``, or None when the run is unknown."""

    def save(self, run_id: str, parts: Parts, *, durable: bool = True) -> None:
        """Store (replace) the given parts; parts not named keep their saved value.

        ``durable`` parts must survive a crash of the machine; others may be lost with it.
        """


class Parts(TypedDict, total=False):
    """A run's state as stored, part by part (``save`` is given any of them)."""

    meta: MetaJSON
    changes: EncodedChanges
    report: Any  # JSON: per subject (erasure) or per collection (correction)
    closure: list[Any]  # erasure only: the closure records of the walk


class MetaJSON(TypedDict):
    """The ``meta`` part as stored (``RunMeta``)."""

    run_id: str
    action: str
    phase: str
    started_at: str
    subjects: int
    committed: list[str]
    finished_at: NotRequired[str]


class Phase(StrEnum):
    """Where a run stands in its checkpoint."""

    APPLYING = "applying"  # changes computed and saved; systems commit one after another
    DONE = "done"  # every system committed; the changes were dropped


@dataclass(frozen=True)
class RunMeta:
    """The ``meta`` part of a checkpoint: which run, how far it got."""

    run_id: str
    action: str
    started_at: str
    subjects: int
    phase: Phase = Phase.APPLYING
    committed: tuple[str, ...] = ()  # systems whose transaction committed, in order
    finished_at: str | None = None

    def committing(self, system: str) -> RunMeta:
        return replace(self, committed=(*self.committed, system))

    def done(self, at: str) -> RunMeta:
        return replace(self, phase=Phase.DONE, finished_at=at)

    def to_json(self) -> MetaJSON:
        data = MetaJSON(
            run_id=self.run_id,
            action=self.action,
            phase=self.phase.value,
            started_at=self.started_at,
            subjects=self.subjects,
            committed=list(self.committed),
        )
        if self.finished_at is not None:
            data["finished_at"] = self.finished_at
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunMeta:
        return cls(
            run_id=data["run_id"],
            action=data["action"],
            started_at=data["started_at"],
            subjects=data["subjects"],
            phase=Phase(data["phase"]),
            committed=tuple(data.get("committed", ())),
            finished_at=data.get("finished_at"),
        )


@dataclass(frozen=True)
class RunCheckpoint:
    """A run's saved state: its meta, its changes (encoded as stored), its report, its closure."""

    meta: RunMeta
    changes: EncodedChanges
    report: Any  # JSON: per subject (erasure) or per collection (correction)
    closure: list[Any] | None = None  # erasure only: the closure records of the walk

    def decoded(self) -> dict[str, list[Change]]:
        return decode_changes(self.changes)

    def to_parts(self) -> Parts:
        parts = Parts(meta=self.meta.to_json(), changes=self.changes, report=self.report)
        if self.closure is not None:
            parts["closure"] = self.closure
        return parts

    @classmethod
    def from_parts(cls, parts: Parts) -> RunCheckpoint:
        meta = RunMeta.from_json(parts["meta"])
        return cls(meta, parts["changes"], parts["report"], parts.get("closure"))


def resume(store: CheckpointStore | None, run_id: str) -> RunCheckpoint | None:
    """The checkpoint to go on from: a run stopped while applying; None: start afresh."""
    parts = store.load(run_id) if store is not None else None
    if parts is None or Phase(parts["meta"]["phase"]) is not Phase.APPLYING:
        return None
    return RunCheckpoint.from_parts(parts)


class EncodedChange(TypedDict):
    """A ``Change`` as JSON: its ``op`` and what that operation needs, values tagged."""

    op: str  # delete_older | update_where | update_rows | delete_where
    collection: str
    key: Any  # a column, or a list of columns for a composite key
    keys: NotRequired[list[Any]]
    values: NotRequired[dict[str, Any]]
    columns: NotRequired[list[str]]
    rows: NotRequired[list[list[Any]]]
    before: NotRequired[str]


#: system -> its changes, as the ``changes`` part stores them.
EncodedChanges = Mapping[str, list[EncodedChange]]


class MemoryCheckpoints:
    def __init__(self) -> None:
        self.states: dict[str, Parts] = {}

    def load(self, run_id: str) -> Parts | None:
        state = self.states.get(run_id)
        return cast(Parts, json.loads(json.dumps(state))) if state is not None else None

    def save(self, run_id: str, parts: Parts, *, durable: bool = True) -> None:
        self.states.setdefault(run_id, Parts()).update(json.loads(json.dumps(parts)))


class FileCheckpoints:
    """One folder per run under ``directory`` and one JSON file per part, each replaced
    atomically and readable by the owner only (so an emptied part leaves no old copy)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def load(self, run_id: str) -> Parts | None:
        folder = self.directory / run_id
        if not folder.is_dir():
            return None
        parts = {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}
        return cast(Parts, parts) or None

    def save(self, run_id: str, parts: Parts, *, durable: bool = True) -> None:
        folder = self.directory / run_id
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        for name, value in parts.items():
            _write_atomically(folder / f"{name}.json", json.dumps(value), durable=durable)


def _write_atomically(path: Path, text: str, *, durable: bool) -> None:
    """Write beside ``path`` under a name of this writer's own, then rename into place: two
    attempts of one run (a stalled worker and the one that took its lease over) once shared
    ``<part>.tmp``, so one renamed the other's file away or a torn mixture into place."""
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp"
    )
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)  # json.dumps uses the C encoder; json.dump does not
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def encode_changes(changes: dict[str, list[Change]]) -> dict[str, list[EncodedChange]]:
    return {system: [_encode_change(c) for c in items] for system, items in changes.items()}


def decode_changes(data: EncodedChanges) -> dict[str, list[Change]]:
    return {system: [_decode_change(c) for c in items] for system, items in data.items()}


def _encode_change(change: Change) -> EncodedChange:
    if isinstance(change, DeleteOlder):
        return {
            "op": "delete_older",
            "collection": change.collection,
            "key": change.column,
            "before": change.before,
        }
    if isinstance(change, UpdateWhere):
        return {
            "op": "update_where",
            "collection": change.collection,
            "key": change.key,
            "keys": [_key(k) for k in change.keys],
            "values": {c: _value(v) for c, v in change.values.items()},
        }
    if isinstance(change, UpdateRows):
        return {
            "op": "update_rows",
            "collection": change.collection,
            "key": change.key,
            "columns": list(change.columns),
            "rows": [[_key(r[0]), *(_value(v) for v in r[1:])] for r in change.rows],
        }
    return {
        "op": "delete_where",
        "collection": change.collection,
        "key": change.key,
        "keys": [_key(k) for k in change.keys],
    }


def _decode_change(data: EncodedChange) -> Change:
    op, collection, key = data["op"], data["collection"], data["key"]
    key = tuple(key) if isinstance(key, list) else key
    if op == "delete_older":
        return DeleteOlder(collection, data["key"], data["before"])
    if op == "update_where":
        values = {c: _unvalue(v) for c, v in data["values"].items()}
        return UpdateWhere(collection, key, [_unkey(key, k) for k in data["keys"]], values)
    if op == "update_rows":
        rows = [(_unkey(key, r[0]), *(_unvalue(v) for v in r[1:])) for r in data["rows"]]
        return UpdateRows(collection, key, tuple(data["columns"]), rows)
    return DeleteWhere(collection, key, [_unkey(key, k) for k in data["keys"]])


def _unkey(key: Any, value: Any) -> Any:
    """A key value as the change holds it: a tuple when the key has several columns."""
    return tuple(_unvalue(v) for v in value) if isinstance(key, tuple) else _unvalue(value)


_TAGS: dict[type, tuple[str, Any]] = {
    datetime: ("datetime", datetime.isoformat),
    date: ("date", date.isoformat),
    Decimal: ("decimal", str),
    UUID: ("uuid", str),
    bytes: ("bytes", lambda b: base64.b64encode(b).decode()),
}
_UNTAGS: dict[str, Callable[[Any], object]] = {
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "decimal": Decimal,
    "uuid": UUID,
    "bytes": base64.b64decode,
}


def _key(value: Any) -> Any:
    return [_value(v) for v in value] if isinstance(value, tuple) else _value(value)


def _value(value: Any) -> Any:
    tag = _TAGS.get(type(value))
    return {"$": tag[0], "v": tag[1](value)} if tag else value


def _unvalue(value: Any) -> Any:
    if isinstance(value, dict) and "$" in value:
        return _UNTAGS[value["$"]](value["v"])
    return value

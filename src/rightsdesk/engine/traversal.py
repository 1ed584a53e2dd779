"""Walk a Plan over live connectors for a batch of subjects, streaming rows to a sink.

A worklist over channels: each step queries its key fields with the values its source channels
carry that it has not queried yet; the rows found feed further channels; repeat until nothing
new arrives (this handles chains, diamonds and cycles). Every value remembers which subjects it
belongs to, so one pass of set-based queries serves the whole batch and rows are partitioned
per subject as they stream by.

Which channels feed which key is the plan's business (``plan.py``): in a map by ownership a
collection is fed only by its identity fields and its owner reference (or its relation sides),
always from owner to owned, so a walk never climbs to a shared parent and back down to other
people's rows. The blast-radius guard (``guard.py``) watches the same stream.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from rightsdesk.connectors.base import Connector, Row
from rightsdesk.domain.subjects import Subject
from rightsdesk.engine.plan import Plan, Step, identity_channel

Owners = frozenset[int]  # indexes of the subjects a value or row belongs to
_NOBODY: Owners = frozenset()


class RowSink(Protocol):
    def rows(self, step: Step, rows: Sequence[Row], owners: Sequence[Owners]) -> None:
        """Receive a batch of rows of ``step`` and, for each, the subjects it belongs to."""


Progress = Callable[[str, int], None]  # (step name, rows found so far in it)


@dataclass
class TraversalStats:
    queries: int = 0  # key-field lookups (each one statement per chunk of values)
    rows: dict[str, int] = field(default_factory=dict)


def canon(value: Any) -> str:
    """Key values are compared as text, so an identity typed as "42" meets an integer 42."""
    return value if isinstance(value, str) else str(value)


class Traversal:
    def __init__(
        self,
        plan: Plan,
        connectors: Mapping[str, Connector],
        sink: RowSink,
        progress: Progress | None = None,
    ) -> None:
        self._plan, self._connectors, self._sink = plan, connectors, sink
        self._progress = progress
        self._values: dict[str, dict[str, Owners]] = {}
        self._queried: dict[tuple[int, str], dict[str, Owners]] = {}
        self._seen: dict[int, dict[Any, Owners]] = {}
        self._dirty = True
        self.stats = TraversalStats()

    def run(self, subjects: Sequence[Subject]) -> TraversalStats:
        for index, subject in enumerate(subjects):
            mine = frozenset((index,))
            for identity in subject.identities:
                self._offer(identity_channel(identity.kind), identity.value, mine)
        while self._dirty:
            self._dirty = False
            for number, step in enumerate(self._plan.steps):
                self._visit(number, step)
        return self.stats

    def _visit(self, number: int, step: Step) -> None:
        found_by_pk = None
        if step.primary_key and any(k.field == step.primary_key for k in step.keys):
            # rows found count as queried by primary key, so walking a reference back to
            # its parent never re-reads a row we already have (one query less per edge)
            found_by_pk = self._queried.setdefault((number, step.primary_key), {})
        seen = self._seen.setdefault(number, {}) if step.needs_dedupe else None
        walk = _Walk(step, found_by_pk, seen)
        connector = self._connectors[step.system]
        for key in step.keys:
            pending = self._pending(number, key.field, key.sources)
            if not pending:
                continue
            at = walk.index[key.field]
            self.stats.queries += 1
            for batch in connector.read(step.collection, key.field, list(pending), step.columns):
                kept, owners = walk.take(batch, at, pending, self._offer)
                if kept:
                    self._emit(step, kept, owners)

    def _emit(self, step: Step, kept: list[Row], owners: list[Owners]) -> None:
        self._sink.rows(step, kept, owners)
        total = self.stats.rows.get(step.name, 0) + len(kept)
        self.stats.rows[step.name] = total
        if self._progress:
            self._progress(step.name, total)

    def _offer(self, channel: str, value: str, owners: Owners) -> None:
        known = self._values.setdefault(channel, {})
        before = known.get(value)
        if before is None:
            known[value] = owners
            self._dirty = True
        elif not owners <= before:
            known[value] = before | owners
            self._dirty = True

    def _pending(self, number: int, field: str, sources: Sequence[str]) -> dict[str, Owners]:
        """Values (with the subjects still owed a query) not yet queried on this key field."""
        done = self._queried.setdefault((number, field), {})
        pending: dict[str, Owners] = {}
        for channel in sources:
            for value, owners in self._values.get(channel, {}).items():
                already = done.get(value, _NOBODY)
                if owners <= already:
                    continue
                owed = owners - already if already else owners
                pending[value] = pending[value] | owed if value in pending else owed
        for value, owed in pending.items():
            before = done.get(value)
            done[value] = before | owed if before else owed
        return pending


class _Walk:
    """Per-step bookkeeping while rows of one step stream by."""

    def __init__(
        self, step: Step, found_by_pk: dict[str, Owners] | None, seen: dict[Any, Owners] | None
    ) -> None:
        self.index = {column: i for i, column in enumerate(step.columns)}
        self.publishes = [(self.index[f], channel) for f, channel in step.publishes]
        self.pk = self.index.get(step.primary_key or "", 0)
        self.found_by_pk, self.seen = found_by_pk, seen

    def take(
        self,
        batch: Sequence[Row],
        at: int,
        pending: dict[str, Owners],
        offer: Callable[[str, str, Owners], None],
    ) -> tuple[list[Row], list[Owners]]:
        """The rows of ``batch`` owed to someone, with their owners; publish their key values."""
        kept: list[Row] = []
        owners: list[Owners] = []
        for row in batch:
            mine = pending.get(canon(row[at]))
            if mine is None:
                continue  # matched by the store's collation but not exactly: leave it
            if self.seen is not None:
                before = self.seen.get(row[self.pk], _NOBODY)
                mine = mine - before
                if not mine:
                    continue
                self.seen[row[self.pk]] = before | mine
            kept.append(row)
            owners.append(mine)
            if self.found_by_pk is not None:
                value = canon(row[self.pk])
                had = self.found_by_pk.get(value)
                self.found_by_pk[value] = had | mine if had else mine
            for column, channel in self.publishes:
                if row[column] is not None:
                    offer(channel, canon(row[column]), mine)
        return kept, owners

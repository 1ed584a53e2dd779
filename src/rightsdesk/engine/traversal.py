"""Walk a Plan over live connectors for a batch of subjects, streaming rows to a sink.

A worklist over channels: each step queries its key fields with the values its source channels
carry that it has not queried yet; the rows found feed further channels; repeat until nothing
new arrives (this handles chains, diamonds and cycles). Every value remembers which subjects it
belongs to, so one pass of set-based queries serves the whole batch and rows are partitioned
per subject as they stream by.

A row of an owned collection found by one of its own identity fields (not through its owner)
is held back until the walk ends or its owner is found among the same person's rows; one with
no owner at all is whoever's identity it holds. A row whose owner is someone else is not the
person's (a gift order naming my email is the buyer's): it only *mentions* them, and goes to
the sink at the end under a Step whose ``mention`` names the field, never walked on from.

Which channels feed which key is the plan's business (``plan.py``): in a map by ownership a
collection is fed only by its identity fields and its owner reference (or its relation sides),
always from owner to owned, so a walk never climbs to a shared parent and back down to other
people's rows. The blast-radius guard (``guard.py``) watches the same stream.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol

from rightsdesk.connectors.base import Connector, Row
from rightsdesk.domain.subjects import Subject
from rightsdesk.engine.plan import Plan, Step, identity_channel
from rightsdesk.engine.rowkeys import row_identity

if TYPE_CHECKING:
    from rightsdesk.engine.closure import ClosureReport

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
    #: rows found by an identity field but owned by someone else (mentions), per collection
    mentions: dict[str, int] = field(default_factory=dict)
    #: copy rows found by a value but holding someone else's (``copies.py``), per collection
    refused: dict[str, int] = field(default_factory=dict)
    #: per person, what the identity closure added and refused (``closure.py``); no values
    closure: list[ClosureReport] = field(default_factory=list)


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
        #: step -> (row, subjects, index of the key column it was found by) awaiting an owner
        self._held: dict[int, list[tuple[Row, Owners, int]]] = {}
        #: per step, the fields its owner (or relation sides) feed: other keys' rows are held
        self._through = [frozenset(f for f, _ in step.owned_by) for step in plan.steps]
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
            self._confirm()
        for number, held in self._held.items():
            self._mention(self._plan.steps[number], held)
        return self.stats

    def _mention(self, step: Step, held: list[tuple[Row, Owners, int]]) -> None:
        """Hand rows owned by someone else to the sink as mentions of the people they name."""
        by_field: dict[int, tuple[list[Row], list[Owners]]] = {}
        for row, mine, at in held:
            rows, owners = by_field.setdefault(at, ([], []))
            rows.append(row)
            owners.append(mine)
        for at, (rows, owners) in by_field.items():
            self._sink.rows(replace(step, mention=step.columns[at]), rows, owners)
            self.stats.mentions[step.name] = self.stats.mentions.get(step.name, 0) + len(rows)

    def _walk(self, number: int, step: Step) -> _Walk:
        found_by_pk = None
        if step.primary_key and any(k.field == step.primary_key for k in step.keys):
            # rows found count as queried by primary key, so walking a reference back to
            # its parent never re-reads a row we already have (one query less per edge)
            found_by_pk = self._queried.setdefault((number, step.primary_key), {})
        seen = self._seen.setdefault(number, {}) if step.needs_dedupe else None
        return _Walk(step, found_by_pk, seen)

    def _visit(self, number: int, step: Step) -> None:
        walk = self._walk(number, step)
        connector = self._connectors[step.system]
        through = self._through[number]
        for key in step.keys:
            pending = self._pending(number, key.field, key.sources)
            if not pending:
                continue
            at = walk.index[key.field]
            self.stats.queries += 1
            held = (
                self._held.setdefault(number, []) if through and key.field not in through else None
            )
            for batch in connector.read(step.collection, key.field, list(pending), step.columns):
                if held is not None:
                    held += (
                        (row, mine, at) for row in batch if (mine := pending.get(canon(row[at])))
                    )
                    continue
                kept, owners = walk.take(batch, at, pending, self._offer)
                if kept:
                    self._emit(step, kept, owners)

    def _confirm(self) -> None:
        """Admit held rows for the people whose own rows their owner (or a side) points at."""
        for number, held in self._held.items():
            if not held:
                continue
            step = self._plan.steps[number]
            walk = self._walk(number, step)
            ready: dict[tuple[int, Owners], list[Row]] = {}
            waiting: list[tuple[Row, Owners, int]] = []
            for row, mine, at in held:
                pointed = self._owners_of(walk, step, row)
                owned = mine if pointed is None else mine & pointed
                if owned:
                    ready.setdefault((at, owned), []).append(row)
                if owned != mine:
                    waiting.append((row, mine - owned, at))
            self._held[number] = waiting
            for (at, owned), rows in ready.items():
                pending = {canon(row[at]): owned for row in rows}
                kept, owners = walk.take(rows, at, pending, self._offer)
                if kept:
                    self._emit(step, kept, owners)

    def _owners_of(self, walk: _Walk, step: Step, row: Row) -> Owners | None:
        """The subjects whose rows ``row``'s owner reference (or any relation side) points at;
        None for a row that points nowhere (it is whoever's identity found it)."""
        owners: Owners | None = None
        for column, channel in step.owned_by:
            value = row[walk.index[column]]
            if value is not None:
                found = self._values.get(channel, {}).get(canon(value), _NOBODY)
                owners = found if owners is None else owners | found
        return owners

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
        self.pk = self.index.get(step.primary_key) if step.primary_key else None
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
                ident = row[self.pk] if self.pk is not None else row_identity(row)
                before = self.seen.get(ident, _NOBODY)
                mine = mine - before
                if not mine:
                    continue
                self.seen[ident] = before | mine
            kept.append(row)
            owners.append(mine)
            if self.found_by_pk is not None and self.pk is not None:
                value = canon(row[self.pk])
                had = self.found_by_pk.get(value)
                self.found_by_pk[value] = had | mine if had else mine
            for column, channel in self.publishes:
                if row[column] is not None:
                    offer(channel, canon(row[column]), mine)
        return kept, owners

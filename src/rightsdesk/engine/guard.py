"""The blast-radius guard: before anything is exported or changed, prove the rows found are
the person's.

It watches rows stream by (a RowSink next to the real one) and checks, per person: that every
row of an owned collection points through its owner reference (or, for a relation, one of its
sides) at one of that person's own rows, and that no collection holds more of their rows than
its ``max_rows_per_person``. A run that fails it raises GuardError before any change or export;
the error names the collection, the person, and the chain of references that reached it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rightsdesk.connectors.base import Row
from rightsdesk.domain.errors import GuardError, Overreach
from rightsdesk.domain.subjects import Subject
from rightsdesk.engine.plan import Plan, Step
from rightsdesk.engine.traversal import Owners, RowSink, canon

#: Examples of offending rows named in one finding.
_EXAMPLES = 3


@dataclass(frozen=True)
class _Watch:
    """What to remember of one step's rows."""

    owned_by: tuple[tuple[int, str], ...]  # (column index, parent channel) of owner or sides
    keys: tuple[tuple[int, str], ...]  # (column index, channel) that owned rows point at
    pk: int


class Guard:
    """A RowSink that records just enough of every row to check ownership and row counts."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        targets = {target for step in plan.steps for _, target in step.owned_by}
        self._watch: dict[str, _Watch] = {}
        for step in plan.steps:
            index = {c: i for i, c in enumerate(step.columns)}
            self._watch[step.name] = _Watch(
                tuple((index[f], t) for f, t in step.owned_by if f in index),
                tuple(
                    (i, f"{step.name}.{c}")
                    for c, i in index.items()
                    if f"{step.name}.{c}" in targets
                ),
                index.get(step.primary_key or "", 0),
            )
        self._counts: dict[tuple[int, str], int] = defaultdict(int)
        self._keys: dict[tuple[int, str], set[str]] = defaultdict(set)  # (subject, channel)
        # (subject, step) -> (row key, owner values) of owned rows
        self._owned: dict[tuple[int, str], list[tuple[str, tuple[str | None, ...]]]] = defaultdict(
            list
        )

    def rows(self, step: Step, rows: Sequence[Row], owners: Sequence[Owners]) -> None:
        watch = self._watch[step.name]
        if step.mention is not None:  # names the person, is not theirs: counted, not checked
            watch = _Watch((), (), watch.pk)
        for row, mine in zip(rows, owners, strict=True):
            pointed = tuple(None if row[i] is None else canon(row[i]) for i, _ in watch.owned_by)
            for subject in mine:
                self._counts[(subject, step.name)] += 1
                for i, channel in watch.keys:
                    if row[i] is not None:
                        self._keys[(subject, channel)].add(canon(row[i]))
                if watch.owned_by:
                    self._owned[(subject, step.name)].append((canon(row[watch.pk]), pointed))

    def findings(self, subjects: Sequence[Subject]) -> list[Overreach]:
        """Every way the rows found reach beyond each person, in plan order."""
        found: list[Overreach] = []
        for index, subject in enumerate(subjects):
            for step in self.plan.steps:
                count = self._counts.get((index, step.name), 0)
                if step.max_rows is not None and count > step.max_rows:
                    found.append(
                        Overreach(
                            step.name,
                            subject.id,
                            f"{count} rows, more than its max_rows_per_person {step.max_rows}",
                            path_to(self.plan, step.name),
                        )
                    )
                stray = self._strays(index, step)
                if stray:
                    found.append(
                        Overreach(step.name, subject.id, stray, path_to(self.plan, step.name))
                    )
        return found

    def check(self, subjects: Sequence[Subject]) -> None:
        """Raise GuardError listing every finding; return quietly when there is none."""
        found = self.findings(subjects)
        if found:
            raise GuardError(tuple(found))

    def _strays(self, subject: int, step: Step) -> str:
        """Rows owned by someone else (their owner, or every side, points at another row)."""
        watch = self._watch[step.name]
        mine = [self._keys.get((subject, channel), set()) for _, channel in watch.owned_by]
        stray = [
            key
            for key, pointed in self._owned.get((subject, step.name), [])
            if any(v is not None for v in pointed)
            and not any(v is not None and v in keys for v, keys in zip(pointed, mine, strict=True))
        ]
        if not stray:
            return ""
        fields = " or ".join(f"{step.name}.{step.columns[i]}" for i, _ in watch.owned_by)
        examples = ", ".join(stray[:_EXAMPLES]) + (", ..." if len(stray) > _EXAMPLES else "")
        return (
            f"{len(stray)} rows owned by another person: {fields} points at a row that is not "
            f"theirs (rows {examples})"
        )


class Tee:
    """Hand every batch of rows to each sink in turn."""

    def __init__(self, *sinks: RowSink) -> None:
        self.sinks = sinks

    def rows(self, step: Step, rows: Sequence[Row], owners: Sequence[Owners]) -> None:
        for sink in self.sinks:
            sink.rows(step, rows, owners)


def path_to(plan: Plan, name: str) -> str:
    """The shortest chain of references from an identity the person gave to ``name``, e.g.
    ``identity:email -> app.users.email; app.users.id -> app.orders.user_id``."""
    # channel -> the fields feeding it ("system.collection.field" feeds itself)
    feeders: dict[str, list[str]] = {}
    for step in plan.steps:
        for field, channel in step.publishes:
            feeders.setdefault(channel, []).append(f"{step.name}.{field}")
    chains: dict[str, list[str]] = {}
    changed = True
    while changed:
        changed = False
        for step in plan.steps:
            for key in step.keys:
                for source in key.sources:
                    chain = _through(plan, chains, feeders, source, step.name)
                    if chain is None:
                        continue
                    chain = [*chain, f"{source} -> {step.name}.{key.field}"]
                    if step.name not in chains or len(chain) < len(chains[step.name]):
                        chains[step.name] = chain
                        changed = True
    return "; ".join(chains.get(name, [name]))


def _through(
    plan: Plan, chains: dict[str, list[str]], feeders: dict[str, list[str]], source: str, to: str
) -> list[str] | None:
    """The chain that brings values to ``source``, or None while none is known."""
    if source.startswith("identity:") and source.removeprefix("identity:") in plan.identity_kinds:
        return []
    found = None
    for feeder in feeders.get(source, []):
        producer = feeder.rpartition(".")[0]
        if producer == to or producer not in chains:
            continue
        chain = chains[producer] if feeder == source else [*chains[producer], f"{feeder}"]
        if found is None or len(chain) < len(found):
            found = chain
    return found

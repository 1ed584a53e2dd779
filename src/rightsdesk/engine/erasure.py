"""Turn the rows found for a batch of subjects into set-based changes and a per-subject report."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from rightsdesk.connectors.base import Change, DeleteWhere, Key, Row, UpdateRows, UpdateWhere
from rightsdesk.datamap.model import CollectionSpec, DataMap, RetentionRule
from rightsdesk.domain.retention import HeldRow
from rightsdesk.engine.holds import Holds
from rightsdesk.engine.plan import Plan, Step
from rightsdesk.engine.rowkeys import RowKeys, row_identity
from rightsdesk.engine.traversal import Owners, canon
from rightsdesk.masking.base import MaskingKey, MaskingStrategy
from rightsdesk.masking.fitting import Columns, fit_all
from rightsdesk.masking.redaction import Redact


@dataclass
class Retained:
    rule: str
    basis: str
    until: str | None  # ISO date the hold ends; None when the start date is missing
    rows: int = 0
    kept_fields: tuple[str, ...] | None = None  # None: the whole row
    #: Sealed in the retention vault and erased from the live table, not kept in place.
    sealed: bool = False


@dataclass
class Outcome:
    """What erasure does to one subject's rows in one collection."""

    found: int = 0
    deleted: int = 0
    masked: int = 0
    masked_fields: set[str] = field(default_factory=set)
    #: fields the erasure leaves as they are because the schema forbids masking them, and why
    unmasked: dict[str, str] = field(default_factory=dict)
    retained: dict[tuple[str, str | None], Retained] = field(default_factory=dict)
    #: rows left as they are (whole, or the held fields) because this place is held
    held: int = 0
    held_fields: frozenset[str] | None = None


Report = list[dict[str, Outcome]]  # per subject (batch order): collection -> outcome
Found = dict[Any, tuple[Row, Owners]]  # row key -> (row, the subjects it is found for)
Mentions = dict[str, dict[str, Found]]  # collection -> field naming the person -> rows


class ErasureCollector:
    """A RowSink that keeps, per collection, each row once with every subject it belongs to.

    Rows are told apart by their primary key, or by all their values in a table without one
    (so rows sharing a first column no longer collapse into one).
    """

    def __init__(self) -> None:
        self.found: dict[str, dict[Any, tuple[Row, Owners]]] = defaultdict(dict)
        #: rows that only name a person (``Step.mention``): collection -> field -> rows
        self.mentions: Mentions = defaultdict(lambda: defaultdict(dict))

    def rows(self, step: Step, rows: Sequence[Row], owners: Sequence[Owners]) -> None:
        kept = (
            self.found[step.name]
            if step.mention is None
            else self.mentions[step.name][step.mention]
        )
        pk = step.columns.index(step.primary_key) if step.primary_key in step.columns else None
        for row, mine in zip(rows, owners, strict=True):
            at = row[pk] if pk is not None else row_identity(row)
            before = kept.get(at)
            kept[at] = (row, before[1] | mine) if before else (row, mine)


@dataclass
class ErasureWork:
    changes: dict[str, list[Change]]
    report: Report
    held: list[HeldRow] = field(default_factory=list)  # rows for the vault, before any change


def build(
    datamap: DataMap,
    plan: Plan,
    collected: dict[str, dict[Any, tuple[Row, Owners]]],
    subjects: int,
    *,
    key: MaskingKey,
    today: date,
    subject_ids: Sequence[str] = (),
    scope: frozenset[str] | None = None,
    schema: Mapping[str, Columns] | None = None,
    mentions: Mentions | None = None,
    needles: Sequence[set[str]] = (),
    holds: Holds | None = None,
) -> ErasureWork:
    """Decide, row by row, delete / mask / keep under a retention rule; group into changes.

    With ``subject_ids`` (one per subject) rows under a vault rule are handed over as
    HeldRows and then erased like any other; without, they are kept in place. ``scope``
    limits the changes to those ``system.collection`` names (the walk still crosses the rest).
    ``schema`` (by ``system.collection``) fits each masking to its live column (``fitting``).
    ``mentions``: rows owned by someone else that name a person; only the naming field is
    masked (with its own ``erase``; without one it is left and reported as unmasked).
    ``needles`` (per subject, their identifying values) are what ``redact`` replaces.
    ``holds`` (``engine/holds.py``) are places left as they are: a whole collection, or fields.
    """
    report: Report = [{} for _ in range(subjects)]  # filled as rows are decided
    updates: dict[str, list[Change]] = defaultdict(list)
    deletes: dict[str, dict[str, list[Change]]] = defaultdict(dict)
    held: list[HeldRow] = []
    for step in plan.steps:
        found = datamap.resolve(step.name)
        assert found is not None
        collection = found[1]
        rows = collected.get(step.name, {})
        named = (mentions or {}).get(step.name, {})
        if not (rows or named) or (scope is not None and step.name not in scope):
            continue
        kept = (holds or {}).get(step.name, frozenset())
        if kept is None:  # the whole collection is held: nothing in it changes
            _held_rows(report, step.name, rows.values(), None)
            continue
        rules = datamap.retention_for(step.system, step.collection)
        columns = (schema or {}).get(step.name)
        decider = _Decider(step, collection, rules, key, today, subject_ids, columns)
        decider.needles = needles
        decider.keep = kept
        if step.relation:
            decider.sides = _side_keys(plan, step, collected)
        for pk, (row, owners) in rows.items():
            decider.decide(pk, row, owners, report)
        for name, found_rows in named.items():
            for pk, (row, owners) in found_rows.items():
                if pk not in rows:  # a row someone in the batch owns is decided as theirs
                    decider.mention(pk, row, owners, name, report)
        held += decider.held
        updates[step.system] += decider.updates()
        if decider.deleted:
            deletes[step.system][step.collection] = decider.deletes()
    return ErasureWork(_ordered(plan, updates, deletes), report, held)


def _ordered(
    plan: Plan, updates: dict[str, list[Change]], deletes: dict[str, dict[str, list[Change]]]
) -> dict[str, list[Change]]:
    """Per system: the updates, then the deletions, children before parents."""
    changes = {}
    for system in {*updates, *deletes}:
        ordered = [
            change for c in plan.erase_order[system] for change in deletes[system].get(c, ())
        ]
        changes[system] = updates[system] + ordered
    return changes


class _Decider:
    def __init__(
        self,
        step: Step,
        collection: CollectionSpec,
        rules: tuple[RetentionRule, ...],
        key: MaskingKey,
        today: date,
        subject_ids: Sequence[str] = (),
        columns: Columns | None = None,
    ) -> None:
        self.step, self.rules, self.key, self.today = step, rules, key, today
        self.subject_ids = subject_ids
        self.held: list[HeldRow] = []
        self.index = {c: i for i, c in enumerate(step.columns)}
        self.keys = RowKeys(step)
        self.deletes_rows = collection.deletes_rows
        masks: dict[str, MaskingStrategy] = {
            f.name: f.erase
            for f in collection.fields
            if f.erase is not None and not f.erase.deletes_row
        }
        self.masks, self.unfit = fit_all(masks, columns) if columns else (masks, ())
        self.deleted: dict[Key, list[Any]] = defaultdict(list)
        #: relation side field -> keys of the people erased: a side's mask applies to theirs only
        self.sides: dict[str, set[str]] = {}
        #: per subject, the values ``redact`` replaces in their rows
        self.needles: Sequence[set[str]] = ()
        #: fields a refused part holds: the row stays (never deleted), these fields unchanged
        self.keep: frozenset[str] = frozenset()
        self._set_based: dict[tuple[tuple[str, ...], Key], list[Any]] = defaultdict(list)
        self._per_row: dict[tuple[tuple[str, ...], Key], list[Row]] = defaultdict(list)

    def decide(self, pk: Any, row: Row, owners: Owners, report: Report) -> None:
        rule, until = self._hold(row)
        masks = self.masks
        if rule is not None and rule.vault and self.subject_ids and not self.keep:
            self._seal(pk, row, owners, rule, until, report)
            rule = None  # sealed: the live row is erased like any other
        if rule is not None:
            kept = rule.fields
            masks = {} if kept is None else {f: s for f, s in masks.items() if f not in kept}
            for subject in owners:
                outcome = _outcome(report, subject, self.step.name)
                held = outcome.retained.setdefault(
                    (rule.name, until), Retained(rule.name, str(rule.basis), until, 0, kept)
                )
                held.rows += 1
        elif self.deletes_rows and not self.keep:
            names, value = self.keys.of(pk, row)
            self.deleted[names].append(value)
            self._count(owners, report, deleted=True, fields=())
            return
        if self.keep:
            masks = {f: m for f, m in masks.items() if f not in self.keep}
            _held_rows(report, self.step.name, [(row, owners)], self.keep, found=False)
        if self.sides:
            masks = {
                f: m
                for f, m in masks.items()
                if f not in self.sides or canon(row[self.index[f]]) in self.sides[f]
            }
        if masks and any(isinstance(m, Redact) for m in masks.values()):
            values = self._values(owners)
            masks = {f: m.bound(values) if isinstance(m, Redact) else m for f, m in masks.items()}
        if masks:
            self._mask(pk, row, masks)
            self._count(owners, report, deleted=False, fields=tuple(masks))
        else:  # kept as it is, whether by a rule or because nothing in it is erased
            self._count(owners, report, deleted=False, fields=())

    def mention(self, pk: Any, row: Row, owners: Owners, name: str, report: Report) -> None:
        """Mask only the field that names the person in a row owned by someone else."""
        rule, _ = self._hold(row)
        strategy = self.masks.get(name)
        if name in self.keep:  # a refused part holds this field
            _held_rows(report, self.step.name, [(row, owners)], self.keep)
            return
        if rule is not None and (rule.fields is None or name in rule.fields):
            strategy = None  # the law keeps this field of the row
        if strategy is None:
            for subject in owners:
                outcome = _outcome(report, subject, self.step.name)
                outcome.found += 1
                outcome.unmasked.setdefault(name, "names the person in a row someone else owns")
            return
        if isinstance(strategy, Redact):
            strategy = strategy.bound(self._values(owners))
        self._mask(pk, row, {name: strategy})
        self._count(owners, report, deleted=False, fields=(name,))

    def _values(self, owners: Owners) -> set[str]:
        """The identifying values of ``owners`` that ``redact`` replaces."""
        return set().union(*(self.needles[s] for s in owners if s < len(self.needles)))

    def _seal(
        self,
        pk: Any,
        row: Row,
        owners: Owners,
        rule: RetentionRule,
        until: str | None,
        report: Report,
    ) -> None:
        columns = rule.fields or self.step.columns
        kept = {c: row[self.index[c]] for c in columns if c in self.index}
        for subject in owners:
            self.held.append(
                HeldRow(
                    subject=self.subject_ids[subject],
                    system=self.step.system,
                    collection=self.step.collection,
                    key=str(pk),
                    rule=rule.name,
                    basis=str(rule.basis),
                    until=date.fromisoformat(until) if until else None,
                    roles=rule.roles,
                    row=kept,
                )
            )
            outcome = _outcome(report, subject, self.step.name)
            held = outcome.retained.setdefault(
                (rule.name, until),
                Retained(rule.name, str(rule.basis), until, 0, rule.fields, True),
            )
            held.rows += 1

    def _count(
        self, owners: Owners, report: Report, *, deleted: bool, fields: tuple[str, ...]
    ) -> None:
        for subject in owners:
            outcome = _outcome(report, subject, self.step.name)
            outcome.found += 1
            if deleted:
                outcome.deleted += 1
            else:
                outcome.unmasked.update((u.field, u.reason) for u in self.unfit)
                if fields:
                    outcome.masked += 1
                    outcome.masked_fields.update(fields)

    def _mask(self, pk: Any, row: Row, masks: Mapping[str, MaskingStrategy]) -> None:
        columns = tuple(sorted(masks))
        names, value = self.keys.of(pk, row)
        if all(masks[c].row_independent for c in columns):
            self._set_based[columns, names].append(value)
        elif not self.keys.keyless:
            values = tuple(masks[c].mask(row[self.index[c]], self.key) for c in columns)
            self._per_row[columns, names].append((value, *values))
        else:  # no primary key: find each column's rows by their key and its old value
            for column in columns:
                old = row[self.index[column]]
                if old is not None:
                    narrowed, match = self.keys.also(names, value, column, old)
                    new = masks[column].mask(old, self.key)
                    self._per_row[(column,), narrowed].append((match, new))

    def updates(self) -> list[Change]:
        found: list[Change] = []
        for (columns, names), keys in self._set_based.items():
            values = {c: self.masks[c].mask(None, self.key) for c in columns}
            found.append(UpdateWhere(self.step.collection, names, keys, values))
        for (columns, names), rows in self._per_row.items():
            found.append(UpdateRows(self.step.collection, names, columns, rows))
        return found

    def deletes(self) -> list[Change]:
        return [DeleteWhere(self.step.collection, n, k) for n, k in self.deleted.items()]

    def _hold(self, row: Row) -> tuple[RetentionRule | None, str | None]:
        for rule in self.rules:
            if not all(self._matches(row, column, wanted) for column, wanted in rule.where.items()):
                continue
            start = _as_date(row[self.index[rule.start]])
            if start is None:
                return rule, None
            until = rule.period.after(start)
            if until > self.today:
                return rule, until.isoformat()
        return None, None

    def _matches(self, row: Row, column: str, wanted: Any) -> bool:
        value = canon(row[self.index[column]])
        options = wanted if isinstance(wanted, list) else [wanted]
        return any(value == canon(option) for option in options)


def _held_rows(
    report: Report,
    name: str,
    rows: Iterable[tuple[Row, Owners]],
    fields: frozenset[str] | None,
    *,
    found: bool = True,
) -> None:
    """Count rows a held place leaves as they are (``found``: they are counted nowhere else)."""
    for _, owners in rows:
        for subject in owners:
            outcome = _outcome(report, subject, name)
            outcome.found += found
            outcome.held += 1
            outcome.held_fields = fields


def _side_keys(
    plan: Plan, step: Step, collected: dict[str, dict[Any, tuple[Row, Owners]]]
) -> dict[str, set[str]]:
    """Per side field of a relation, the referenced keys of the rows being erased."""
    sides: dict[str, set[str]] = {}
    for side, target in step.owned_by:
        parent, _, field = target.rpartition(".")
        found = next((s for s in plan.steps if s.name == parent), None)
        if found is None or field not in found.columns:
            sides[side] = set()
            continue
        at = found.columns.index(field)
        sides[side] = {canon(row[at]) for row, _ in collected.get(parent, {}).values()}
    return sides


def _outcome(report: Report, subject: int, collection: str) -> Outcome:
    found = report[subject].get(collection)
    if found is None:
        found = report[subject][collection] = Outcome()
    return found


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None

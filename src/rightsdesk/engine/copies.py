"""Copies without a foreign key: whose copy row it is, and the identity closure.

A *copy* collection (``copies: true``: login attempts keyed by username or IP address, history
tables) is found by identity values alone, so a value two people share would make one
person's rows another's. ``CopyCheck`` sits in front of the real sink and passes a copy row on
for a person only when every identity field the row sets holds that person's value, a *weak*
kind (an IP address) excepted where something else in the row matched; a row whose only match
is weak must match on every weak field it sets. As rows pass, it remembers each person's
identifying values (identity fields, and fields whose category names a kind), which is what
the closure (``closure.py``) searches again. Every row reaches the sink once per person, so a
second pass adds only what is new.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rightsdesk.connectors.base import Row
from rightsdesk.datamap.identities import identity_kind, kind_of_category
from rightsdesk.datamap.model import CollectionSpec, DataMap
from rightsdesk.domain.subjects import Subject
from rightsdesk.engine.plan import Step
from rightsdesk.engine.rowkeys import row_identity
from rightsdesk.engine.traversal import Owners, RowSink, canon

_NOBODY: Owners = frozenset()


def normal(kind: str, value: Any) -> str:
    """The form values are compared in (``IdentityKind.comparable``: e-mail addresses without
    case)."""
    return identity_kind(kind).comparable(canon(value))


def value_kinds(collection: CollectionSpec) -> dict[str, str]:
    """Field -> the identity kind its values are (identity fields, then categories)."""
    found: dict[str, str] = {}
    for field in collection.fields:
        kind = field.identity or next(
            (k for c in field.categories if (k := kind_of_category(c)) is not None), None
        )
        if kind is not None:
            found[field.name] = kind
    return found


@dataclass(frozen=True)
class _Shape:
    copy: bool
    pk: int | None
    identities: tuple[tuple[int, str], ...]  # (column, kind) of identity fields
    values: tuple[tuple[int, str], ...]  # (column, kind) of fields holding identifying values
    where: tuple[tuple[int, str], ...] = ()  # (column, wanted value as text) of a copy's rows


class PersonValues:
    """Each person's identifying values by kind, as found (every spelling kept for queries)."""

    def __init__(self, subjects: Sequence[Subject]) -> None:
        self.found: list[dict[str, set[str]]] = [defaultdict(set) for _ in subjects]
        self._normal: list[dict[str, set[str]]] = [defaultdict(set) for _ in subjects]
        for index, subject in enumerate(subjects):
            for identity in subject.identities:
                self.add(index, identity.kind, identity.value)

    def add(self, subject: int, kind: str, value: Any) -> None:
        text = "" if value is None else canon(value).strip()
        if text:
            self.found[subject][kind].add(text)
            self._normal[subject][kind].add(normal(kind, text))

    def drop(self, subject: int, kind: str, norm: str) -> None:
        """Forget a value (every spelling of it): it is not the person's alone."""
        self.found[subject][kind] = {
            v for v in self.found[subject][kind] if normal(kind, v) != norm
        }
        self._normal[subject][kind].discard(norm)

    def has(self, subject: int, kind: str, value: Any) -> bool:
        mine = self._normal[subject]
        return normal(kind, value) in mine.get(kind, ()) or any(
            normal(alias, value) in mine.get(alias, ()) for alias in identity_kind(kind).also
        )

    def of_kind(self, subject: int, kind: str) -> set[str]:
        """The person's values a ``kind`` field may hold (its aliases' too), as spelled."""
        found = set(self.found[subject].get(kind, ()))
        for alias in identity_kind(kind).also:
            found |= self.found[subject].get(alias, set())
        return found


class CopyCheck:
    """A RowSink in front of ``sink``: copy rows only for their people, every row once each."""

    def __init__(
        self, sink: RowSink, datamap: DataMap, values: PersonValues, weak: frozenset[str]
    ) -> None:
        self.sink, self.datamap, self.values, self.weak = sink, datamap, values, weak
        self.passed: dict[str, dict[Any, Owners]] = defaultdict(dict)
        self.refused: dict[str, int] = defaultdict(int)  # copy rows kept from someone
        self._shapes: dict[str, _Shape] = {}

    def shape(self, step: Step) -> _Shape:
        shape = self._shapes.get(step.name)
        if shape is None:
            found = self.datamap.resolve(step.name)
            assert found is not None
            collection = found[1]
            index = {c: i for i, c in enumerate(step.columns)}
            kinds = value_kinds(collection)
            identities = tuple(
                (index[f.name], f.identity)
                for f in collection.fields
                if f.identity and f.name in index
            )
            values = tuple(
                (index[f], k)
                for f, k in kinds.items()
                if f in index and not (collection.copies and k in self.weak)
            )
            pk = index.get(step.primary_key) if step.primary_key else None
            where = tuple((index[c], canon(v)) for c, v in collection.where.items() if c in index)
            shape = _Shape(collection.copies, pk, identities, values, where)
            self._shapes[step.name] = shape
        return shape

    def rows(self, step: Step, rows: Sequence[Row], owners: Sequence[Owners]) -> None:
        shape = self.shape(step)
        # a mention (a row someone else owns that names the person) is theirs to see, but
        # none of its values are theirs: kept apart, and it feeds no identity closure
        mention = step.mention is not None
        passed = self.passed[f"{step.name}:{step.mention}" if mention else step.name]
        out: list[Row] = []
        out_owners: list[Owners] = []
        for row, owed in zip(rows, owners, strict=True):
            mine = owed
            if shape.copy:
                mine = frozenset(s for s in owed if self._belongs(shape, row, s))
                self.refused[step.name] += len(owed) - len(mine)
            key = row[shape.pk] if shape.pk is not None else row_identity(row)
            before = passed.get(key, _NOBODY)
            mine = mine - before
            if not mine:
                continue
            passed[key] = before | mine
            for subject in () if mention else mine:
                for column, kind in shape.values:
                    self.values.add(subject, kind, row[column])
            out.append(row)
            out_owners.append(mine)
        if out:
            self.sink.rows(step, out, out_owners)

    def _belongs(self, shape: _Shape, row: Row, subject: int) -> bool:
        if any(row[column] is None or canon(row[column]) != want for column, want in shape.where):
            return False
        strong = weak = False
        weak_mismatch = False
        for column, kind in shape.identities:
            value = row[column]
            if value is None or canon(value).strip() == "":
                continue
            if self.values.has(subject, kind, value):
                strong, weak = strong or kind not in self.weak, weak or kind in self.weak
            elif kind not in self.weak:
                return False  # a login attempt under someone else's username is theirs
            else:
                weak_mismatch = True
        return strong or (weak and not weak_mismatch)

"""A RowSink that writes each subject's export with bounded memory (rows spill to disk)."""

from __future__ import annotations

import base64
import csv
import json
import re
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from rightsdesk.connectors.base import Row
from rightsdesk.datamap.model import DataMap
from rightsdesk.domain.actions import ExportMode
from rightsdesk.domain.subjects import Subject
from rightsdesk.engine.plan import Plan, Step
from rightsdesk.engine.traversal import Owners
from rightsdesk.export.report import write_report

PRESENT = "[present]"


@dataclass(frozen=True)
class Projection:
    names: tuple[str, ...]
    indexes: tuple[int, ...]
    presence: frozenset[int]
    categories: dict[str, list[str]]


@dataclass
class SubjectExport:
    subject: Subject
    directory: Path
    rows: dict[str, int] = field(default_factory=dict)


class ExportWriter:
    def __init__(
        self,
        datamap: DataMap,
        plan: Plan,
        subjects: Sequence[Subject],
        out: Path,
        *,
        spill_rows: int = 20_000,
        processing: Callable[[Mapping[str, int]], dict[str, Any]] | None = None,
        locale: str = "en",
        confirm_only: tuple[str, ...] = (),
    ) -> None:
        """``confirm_only``: data categories (and their refinements) exported only as present,
        whatever the field's own export mode (CCPA "know" answers, CCR 7024(d))."""
        self.plan, self.subjects, self.out = plan, subjects, out
        #: Builds the ``processing`` section from the rows found per collection (ACC-03).
        self.processing, self.locale = processing, locale
        self.datamap, self.spill_rows, self.confirm_only = datamap, spill_rows, confirm_only
        self.projections = {s.name: _projection(datamap, s, confirm_only) for s in plan.steps}
        self._buffers: dict[tuple[int, str], list[list[Any]]] = {}
        self._counts: dict[tuple[int, str], int] = {}
        self._buffered = 0
        self._parts = out / ".parts"

    def rows(self, step: Step, rows: Sequence[Row], owners: Sequence[Owners]) -> None:
        projection = self.projections.get(step.name)
        if projection is None:  # reached by a later pass (identity closure, payload scan)
            projection = _projection(self.datamap, step, self.confirm_only)
            self.projections[step.name] = projection
            self.plan = replace(self.plan, steps=(*self.plan.steps, step))
        for row, mine in zip(rows, owners, strict=True):
            values = [_cell(row[i], i in projection.presence) for i in projection.indexes]
            for subject in mine:
                self._buffers.setdefault((subject, step.name), []).append(values)
                self._counts[(subject, step.name)] = self._counts.get((subject, step.name), 0) + 1
            self._buffered += len(mine)
        if self._buffered >= self.spill_rows:
            self._spill()

    def finish(self) -> list[SubjectExport]:
        """Write every subject's files; return where they are and how many rows each holds."""
        done = []
        for index, subject in enumerate(self.subjects):
            directory = self.out if len(self.subjects) == 1 else self.out / _safe(subject.id)
            directory.mkdir(parents=True, exist_ok=True)
            counts = {s.name: self._counts.get((index, s.name), 0) for s in self.plan.steps}
            self._write_subject(index, subject, directory, counts)
            done.append(SubjectExport(subject, directory, counts))
        shutil.rmtree(self._parts, ignore_errors=True)
        return done

    def discard(self) -> None:
        """Drop every row received so far; no file of the export is written."""
        self._buffers.clear()
        self._buffered = 0
        shutil.rmtree(self._parts, ignore_errors=True)

    def _spill(self) -> None:
        for (subject, name), values in self._buffers.items():
            path = self._parts / str(subject) / f"{name}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.writelines(json.dumps(v, ensure_ascii=False) + "\n" for v in values)
        self._buffers.clear()
        self._buffered = 0

    def _stream(self, subject: int, name: str) -> Iterator[list[Any]]:
        path = self._parts / str(subject) / f"{name}.jsonl"
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                for line in handle:
                    yield json.loads(line)
        yield from self._buffers.get((subject, name), [])

    def _write_subject(
        self, index: int, subject: Subject, directory: Path, counts: dict[str, int]
    ) -> None:
        generated = datetime.now(UTC).isoformat(timespec="seconds")
        with (directory / "data.json").open("w", encoding="utf-8") as out:
            head = {
                "id": subject.id,
                "identities": [{"kind": i.kind, "value": i.value} for i in subject.identities],
            }
            out.write('{"subject": ' + json.dumps(head, ensure_ascii=False))
            out.write(', "generated_at": ' + json.dumps(generated))
            about = {
                n: {"rows": counts[n], "fields": p.categories} for n, p in self.projections.items()
            }
            out.write(', "about": ' + json.dumps(about, ensure_ascii=False))
            told = self.processing(counts) if self.processing is not None else None
            if told is not None:
                out.write(', "processing": ' + json.dumps(told, ensure_ascii=False))
            out.write(', "collections": {')
            for number, step in enumerate(self.plan.steps):
                out.write(("" if number == 0 else ", ") + json.dumps(step.name) + ": [")
                self._write_collection(index, step.name, directory, out)
                out.write("]")
            out.write("}}\n")
        write_report(
            directory / "report.html",
            subject,
            generated,
            self.plan,
            self.projections,
            counts,
            lambda name: self._stream(index, name),
            processing=told,
            locale=self.locale,
        )

    def _write_collection(self, index: int, name: str, directory: Path, out: TextIO) -> None:
        names = self.projections[name].names
        with (directory / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(names)
            for number, values in enumerate(self._stream(index, name)):
                record = dict(zip(names, values, strict=True))
                out.write(("" if number == 0 else ", ") + json.dumps(record, ensure_ascii=False))
                writer.writerow(["" if v is None else v for v in values])


def _projection(datamap: DataMap, step: Step, confirm_only: tuple[str, ...] = ()) -> Projection:
    found = datamap.resolve(step.name)
    assert found is not None
    fields = [f for f in found[1].fields if f.export_mode is not ExportMode.OMIT]
    index = {c: i for i, c in enumerate(step.columns)}
    presence = frozenset(
        index[f.name]
        for f in fields
        if f.export_mode is ExportMode.PRESENCE
        or any(c == p or c.startswith(f"{p}.") for c in f.categories for p in confirm_only)
    )
    categories = {f.name: list(f.categories) for f in fields}
    return Projection(
        tuple(f.name for f in fields), tuple(index[f.name] for f in fields), presence, categories
    )


def _cell(value: Any, presence: bool) -> Any:
    if presence:
        return PRESENT if value not in (None, "") else None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return str(value)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._@+-]", "_", name)[:100] or "subject"

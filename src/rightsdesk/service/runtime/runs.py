"""Run access and erasure for people named on the command line or in a file."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rightsdesk.connectors.registry import open_connector
from rightsdesk.datamap import DataMap, load
from rightsdesk.datamap.live import check_live
from rightsdesk.domain.errors import DataMapError, InputError, RightsdeskError
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.checkpoint import CheckpointStore, FileCheckpoints
from rightsdesk.engine.runner import Engine, ErasureResult, Sealer
from rightsdesk.engine.traversal import Progress, TraversalStats
from rightsdesk.export.writer import ExportWriter, SubjectExport
from rightsdesk.masking.base import MaskingKey
from rightsdesk.service.runtime import keyfiles
from rightsdesk.service.runtime.timing import Timed, Timer
from rightsdesk.settings import Settings

if TYPE_CHECKING:
    from rightsdesk.discovery.residue import Residue, ResidueReport
    from rightsdesk.service.runtime.connections import ConnectorPool
    from rightsdesk.service.runtime.limits import Gate


@contextmanager
def open_engine(
    datamap: DataMap,
    settings: Settings,
    progress: Progress | None = None,
    *,
    seal: Sealer | None = None,
    today: Callable[[], date] | None = None,
    timer: Timer | None = None,
    checkpoints: CheckpointStore | None = None,
    pool: ConnectorPool | None = None,
    limits: Gate | None = None,
) -> Iterator[Engine]:
    """An engine over the connectors of ``pool`` (else freshly opened ones, closed after);
    ``timer`` is told the seconds per system; ``limits`` holds a slot of every limited system
    for the run and throttles its statements (``service/limits.py``).

    Runs checkpoint to files under ``state_dir/runs`` unless ``checkpoints`` says otherwise
    (request jobs keep them in the store, so any worker resumes them).
    """
    connectors = (
        pool.for_map(datamap)
        if pool is not None
        else {
            s.name: open_connector(s.name, s.kind, s.url, schema=s.schema_) for s in datamap.systems
        }
    )
    timed = {name: Timed(c) for name, c in connectors.items()} if timer is not None else {}
    held = None
    try:
        for connector in connectors.values() if pool is None else ():
            connector.check()  # a store that cannot be reached fails before any state is made
        held = limits.take(datamap) if limits is not None else None  # waits for free slots
        yield Engine(
            datamap,
            held.wrap(timed or connectors) if held is not None else timed or connectors,
            key=masking_key(settings),
            checkpoints=checkpoints or FileCheckpoints(settings.state_dir / "runs"),
            progress=progress,
            seal=seal,
            **_today(today),
        )
    finally:
        if held is not None:
            held.release()
        for connector in connectors.values() if pool is None else ():
            connector.close()
        if timer is not None:
            for name, measured in timed.items():
                if measured.used:
                    timer(name, measured.seconds)


def validate(path: Path, *, live: bool) -> DataMap:
    """Load the map (DataMapError lists file:line issues); ``live`` also compares the DBs."""
    datamap = load(path)
    if live:
        schemas = {}
        for system in datamap.systems:
            connector = open_connector(system.name, system.kind, system.url, schema=system.schema_)
            try:
                schemas[system.name] = connector.describe()
            finally:
                connector.close()
        issues = check_live(datamap, schemas)
        if issues:
            raise DataMapError(issues)
    return datamap


def _today(today: Callable[[], date] | None) -> dict[str, Any]:
    """The engine's clock, when the caller sets one (else the engine's own)."""
    return {"today": today} if today is not None else {}


def export(
    engine: Engine,
    subjects: list[Subject],
    out: Path,
    *,
    processing: Callable[[Mapping[str, int]], dict[str, Any]] | None = None,
    locale: str = "en",
    confirm_only: tuple[str, ...] = (),
) -> tuple[list[SubjectExport], TraversalStats]:
    """Export each subject; ``processing`` adds the section of that name (ACC-03);
    ``confirm_only`` categories are exported as present only (CCR 7024(d))."""
    plan = engine.plan_for(subjects)
    writer = ExportWriter(
        engine.datamap,
        plan,
        subjects,
        out,
        processing=processing,
        locale=locale,
        confirm_only=confirm_only,
    )
    try:
        stats = engine.access(subjects, writer)
    except RightsdeskError:
        writer.discard()  # a guard failure or a store error exports nothing
        raise
    return writer.finish(), stats


def masking_key(settings: Settings) -> MaskingKey:
    """The configured key, else one generated once into the state directory (mode 0600)."""
    path = settings.state_dir / "masking.key"
    name = "RIGHTSDESK_MASKING_KEY"
    return MaskingKey(keyfiles.secret(settings.masking_key, path, name=name, minimum=1))


def subjects_from(identities: list[str], file: Path | None) -> list[Subject]:
    """One subject from ``--identity kind=value`` options, or one per line of a CSV/JSONL file."""
    try:
        if file is not None:
            return _read_subjects(file)
        if not identities:
            raise InputError(
                "name the person with --identity kind=value, or give --identities-file"
            )
        parsed = tuple(Identity.parse(text) for text in identities)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    return [Subject(parsed[0].value, parsed)]


def _read_subjects(file: Path) -> list[Subject]:
    """CSV with a header of identity kinds (and optional ``id``), or JSONL objects of the same."""
    subjects = []
    for line, record in records(file):
        try:
            identities = tuple(
                Identity(k, str(v)) for k, v in record.items() if k != "id" and v not in (None, "")
            )
            subjects.append(Subject(str(record.get("id") or identities[0].value), identities))
        except (ValueError, IndexError) as exc:
            raise InputError(f"{file}:{line}: {exc or 'no identity on this line'}") from exc
    if not subjects:
        raise InputError(f"{file}: no people listed")
    return subjects


def records(file: Path) -> list[tuple[int, dict[str, Any]]]:
    """(line number, flat object) per record of a CSV file with a header, or of a JSONL file
    (``.jsonl``, ``.ndjson``); InputError names the file and line of anything malformed."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{file}: cannot read: {exc}") from exc
    if file.suffix.lower() in (".jsonl", ".ndjson"):
        found: list[tuple[int, Any]] = [
            (n, _json_line(file, n, line))
            for n, line in enumerate(text.splitlines(), 1)
            if line.strip()
        ]
    else:
        found = list(enumerate(csv.DictReader(text.splitlines()), 2))
    for line, record in found:
        if not isinstance(record, dict):
            raise InputError(f"{file}:{line}: expected an object of names to values")
    return found


def _json_line(file: Path, number: int, line: str) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"{file}:{number}: not valid JSON: {exc.msg}") from exc


@dataclass(frozen=True)
class Residues:
    """What an erasure left behind in one system: findings, and which sit in retained tables."""

    system: str
    report: ResidueReport
    retained_tables: frozenset[str]

    def flagged(self) -> list[Residue]:
        """Findings outside collections the law makes us keep: each needs a person's review."""
        return [f for f in self.report.findings if f.table not in self.retained_tables]


def verify_erasure(
    datamap: DataMap, result: ErasureResult, subjects: list[Subject], hash_key: bytes
) -> list[Residues]:
    """Scan every text and JSON column of every system (mapped or not) for what was erased."""
    from rightsdesk.discovery import residue  # only erasures that verify pay for the scanner

    wanted = {s.id: result.needles[i] for i, s in enumerate(subjects) if i < len(result.needles)}
    found = []
    for system in datamap.systems:
        retained = frozenset(
            r.collection.partition(".")[2]
            for r in datamap.retention
            if r.collection.startswith(f"{system.name}.")
        )
        report = residue.scan(system.url, wanted, hash_key=hash_key)
        found.append(Residues(system.name, report, retained))
    return found

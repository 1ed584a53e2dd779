"""Run plans: access (stream rows to a sink) and erasure (collect, decide, apply, checkpoint).

Erasure applies every system's changes in open transactions (systems on different stores at
once, ``engine/apply.py``) and commits only when all of them succeeded, so a failure part-way
leaves every store as it was. Progress is checkpointed after
each commit; running the same erasure again resumes from the checkpoint.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from rightsdesk.connectors.base import (
    Change,
    Connector,
    DeleteOlder,
    DeleteWhere,
    Row,
    UpdateWhere,
)
from rightsdesk.datamap.model import DataMap
from rightsdesk.domain.errors import ExecutionError, RightsdeskError
from rightsdesk.domain.retention import HeldRow
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine import apply, correction, erasure, payloads
from rightsdesk.engine.checkpoint import (
    CheckpointStore,
    Parts,
    RunCheckpoint,
    RunMeta,
    encode_changes,
    resume,
)
from rightsdesk.engine.closure import ClosureRecord, ClosureReport, expand
from rightsdesk.engine.copies import CopyCheck, PersonValues
from rightsdesk.engine.correction import Copy, CorrectionReport
from rightsdesk.engine.guard import Guard, Tee
from rightsdesk.engine.holds import Holds, held_links, holding
from rightsdesk.engine.needles import gather as gather_needles
from rightsdesk.engine.plan import Plan, compile_plan
from rightsdesk.engine.report import ErasureReport, describe, report_json
from rightsdesk.engine.traversal import Owners, Progress, RowSink, Traversal, TraversalStats
from rightsdesk.masking.base import MaskingKey
from rightsdesk.masking.fitting import Columns, columns_of

Sealer = Callable[[Sequence[HeldRow]], None]


@dataclass
class CorrectionResult:
    run_id: str
    resumed: bool
    report: CorrectionReport
    affected: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class ErasureResult:
    run_id: str
    dry_run: bool
    resumed: bool
    report: list[ErasureReport]  # per subject, in order
    statements: list[str] = field(default_factory=list)  # what was (or would be) run
    affected: dict[str, list[int]] = field(default_factory=dict)  # system -> rows per change
    changes: dict[str, list[Change]] = field(default_factory=dict)  # set on dry runs only
    #: per subject, identifying values found (to look for residue); never checkpointed, so a
    #: resumed run has only the identities it was given
    needles: list[set[str]] = field(default_factory=list)
    #: per subject, what the identity closure added and refused, by kind (no values)
    closure: list[ClosureReport] = field(default_factory=list)
    #: per subject, the identities in rows a hold left as they are: a later run lifting the
    #: hold finds them by these (never checkpointed, like ``needles``)
    links: list[set[Identity]] = field(default_factory=list)


class Engine:
    """The engine for one data map and its open connectors; compiles each plan once."""

    def __init__(
        self,
        datamap: DataMap,
        connectors: Mapping[str, Connector],
        *,
        key: MaskingKey,
        checkpoints: CheckpointStore | None = None,
        today: Callable[[], date] = lambda: datetime.now(UTC).date(),
        progress: Progress | None = None,
        seal: Sealer | None = None,
        guard: bool = True,
    ) -> None:
        self.datamap, self.connectors, self.key = datamap, connectors, key
        self.checkpoints, self.today, self.progress = checkpoints, today, progress
        #: Takes rows under a vault retention rule before their live copies are erased; without
        #: one, such rows are kept in place as under a rule with ``vault: false``.
        self.seal = seal
        #: The blast-radius guard (engine/guard.py); off only in tests that show what it stops.
        self.guard = guard
        self._plans: dict[frozenset[str], Plan] = {}
        self._columns: dict[str, Columns] | None = None

    def plan(self, identity_kinds: frozenset[str]) -> Plan:
        if identity_kinds not in self._plans:
            self._plans[identity_kinds] = compile_plan(self.datamap, identity_kinds)
        return self._plans[identity_kinds]

    def plan_for(self, subjects: Sequence[Subject]) -> Plan:
        return self.plan(frozenset(k for s in subjects for k in s.kinds))

    def access(self, subjects: Sequence[Subject], sink: RowSink) -> TraversalStats:
        """Stream every row of every subject to ``sink``, partitioned per subject; the caller
        writes nothing out if this raises GuardError (the guard checks after the walk)."""
        return self.walk_all(subjects, sink)

    def walk_all(self, subjects: Sequence[Subject], sink: RowSink) -> TraversalStats:
        """Walk for ``subjects``; with copy collections, check each copy row is the person's,
        and with a ``closure``, walk again with the identifying values found (``closure.py``)."""
        return self._walk_all(subjects, sink)[1]

    def _walk_all(self, subjects: Sequence[Subject], sink: RowSink) -> tuple[Plan, TraversalStats]:
        """``walk_all``, and the plan of its last pass (which reaches the most collections)."""
        plan = self.plan_for(subjects)
        closure = self.datamap.closure
        scanned = payloads.payload_steps(self.datamap)
        if not (closure or scanned or any(c.copies for _, c in self.datamap.collections())):
            return plan, self.walk(plan, subjects, sink)
        weak = frozenset(closure.weak if closure else ("ip_address", "device_id"))
        check = CopyCheck(sink, self.datamap, PersonValues(subjects), weak)
        stats = self.walk(plan, subjects, check)
        records = [ClosureRecord() for _ in subjects]
        current = list(subjects)
        for _ in range(closure.max_rounds if closure is not None else 0):
            assert closure is not None
            grown = expand(self.datamap, closure, self.connectors, plan, current, check, records)
            if grown is None:
                break
            for record, before, after in zip(records, current, grown, strict=True):
                record.rounds += len(after.identities) > len(before.identities)
            current, plan = grown, self.plan_for(grown)
            more = self.walk(plan, current, check)
            stats.queries += more.queries
            for name, count in more.mentions.items():
                stats.mentions[name] = stats.mentions.get(name, 0) + count
        if scanned:
            payloads.find(scanned, self.connectors, check.values, len(subjects), check)
            known = {step.name for step in plan.steps}
            extra = tuple(step for step, _ in scanned if step.name not in known)
            plan = replace(plan, steps=(*plan.steps, *extra))
            for step in extra:
                stats.rows[step.name] = 0
        stats.rows = {name: len(check.passed.get(name, {})) for name in stats.rows}
        stats.refused = {name: n for name, n in check.refused.items() if n}
        stats.closure = [r.as_json() for r in records] if closure else []
        return plan, stats

    def walk(self, plan: Plan, subjects: Sequence[Subject], sink: RowSink) -> TraversalStats:
        """Run ``plan`` for ``subjects`` into ``sink``, then raise GuardError on any over-reach."""
        if not self.guard or not plan.guarded:  # nothing to check: the guard costs nothing
            return Traversal(plan, self.connectors, sink, self.progress).run(subjects)
        guard = Guard(plan)
        stats = Traversal(plan, self.connectors, Tee(sink, guard), self.progress).run(subjects)
        guard.check(subjects)
        return stats

    def erase(
        self,
        subjects: Sequence[Subject],
        *,
        dry_run: bool = False,
        scope: frozenset[str] | None = None,
        holds: Holds | None = None,
    ) -> ErasureResult:
        """Erase ``subjects`` everywhere (or only in the ``system.collection`` names of scope),
        leaving the places ``holds`` names as they are (``engine/holds.py``)."""
        action = "erasure" if scope is None else f"erasure of {','.join(sorted(scope))}"
        action += holding(holds)
        run_id = self.run_id(action, subjects)
        saved = None if dry_run else resume(self.checkpoints, run_id)
        needles = [{i.value for i in s.identities} for s in subjects]
        links: list[set[Identity]] = [set() for _ in subjects]
        if saved is None:
            state, needles, held, links = self._collect(
                run_id, subjects, scope, holds, vault=not dry_run
            )
            if held and self.seal is not None:
                # sealed before the checkpoint is written, so its copy never sits on disk in
                # clear; sealing again after a crash here is harmless (it is idempotent)
                self.seal(held)
            if dry_run:
                changes = state.decoded()
                described = describe(changes)
                return ErasureResult(
                    run_id,
                    True,
                    False,
                    state.report,
                    described,
                    changes=changes,
                    closure=state.closure or [],
                )
            self._save(run_id, state.to_parts(), durable=True)
        else:
            state = saved
        changes = state.decoded()
        affected = self._apply(state, changes)
        return ErasureResult(
            run_id,
            False,
            saved is not None,
            state.report,
            describe(changes),
            affected,
            needles=needles,
            closure=state.closure or [],
            links=links,
        )

    def expire(self) -> dict[str, int]:
        """Delete rows past their ``keep_for`` period in every collection; rows per collection.

        Runs for everyone at once, with no request (PIPL Art. 47(1)); one transaction per
        system. Rows under a legal retention rule are the rule's business, not this sweep's:
        the data map refuses ``keep_for`` on a collection that has one.
        """
        today = self.today()
        done: dict[str, int] = {}
        for system in self.datamap.systems:
            expiring = [c for c in system.collections if c.keep_for is not None]
            if not expiring:
                continue
            changes: list[Change] = []
            for collection in expiring:
                keep = collection.keep_for
                assert keep is not None
                cutoff = keep.period.before(today)
                changes.append(DeleteOlder(collection.name, keep.start, cutoff.isoformat()))
            transaction = self.connectors[system.name].begin()
            try:
                counts = transaction.apply(changes)
            except RightsdeskError:
                transaction.rollback()
                raise
            transaction.commit()
            for collection, count in zip(expiring, counts, strict=True):
                done[f"{system.name}.{collection.name}"] = count
        return done

    def find(self, subjects: Sequence[Subject]) -> dict[str, list[tuple[Row, Owners]]]:
        """Every row of ``subjects`` per ``system.collection``, each once with its owners."""
        collector = erasure.ErasureCollector()
        self.walk_all(subjects, collector)
        return {name: list(rows.values()) for name, rows in collector.found.items()}

    def remove(self, system: str, collection: str, key: str, keys: Sequence[Any]) -> int:
        """Delete the rows whose ``key`` is in ``keys`` in one transaction; rows deleted."""
        transaction = self.connectors[system].begin()
        try:
            deleted = transaction.apply([DeleteWhere(collection, key, list(keys))])[0]
        except RightsdeskError:
            transaction.rollback()
            raise
        transaction.commit()
        return deleted

    def update(
        self, system: str, collection: str, key: str, keys: Sequence[Any], values: dict[str, Any]
    ) -> int:
        """Set ``values`` on the rows whose ``key`` is in ``keys``, in one transaction."""
        transaction = self.connectors[system].begin()
        try:
            updated = transaction.apply([UpdateWhere(collection, key, list(keys), values)])[0]
        except RightsdeskError:
            transaction.rollback()
            raise
        transaction.commit()
        return updated

    def correct(self, subject: Subject, values: Mapping[Copy, Any]) -> CorrectionResult:
        """Set each copy's new value in every row of ``subject``; all stores or none."""
        wanted = sorted((str(c), v) for c, v in values.items())
        run_id = self.run_id(f"correction {json.dumps(wanted, default=str)}", [subject])
        state = resume(self.checkpoints, run_id)
        resumed = state is not None
        if state is None:
            plan = self.plan_for([subject])
            collector = erasure.ErasureCollector()
            self.walk(plan, [subject], collector)
            changes, report = correction.build(self.datamap, plan, collector.found, values)
            meta = RunMeta(run_id, "correction", started_at=_now(), subjects=1)
            state = RunCheckpoint(meta, encode_changes(changes), report)
            self._save(run_id, state.to_parts(), durable=True)
        affected = self._apply(state, state.decoded())
        return CorrectionResult(run_id, resumed, state.report, affected)

    def run_id(self, action: str, subjects: Sequence[Subject]) -> str:
        """Same data map, action and people -> same id, so a repeated command resumes."""
        people = sorted((s.id, sorted((i.kind, i.value) for i in s.identities)) for s in subjects)
        text = json.dumps([self.datamap.source, action, people])
        return hashlib.sha256(text.encode()).hexdigest()[:20]

    def _collect(
        self,
        run_id: str,
        subjects: Sequence[Subject],
        scope: frozenset[str] | None,
        holds: Holds | None,
        *,
        vault: bool,
    ) -> tuple[RunCheckpoint, list[set[str]], list[HeldRow], list[set[Identity]]]:
        collector = erasure.ErasureCollector()
        plan, stats = self._walk_all(subjects, collector)
        sealing = vault and self.seal is not None
        schema = self._schema()
        needles = gather_needles(self.datamap, plan, collector.found, list(subjects))
        work = erasure.build(
            self.datamap,
            plan,
            collector.found,
            len(subjects),
            key=self.key,
            today=self.today(),
            subject_ids=[s.id for s in subjects] if sealing else (),
            scope=scope,
            schema=schema,
            mentions=collector.mentions,
            needles=needles,
            holds=holds,
        )
        linked = held_links(self.datamap, plan, collector.found, holds, len(subjects))
        meta = RunMeta(run_id, "erasure", started_at=_now(), subjects=len(subjects))
        state = RunCheckpoint(
            meta,
            encode_changes(work.changes),
            [report_json(r, plan) for r in work.report],
            stats.closure,
        )
        return state, needles, work.held, linked

    def _schema(self) -> dict[str, Columns]:
        """The live columns of every collection the erasure may mask, described once."""
        if self._columns is None:
            masking = {
                s.name
                for s, c in self.datamap.collections()
                if any(f.erase is not None and not f.erase.deletes_row for f in c.fields)
            }
            self._columns = {}
            for system in self.datamap.systems:
                if system.name in masking:
                    names = [c.name for c in system.collections]
                    described = self.connectors[system.name].describe(names)
                    self._columns |= columns_of(system.name, described)
        return self._columns

    def _apply(
        self, state: RunCheckpoint, changes: dict[str, list[Change]]
    ) -> dict[str, list[int]]:
        """Commit every system not yet committed, marking each; then mark the run done and
        drop its changes (they carry key values of the people concerned)."""
        meta = state.meta
        pending = [s for s in changes if s not in meta.committed and changes[s]]
        urls = {s.name: s.url for s in self.datamap.systems}
        stores = apply.stores({s: self.connectors[s] for s in pending}, urls)
        try:
            open_, affected = apply.open_all(self.connectors, apply.lanes(pending, stores), changes)
        except RightsdeskError as exc:
            raise ExecutionError(
                meta.run_id, f"{exc}; every system was rolled back, run again to resume"
            ) from exc
        committed: set[int] = set()  # systems sharing a store's one transaction commit it once
        for number, system in enumerate(pending):
            try:
                if id(open_[system]) not in committed:
                    open_[system].commit()
                    committed.add(id(open_[system]))
            except RightsdeskError as exc:
                for transaction in list(open_.values())[number + 1 :]:
                    transaction.rollback()
                raise ExecutionError(
                    meta.run_id, f"commit failed in {system}: {exc}; run again to resume"
                ) from exc
            meta = meta.committing(system)
            # not forced to disk: losing this mark only means re-applying idempotent changes
            self._save(meta.run_id, {"meta": meta.to_json()}, durable=False)
        done = meta.done(_now())
        self._save(meta.run_id, {"meta": done.to_json(), "changes": {}}, durable=True)
        return affected

    def _save(self, run_id: str, parts: Parts, *, durable: bool) -> None:
        if self.checkpoints is not None:
            self.checkpoints.save(run_id, parts, durable=durable)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")

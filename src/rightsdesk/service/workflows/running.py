"""What running an approved request does, per type; each returns a JSON-ready summary.

Access exports, deletion erases (sealing what the law keeps in the vault first), correction
sets new values everywhere, consent withdrawal and account cancellation run their own
workflows. Each is safe to run again after a crash: the engine resumes from its checkpoint
and the other steps check what is already done.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.retention import HeldRow
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine.runner import ErasureResult
from rightsdesk.service.consent import bindings
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.retention import vault
from rightsdesk.service.runtime import connections, runs, timing
from rightsdesk.service.runtime.checkpoints import DbCheckpoints
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.service.workflows import correction

#: The grounds of a deletion that also stop a publication and tell recipients (DEL-08).
UNLAWFUL_DISCLOSURE = "unlawful_disclosure"


@dataclass(frozen=True)
class Snapshot:
    """What a job needs from the request, read in one transaction and used outside it."""

    request_id: str
    type: RequestType
    identities: tuple[Identity, ...]
    params: dict[str, Any] = field(default_factory=dict)
    #: The export offered before an account cancellation (no status change).
    backup: bool = False


def execute(services: Services, snapshot: Snapshot) -> dict[str, Any]:
    if services.datamap is None:
        raise PolicyError("no data map is configured (set RIGHTSDESK_DATAMAP)")
    return RUNNERS[snapshot.type](services, snapshot)


def access(services: Services, snapshot: Snapshot) -> dict[str, Any]:
    """Export everything held about the person, with their statements, as one ZIP."""
    assert services.datamap is not None
    subjects = [Subject(snapshot.request_id, snapshot.identities)]
    work_dir = services.exports_dir / f"{snapshot.request_id}.partial"
    shutil.rmtree(work_dir, ignore_errors=True)
    timer = timing.timer(services, "access")
    with connections.engine(services, timer=timer) as engine:
        exports, _ = runs.export(engine, subjects, work_dir)
    said = correction.statements(services, snapshot.identities)
    if said:
        (exports[0].directory / "statements.json").write_text(
            json.dumps(said, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    archive = services.exports_dir / f"{snapshot.request_id}.zip"
    _zip(exports[0].directory, archive)
    shutil.rmtree(work_dir, ignore_errors=True)
    return {
        "collections": {name: {"found": n} for name, n in exports[0].rows.items()},
        "file": archive.name,
        **({"statements": len(said)} if said else {}),
    }


def delete(services: Services, snapshot: Snapshot) -> dict[str, Any]:
    """Erase the person (in ``params.scope`` only, when given); stop unlawful publication."""
    return delete_batch(services, [snapshot])[0]


def batchable(snapshot: Snapshot) -> bool:
    """Whether a deletion can share one set-based run with others (the plain, whole case)."""
    return (
        snapshot.type is RequestType.DELETE
        and not snapshot.backup
        and not snapshot.params.get("scope")
        and snapshot.params.get("ground") != UNLAWFUL_DISCLOSURE
    )


def delete_batch(services: Services, snapshots: Sequence[Snapshot]) -> list[dict[str, Any]]:
    """Erase several people in one set-based run (same scope); one summary each, in order."""
    scope = snapshots[0].params.get("scope")
    summaries = erase_many(
        services,
        [(s.request_id, s.identities) for s in snapshots],
        scope=frozenset(scope) if scope else None,
    )
    with unit(services) as work:
        for snapshot, summary in zip(snapshots, summaries, strict=True):
            _tell(services, work, snapshot, summary)
    return summaries


def _tell(services: Services, work: Unit, snapshot: Snapshot, summary: dict[str, Any]) -> None:
    touched = {c for c, o in summary["collections"].items() if o["deleted"] or o["masked"]}
    payload = {"identities": {i.kind: i.value for i in snapshot.identities}}
    if snapshot.params.get("ground") == UNLAWFUL_DISCLOSURE:
        stop = {**payload, "collections": sorted(touched), "reason": UNLAWFUL_DISCLOSURE}
        deliveries.to_host(services, work, "publication.stop", stop, request_id=snapshot.request_id)
    if touched:
        deliveries.to_recipients(
            services, work, touched, "erasure", payload, request_id=snapshot.request_id
        )


def erase(
    services: Services,
    subject_id: str,
    identities: Sequence[Identity],
    *,
    scope: frozenset[str] | None = None,
) -> dict[str, Any]:
    """The engine's erasure with the vault sealing retained rows; residue scan if configured."""
    return erase_many(services, [(subject_id, identities)], scope=scope)[0]


def erase_many(
    services: Services,
    people: Sequence[tuple[str, Sequence[Identity]]],
    *,
    scope: frozenset[str] | None = None,
) -> list[dict[str, Any]]:
    """One engine run for everyone in ``people`` (subject id, identities); a summary each."""
    assert services.datamap is not None
    subjects = [Subject(subject_id, tuple(identities)) for subject_id, identities in people]

    def seal(rows: Sequence[HeldRow]) -> None:
        vault.seal_rows(services, rows)

    timer = timing.timer(services, "erasure")
    with connections.engine(
        services,
        seal=seal,
        timer=timer,
        checkpoints=DbCheckpoints(services.store, services.clock),
    ) as engine:
        result = engine.erase(subjects, scope=scope)
    summaries: list[dict[str, Any]] = [
        {
            "run_id": result.run_id,
            "resumed": result.resumed,
            "collections": result.report[n],
            **({"batch": len(subjects)} if len(subjects) > 1 else {}),
        }
        for n in range(len(subjects))
    ]
    if services.settings.verify_erasure and len(subjects) == 1:
        # per person: execution does not batch deletions while residue scans are on
        summaries[0]["residue"] = _residue(services, result, subjects)
    return summaries


def _residue(
    services: Services, result: ErasureResult, subjects: list[Subject]
) -> list[dict[str, Any]]:
    assert services.datamap is not None
    found = runs.verify_erasure(services.datamap, result, subjects, services.settings)
    return [
        {
            "system": r.system,
            "tables_scanned": r.report.tables_scanned,
            "rows_scanned": r.report.rows_scanned,
            "flagged": [
                f"{f.table}.{f.column} {json.dumps(f.to_json()['key'], default=str)}"
                for f in r.flagged()
            ],
            "retained_hits": len(r.report.findings) - len(r.flagged()),
        }
        for r in found
    ]


def correct(services: Services, snapshot: Snapshot) -> dict[str, Any]:
    return correction.run(services, snapshot.request_id, snapshot.identities, snapshot.params)


def withdraw_consent(services: Services, snapshot: Snapshot) -> dict[str, Any]:
    """Withdraw the purposes named (narrowing the scope) and remove the bindings named."""
    purposes = list(snapshot.params.get("purposes", []))
    with unit(services) as work:
        records = [
            consent.withdraw(
                services,
                work,
                snapshot.identities,
                purpose,
                method="request",
                jurisdiction=consent.default_jurisdiction(services),
                request_id=snapshot.request_id,
            )
            for purpose in purposes
        ]
    removed = []
    present = (
        {b.id for b in bindings.listing(services, snapshot.identities)}
        if snapshot.params.get("bindings")
        else set()
    )
    for binding_id in snapshot.params.get("bindings", []):
        if binding_id in present:  # a resumed run finds it already gone
            removed.append(
                bindings.remove(
                    services,
                    snapshot.identities,
                    binding_id,
                    actor="person",
                    request_id=snapshot.request_id,
                ).id
            )
    return {
        "withdrawn": {r.purpose: r.id for r in records},
        "bindings_removed": removed,
    }


def cancel_account(services: Services, snapshot: Snapshot) -> dict[str, Any]:
    from rightsdesk.service.workflows import cancellation

    return cancellation.run(services, snapshot)


def _zip(directory: Path, archive: Path) -> None:
    partial = archive.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(directory))
    partial.chmod(0o600)
    partial.replace(archive)


Runner = Callable[[Services, Snapshot], dict[str, Any]]
RUNNERS: dict[RequestType, Runner] = {
    RequestType.ACCESS: access,
    RequestType.DELETE: delete,
    RequestType.CORRECT: correct,
    RequestType.WITHDRAW_CONSENT: withdraw_consent,
    RequestType.CANCEL_ACCOUNT: cancel_account,
}

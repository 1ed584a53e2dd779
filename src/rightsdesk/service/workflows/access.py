"""Access (ACC-01..): export everything held about the person, with their statements, as a ZIP.

The archive is offered by a signed link until ``export_ttl_hours`` pass or the data is erased.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import and_, or_, select

from rightsdesk.domain.outcome import Export
from rightsdesk.domain.requests import RequestType
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.export import processing, wording
from rightsdesk.policy import Regime
from rightsdesk.service.requests.exports import download_url
from rightsdesk.service.requests.subjects import canonical
from rightsdesk.service.restrictions import ledger
from rightsdesk.service.runtime import connections, runs, timing
from rightsdesk.service.runtime.context import Services, Unit
from rightsdesk.service.workflows import correction
from rightsdesk.service.workflows.base import Snapshot, Summary, Workflow
from rightsdesk.store.models import Request, RequestIdentity

#: What a CCPA "know" answer confirms as held but never shows (CCR 7024(d); ACC-09):
#: government ID numbers, financial account numbers, passwords, security questions, biometrics.
CONFIRM_ONLY = (
    "user.government_id.national_id",
    "user.government_id.passport",
    "user.financial.bank_account",
    "user.authorization.credentials",
    "user.authorization.security_question",
    "user.biometric",
)


class Access(Workflow):
    type = RequestType.ACCESS

    def run(self, services: Services, snapshot: Snapshot) -> Summary:
        return export(services, snapshot)

    def finish(
        self, services: Services, work: Unit, request: Request, summary: Summary
    ) -> dict[str, Any]:
        return offer(services, work, request, summary["file"])


def export(services: Services, snapshot: Snapshot) -> Summary:
    """Export everything held about the person, with their statements, as one ZIP."""
    subjects = [Subject(snapshot.request_id, snapshot.identities)]
    work_dir = services.exports_dir / f"{snapshot.request_id}.partial"
    shutil.rmtree(work_dir, ignore_errors=True)
    timer = timing.timer(services, "access")
    context = told(services, snapshot.regimes, snapshot.locale)
    datamap = services.require_datamap()
    hidden = CONFIRM_ONLY if "ccpa" in snapshot.regimes else ()
    kept = apart(services, snapshot.identities)
    with connections.engine(services, timer=timer) as engine:
        exports, _ = runs.export(
            engine,
            subjects,
            work_dir,
            processing=lambda held: processing.build(datamap, held, context, kept),
            locale=snapshot.locale,
            confirm_only=hidden,
        )
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
        **({"held_apart": kept} if kept else {}),
    }


def apart(services: Services, identities: Sequence[Identity]) -> list[processing.Apart]:
    """The person's places a restriction in force or a refused part of an earlier request
    keeps apart (held, not used or not deleted), for the ``processing`` section."""
    kept: list[processing.Apart] = [
        {
            "kind": "restriction",
            "places": sorted(r.marks) or list(r.collections),
            "ground": r.ground,
            "since": r.opened_at.isoformat(),
        }
        for r in ledger.restricting(services, identities)
    ]
    for request in _holding(services, identities):
        kept += [
            {
                "kind": "refused_part",
                "places": list(part.places),
                "ground": part.ground,
                "title": part.title,
                "request_id": request.id,
                "since": (request.closed_at or request.updated_at).isoformat(),
            }
            for part in request.outcome.refused_parts
            if part.holding()
        ]
    return kept


def told(services: Services, regimes: Sequence[str], locale: str) -> processing.Context:
    """What the ``processing`` section needs besides the data map (GDPR 15(1)(e)-(f), PIPL 48)."""
    shown = locale if locale in wording.LOCALES else "en"
    remedies = services.policy.remedies([Regime(r) for r in regimes] or None, shown)
    return processing.Context(
        locale=shown,
        complaints=[
            {"regime": r.regime.value, "code": r.code, "basis": r.basis, "text": r.text}
            for r in remedies
        ],
        rights=[kind.value for kind in RequestType],
        url=services.slices.links.public_url,
    )


def held_in(summary: Mapping[str, Any]) -> dict[str, int]:
    """Rows found per collection, from an access run's summary (the outcome's ``run``)."""
    return {name: int(c.get("found", 0)) for name, c in summary.get("collections", {}).items()}


def offer(services: Services, work: Unit, request: Request, file: str) -> dict[str, Any]:
    """Record the export in the outcome; the link and its expiry, to tell the person."""
    expires = work.now + timedelta(hours=services.slices.links.export_ttl_hours)
    request.outcome = replace(request.outcome, export=Export(file, expires.isoformat()))
    return {
        "download_url": download_url(services, request.id, expires.timestamp()),
        "expires_at": expires.isoformat(timespec="minutes"),
    }


def _holding(services: Services, identities: Sequence[Identity]) -> list[Request]:
    """The person's closed requests (by any identity given) with refused parts still held."""
    if not identities:
        return []
    same = [
        and_(RequestIdentity.kind == i.kind, RequestIdentity.value.in_({i.value, _canon(i)}))
        for i in identities
    ]
    with services.store.session() as session:
        found = session.scalars(
            select(Request).where(
                Request.id.in_(select(RequestIdentity.request_id).where(or_(*same))),
                Request.closed_at.is_not(None),
            )
        ).all()
        return sorted((r for r in found if r.outcome.held()), key=lambda r: r.received_at)


def _canon(identity: Identity) -> str:
    try:
        return canonical(identity)
    except ValueError:
        return identity.value


def _zip(directory: Path, archive: Path) -> None:
    partial = archive.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(directory.rglob("*")):
            if path.is_file():
                zipped.write(path, path.relative_to(directory))
    partial.chmod(0o600)
    partial.replace(archive)

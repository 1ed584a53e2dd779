"""Deletion (DEL-01..): erase the person, sealing what the law keeps in the vault first.

``params.ground`` is a catalogued ``DeletionGround`` (or absent). On the ground of an unlawful
public disclosure (doc (c)2, DEL-08) the publication is stopped as soon as the person is
verified, before approval and erasure: the host gets ``publication.stop`` and every recipient
of the collections concerned is told to delete, once. Plain, whole deletions share one
set-based engine run when several wait (``run_batch``); a scoped one (``params.scope``) runs
alone. Recipients of the erased collections are told what changed (DEL-07).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from rightsdesk.audit import events
from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.requests import DeletionGround, RequestType
from rightsdesk.domain.retention import HeldRow
from rightsdesk.domain.subjects import Identity, Subject
from rightsdesk.engine import holds
from rightsdesk.engine.runner import ErasureResult
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.requests import lifecycle
from rightsdesk.service.requests.notices import notice
from rightsdesk.service.retention import vault
from rightsdesk.service.runtime import connections, runs, timing
from rightsdesk.service.runtime.checkpoints import DbCheckpoints
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.service.workflows.base import Asked, Snapshot, Summary, Workflow
from rightsdesk.store.models import Request

#: The ground of a deletion that stops a publication on intake (DEL-08).
UNLAWFUL_DISCLOSURE = DeletionGround.UNLAWFUL_DISCLOSURE.value
#: The host event, and the recipients' one, that stops a public disclosure.
PUBLICATION_STOP = "publication.stop"


class Deletion(Workflow):
    type = RequestType.DELETE
    journaled = True

    def check(self, services: Services, asked: Asked) -> Mapping[str, Any]:
        """``ground``: absent or one of the catalogue (never free text)."""
        ground = asked.params.get("ground")
        if ground is not None and ground not in {g.value for g in DeletionGround}:
            known = ", ".join(g.value for g in DeletionGround)
            raise PolicyError(f"params.ground {ground!r} is not a deletion ground; use {known}")
        return asked.params

    def after_verification(self, services: Services, work: Unit, request: Request) -> bool:
        if request.params.get("ground") == UNLAWFUL_DISCLOSURE:
            stop_publication(services, work, request)
        return False  # then approval and the erasure, as for any deletion

    def run(self, services: Services, snapshot: Snapshot) -> Summary:
        """Erase the person (in ``params.scope`` only, when given); stop unlawful publication."""
        return delete_batch(services, [snapshot])[0]

    def batchable(self, snapshot: Snapshot) -> bool:
        return batchable(snapshot)

    def run_batch(self, services: Services, snapshots: Sequence[Snapshot]) -> list[Summary]:
        return delete_batch(services, snapshots)

    def lifted(
        self, services: Services, work: Unit, request: Request, places: Sequence[str]
    ) -> Request | None:
        return erase_later(services, work, request, places)


def erase_later(
    services: Services, work: Unit, request: Request, places: Sequence[str]
) -> Request | None:
    """The follow-up deletion of places whose hold was lifted after the run: scoped to their
    collections, found by the request's identities and those the held rows carry."""
    run = request.outcome.run or {}
    linked = [Identity(kind, value) for kind, value in run.get("links", ())]
    identities = {Identity(i.kind, i.value) for i in request.identities} | set(linked)
    scope = sorted({p if p.count(".") == 1 else p.rpartition(".")[0] for p in places})
    return services.open_followup(
        services,
        work,
        RequestType.DELETE,
        sorted(identities),
        params={"scope": scope, "reason": f"hold lifted on request {request.id}"},
    )


def batchable(snapshot: Snapshot) -> bool:
    """Whether a deletion can share one set-based run with others (the plain, whole case)."""
    return (
        snapshot.type is RequestType.DELETE
        and not snapshot.aside
        and not snapshot.params.get("scope")
        and not snapshot.held
    )


def delete_batch(services: Services, snapshots: Sequence[Snapshot]) -> list[dict[str, Any]]:
    """Erase several people in one set-based run (same scope); one summary each, in order."""
    scope = snapshots[0].params.get("scope")
    summaries = erase_many(
        services,
        [(s.request_id, s.identities) for s in snapshots],
        scope=frozenset(scope) if scope else None,
        held=snapshots[0].held,
    )
    with unit(services) as work:
        for snapshot, summary in zip(snapshots, summaries, strict=True):
            _tell(services, work, snapshot, summary)
    return summaries


def stop_publication(services: Services, work: Unit, request: Request) -> None:
    """Stop an unlawful public disclosure now (DEL-08), once per request: the host stops
    publishing, the recipients of the collections concerned are told to delete."""
    if "publication_stopped_at" in request.params:
        return  # a later step (a step-up code, a fee) after the stop already went out
    datamap = services.require_datamap()
    scope = request.params.get("scope")
    collections = sorted(scope or {f"{s.name}.{c.name}" for s, c in datamap.collections()})
    identities = {i.kind: i.value for i in request.identities}
    payload = {"identities": identities, "collections": collections, "reason": UNLAWFUL_DISCLOSURE}
    deliveries.to_host(services, work, PUBLICATION_STOP, payload, request_id=request.id)
    told = deliveries.to_recipients(
        services, work, collections, PUBLICATION_STOP, payload, request_id=request.id
    )
    names = sorted({r.name for r in datamap.recipients_for(set(collections))})
    request.params = {**request.params, "publication_stopped_at": work.now.isoformat()}
    lifecycle.record(
        work,
        request,
        events.PUBLICATION_STOPPED,
        actor="system",
        data={"ground": UNLAWFUL_DISCLOSURE, "recipients": len(told)},
    )
    work.notices.append(notice(request, "publication_stopped", {"recipients": names}))


def _tell(services: Services, work: Unit, snapshot: Snapshot, summary: dict[str, Any]) -> None:
    touched = {c for c, o in summary["collections"].items() if o["deleted"] or o["masked"]}
    payload = {"identities": {i.kind: i.value for i in snapshot.identities}}
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
    held: Sequence[str] = (),
) -> dict[str, Any]:
    """The engine's erasure with the vault sealing retained rows; residue scan if configured.
    ``held`` places (refused parts) are left as they are."""
    return erase_many(services, [(subject_id, identities)], scope=scope, held=held)[0]


def erase_many(
    services: Services,
    people: Sequence[tuple[str, Sequence[Identity]]],
    *,
    scope: frozenset[str] | None = None,
    held: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """One engine run for everyone in ``people`` (subject id, identities); a summary each."""
    subjects = [Subject(subject_id, tuple(identities)) for subject_id, identities in people]
    kept = holds.holds(services.require_datamap(), held) if held else None

    def seal(rows: Sequence[HeldRow]) -> None:
        vault.seal_rows(services, rows)

    timer = timing.timer(services, "erasure")
    with connections.engine(
        services,
        seal=seal,
        timer=timer,
        checkpoints=DbCheckpoints(services.store, services.clock),
    ) as engine:
        result = engine.erase(subjects, scope=scope, holds=kept)
    summaries: list[dict[str, Any]] = [
        {
            "run_id": result.run_id,
            "resumed": result.resumed,
            "collections": result.report[n],
            **({"batch": len(subjects)} if len(subjects) > 1 else {}),
            **_links(result, n, held),
        }
        for n in range(len(subjects))
    ]
    if services.slices.residue.on and len(subjects) == 1:
        # per person: execution does not batch deletions while residue scans are on
        summaries[0]["residue"] = _residue(services, result, subjects)
    return summaries


def _links(result: ErasureResult, n: int, held: Sequence[str]) -> dict[str, Any]:
    """The held places and the identities that find their rows again once the hold is lifted."""
    if not held:
        return {}
    links = sorted([i.kind, i.value] for i in result.links[n]) if result.links else []
    return {"held": list(held), "links": links}


def _residue(
    services: Services, result: ErasureResult, subjects: list[Subject]
) -> list[dict[str, Any]]:
    key = services.slices.residue.hash_key()
    found = runs.verify_erasure(services.require_datamap(), result, subjects, key)
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

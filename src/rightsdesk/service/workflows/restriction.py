"""Restriction of processing (GDPR Art. 18, PIPL Art. 44): the person's rows marked, kept only.

The run walks the data map from the person's identities, marks their rows in every collection
in scope as the map says (``restrictions.marks``) and records the restriction, found by keyed
hashes of every identity the rows hold (``restrictions.ledger``), so the host's processing check
sees it at once. It stays until an operator lifts it, the person being told first
(``restrictions.lifting``); one opened for a contested correction (``until_request``) is
lifted when that correction is decided.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.requests import lifecycle
from rightsdesk.service.restrictions import ledger, marks
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.service.workflows.base import Asked, Snapshot, Summary, Workflow
from rightsdesk.store.models import Request

#: GDPR Art. 18(1)(a)-(d), and PIPL Art. 44's right to restrict without a stated ground.
GROUNDS = (
    "accuracy_contested",
    "unlawful_processing",
    "needed_for_legal_claims",
    "objection_pending",
    "other",
)


class Restrict(Workflow):
    type = RequestType.RESTRICT
    #: Marking data restricted discloses and destroys nothing: the first proof suffices.
    fresh_identity = False

    def check(self, services: Services, asked: Asked) -> Mapping[str, Any]:
        return check(services, asked.params)

    def run(self, services: Services, snapshot: Snapshot) -> Summary:
        return restrict(services, snapshot)

    def finish(
        self, services: Services, work: Unit, request: Request, summary: Summary
    ) -> dict[str, Any]:
        return {
            "restricted": sorted(summary.get("collections", {})),
            "told_recipients": list(summary.get("recipients", [])),
        }


def check(services: Services, params: Mapping[str, Any]) -> dict[str, Any]:
    """``ground`` (one of ``GROUNDS``), ``collections`` (optional ``system.collection``s)."""
    datamap = services.require_datamap()
    ground, collections = params.get("ground", "other"), params.get("collections", [])
    if ground not in GROUNDS:
        raise PolicyError(f"params.ground must be one of {', '.join(GROUNDS)}")
    if not isinstance(collections, list) or not all(isinstance(c, str) for c in collections):
        raise PolicyError("params.collections must be a list of system.collection names")
    known = marks.in_scope(datamap, [])
    unknown = sorted(set(collections) - set(known))
    if unknown:
        raise PolicyError(
            f"unknown collection(s) {', '.join(unknown)}; personal data is held in "
            f"{', '.join(known)}"
        )
    if "until_request" in params:
        raise PolicyError("params.until_request is set by rightsdesk, not by the requester")
    return {"ground": ground, "collections": list(dict.fromkeys(collections))}


def restrict(services: Services, snapshot: Snapshot) -> Summary:
    """Mark the person's rows and record the restriction (once: a resumed run finds it)."""
    datamap = services.require_datamap()
    with unit(services) as work:
        opened = ledger.for_request(work, snapshot.request_id)
    if opened:
        return _summary(services, opened[0].id, opened[0].marks)
    found = marks.find(services, snapshot.request_id, snapshot.identities)
    scope = marks.in_scope(datamap, snapshot.params.get("collections", []))
    scope = [c for c in scope if c not in snapshot.held]  # a refused part is left unmarked
    marked = marks.by_mark(datamap, found, scope)
    marks.flag(services, marked, True)
    with unit(services) as work:
        request = lifecycle.load(work, snapshot.request_id)
        restriction = ledger.record(
            services,
            work,
            request,
            kind="restriction",
            ground=snapshot.params.get("ground", "other"),
            identities=found.identities,
            collections=snapshot.params.get("collections", []),
            marks=marked,
            rows={n: found.rows[n] for n in marks.collections_marked(marked, "side_table")},
        )
        identities = {i.kind: i.value for i in snapshot.identities}
        hosted = marks.collections_marked(marked, "host_event")
        if hosted:
            body = {"identities": identities, "collections": hosted}
            deliveries.to_host(
                services, work, "processing.restrict", body, request_id=snapshot.request_id
            )
        # GDPR Art. 19: those the data was disclosed to restrict their copies too
        told = {"identities": identities, "ground": restriction.ground}
        deliveries.to_recipients(
            services, work, marked, "processing.restrict", told, request_id=snapshot.request_id
        )
        return _summary(services, restriction.id, marked)


def recipients(services: Services, marked: Mapping[str, Any]) -> list[str]:
    """Who was told of a restriction of the ``marked`` collections (the person may ask)."""
    datamap = services.require_datamap()
    return sorted({r.name for r in datamap.recipients_for(set(marked))})


def _summary(services: Services, restriction_id: str, marked: Mapping[str, Any]) -> Summary:
    return {
        "restriction_id": restriction_id,
        "collections": {n: {"mark": m["mark"], "rows": m["rows"]} for n, m in marked.items()},
        "recipients": recipients(services, marked),
    }

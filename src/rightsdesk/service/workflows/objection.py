"""Objection to processing (GDPR Art. 21; PIPL Art. 44's right to refuse): it stops at once.

A person objects to purposes of the data map's catalogue whose basis is legitimate interests
or a public task, or that are direct marketing. The run records one objection per purpose,
found by keyed hashes of every identity the person's rows hold, so the host's processing
check refuses that purpose for them at once, and tells the host which features to stop. For
direct marketing that is final (Art. 21(3)); otherwise an operator may lift the objection by
recording the compelling legitimate grounds that override it (Art. 21(1)), and the person is
told them first, with their remedies (``restrictions.lifting``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rightsdesk.datamap.rights import Purpose
from rightsdesk.domain.errors import Code, PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.service.deliveries import outbox as deliveries
from rightsdesk.service.requests import lifecycle
from rightsdesk.service.restrictions import ledger, marks
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.service.workflows.base import Asked, Snapshot, Summary, Workflow
from rightsdesk.store.models import Request

#: Bases an objection can be made against (consent is withdrawn instead, Art. 7(3)).
OBJECTABLE = frozenset({"legitimate_interests", "public_task"})
REASON_LIMIT = 4000


class Objection(Workflow):
    type = RequestType.OBJECT
    fresh_identity = False

    def check(self, services: Services, asked: Asked) -> Mapping[str, Any]:
        return check(services, asked.params)

    def run(self, services: Services, snapshot: Snapshot) -> Summary:
        return record(services, snapshot)

    def finish(
        self, services: Services, work: Unit, request: Request, summary: Summary
    ) -> dict[str, Any]:
        datamap = services.require_datamap()
        objected = sorted(summary.get("objections", {}))
        marketing = any(p.direct_marketing for n in objected if (p := datamap.purpose(n)))
        return {"objected": objected, "objected_marketing": marketing}


def objectable(purpose: Purpose) -> bool:
    return purpose.direct_marketing or purpose.basis in OBJECTABLE


def check(services: Services, params: Mapping[str, Any]) -> dict[str, Any]:
    """``purposes`` (objectable ones of the catalogue) and ``reason`` (the person's particular
    situation; needed unless every purpose is direct marketing)."""
    datamap = services.require_datamap()
    purposes, reason = params.get("purposes", []), params.get("reason")
    if (
        not isinstance(purposes, list)
        or not purposes
        or not all(isinstance(p, str) for p in purposes)
    ):
        raise PolicyError(
            "params.purposes must name the purposes you object to", code=Code.OBJECTION_PURPOSES
        )
    allowed = {p.name: p for p in datamap.purposes if objectable(p)}
    unknown = sorted(set(purposes) - set(allowed))
    if unknown:
        raise PolicyError(
            f"no objection can be made to {', '.join(unknown)} (consent-based purposes are "
            f"withdrawn instead); objectable: {', '.join(sorted(allowed)) or 'none'}",
            code=Code.NOT_OBJECTABLE,
            params={"purposes": ", ".join(unknown)},
        )
    if reason is not None and (not isinstance(reason, str) or len(reason) > REASON_LIMIT):
        raise PolicyError(
            f"params.reason must be a text of at most {REASON_LIMIT} characters",
            code=Code.OBJECTION_REASON,
        )
    situational = [p for p in purposes if not allowed[p].direct_marketing]
    if situational and not (reason or "").strip():
        raise PolicyError(
            f"say why you object to {', '.join(situational)}: an objection to processing on "
            "legitimate interests or a public task rests on your particular situation",
            code=Code.OBJECTION_REASON,
        )
    out: dict[str, Any] = {"purposes": list(dict.fromkeys(purposes))}
    if reason:
        out["reason"] = reason.strip()
    return out


def record(services: Services, snapshot: Snapshot) -> Summary:
    """One objection per purpose (once: a resumed run finds them); the host told to stop."""
    datamap = services.require_datamap()
    with unit(services) as work:
        opened = ledger.for_request(work, snapshot.request_id)
    if opened:
        return {"objections": {r.purpose: r.id for r in opened}}
    found = marks.find(services, snapshot.request_id, snapshot.identities)
    ids = {i.kind: i.value for i in snapshot.identities}
    done = {}
    with unit(services) as work:
        request = lifecycle.load(work, snapshot.request_id)
        for name in snapshot.params["purposes"]:
            purpose = datamap.purpose(name)
            assert purpose is not None  # checked at intake
            ground = "direct_marketing" if purpose.direct_marketing else "particular_situation"
            objection = ledger.record(
                services,
                work,
                request,
                kind="objection",
                ground=ground,
                identities=found.identities,
                purpose=name,
                collections=list(purpose.collections),
            )
            body = {"identities": ids, "purpose": name, "features": list(purpose.features)}
            deliveries.to_host(
                services, work, "processing.objection", body, request_id=snapshot.request_id
            )
            done[name] = objection.id
    return {"objections": done}

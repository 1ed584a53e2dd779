"""CCPA's opt-out of sale or sharing (CCR 7026) and limit of sensitive personal information
(CCR 7027): requests that take effect without identity verification (OPT-04, OPT-05, INT-12).

An opt-out withdraws every purpose of the data map that sells or shares personal information
(``sale_or_sharing``), one consent receipt each, the host and third parties told (as a
withdrawal). A limit records a restriction of kind ``limit`` on every collection holding
sensitive personal information: the processing check then refuses, for those collections, any
purpose the map does not mark ``sensitive_use_permitted`` (the uses CCR 7027(m) allows). Both
run at once: nobody has to prove who they are, so there is no code and no step-up; an
operator who believes one is fraudulent flags it and may deny it with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rightsdesk.datamap.model import DataMap
from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.requests import lifecycle
from rightsdesk.service.restrictions import ledger, marks
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.service.workflows.base import Asked, Snapshot, Summary, Workflow
from rightsdesk.store.models import Request

#: Data categories that hold sensitive personal information (Civ. Code 1798.140(ae)).
SENSITIVE = (
    "user.government_id.national_id",
    "user.government_id.passport",
    "user.financial.bank_account",
    "user.authorization.credentials",
    "user.authorization.security_question",
    "user.biometric",
    "user.location",
)


class OptOut(Workflow):
    type = RequestType.OPT_OUT
    needs_verification = False
    fresh_identity = False

    def check(self, services: Services, asked: Asked) -> Mapping[str, Any]:
        if not sold(services.require_datamap()):
            raise PolicyError("no purpose of this company sells or shares personal information")
        if asked.params:
            raise PolicyError("an opt-out of sale or sharing takes no params")
        return {}

    def run(self, services: Services, snapshot: Snapshot) -> Summary:
        origin = consent.Origin("request", "ccpa", snapshot.request_id)
        with unit(services) as work:
            records = [
                consent.withdraw(services, work, snapshot.identities, name, origin)
                for name in sold(services.require_datamap())
            ]
        return {"withdrawn": {r.purpose: r.id for r in records}}

    def finish(
        self, services: Services, work: Unit, request: Request, summary: Summary
    ) -> dict[str, Any]:
        return {"opted_out": sorted(summary.get("withdrawn", {}))}


class LimitSensitive(Workflow):
    type = RequestType.LIMIT_SENSITIVE
    needs_verification = False
    fresh_identity = False

    def check(self, services: Services, asked: Asked) -> Mapping[str, Any]:
        if not sensitive(services.require_datamap()):
            raise PolicyError("this company holds no sensitive personal information")
        if asked.params:
            raise PolicyError("a limit of sensitive personal information takes no params")
        return {}

    def run(self, services: Services, snapshot: Snapshot) -> Summary:
        with unit(services) as work:
            opened = ledger.for_request(work, snapshot.request_id)
        if opened:
            return {"restriction_id": opened[0].id, "limited": list(opened[0].collections)}
        found = marks.find(services, snapshot.request_id, snapshot.identities)
        where = sensitive(services.require_datamap())
        with unit(services) as work:
            request = lifecycle.load(work, snapshot.request_id)
            limit = ledger.record(
                services,
                work,
                request,
                kind="limit",
                ground="ccpa_7027",
                identities=found.identities,
                collections=where,
            )
            return {"restriction_id": limit.id, "limited": where}

    def finish(
        self, services: Services, work: Unit, request: Request, summary: Summary
    ) -> dict[str, Any]:
        return {"restricted": summary.get("limited", [])}


def sold(datamap: DataMap) -> list[str]:
    """The purposes that sell or share personal information, by name."""
    return [p.name for p in datamap.purposes if p.sale_or_sharing and p.basis == "consent"]


def sensitive(datamap: DataMap) -> list[str]:
    """``system.collection`` of every collection with a field of a sensitive category."""
    return [
        f"{s.name}.{c.name}"
        for s, c in datamap.collections()
        if c.personal and any(cat.startswith(SENSITIVE) for f in c.fields for cat in f.categories)
    ]

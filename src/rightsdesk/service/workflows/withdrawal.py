"""Consent withdrawal as a request (WDR-01..): withdraw the purposes named, remove the bindings.

Withdrawing a purpose may open a deletion of what only that purpose justified (WDR-05; see
``consent.effects``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rightsdesk.domain.errors import PolicyError
from rightsdesk.domain.requests import RequestType
from rightsdesk.service.consent import bindings
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.runtime.context import Services, unit
from rightsdesk.service.workflows.base import Asked, Snapshot, Summary, Workflow


class Withdrawal(Workflow):
    type = RequestType.WITHDRAW_CONSENT
    stop_events = frozenset({"consent.withdrawn", "binding.revoked"})

    def check(self, services: Services, asked: Asked) -> Mapping[str, Any]:
        return check(services, asked.params)

    def run(self, services: Services, snapshot: Snapshot) -> Summary:
        return withdraw_consent(services, snapshot)


def check(services: Services, params: Mapping[str, Any]) -> dict[str, Any]:
    """``purposes`` (consent-based ones of the catalogue) and ``bindings`` (ids as listed)."""
    purposes, bound = params.get("purposes", []), params.get("bindings", [])
    for name, value in (("purposes", purposes), ("bindings", bound)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PolicyError(f"params.{name} must be a list of names")
    if not purposes and not bound:
        raise PolicyError("name the purposes to withdraw consent for, or bindings to remove")
    catalogue = services.datamap.purposes if services.datamap else ()
    consented = {p.name for p in catalogue if p.basis == "consent"}
    unknown = sorted(set(purposes) - consented)
    if unknown:
        raise PolicyError(
            f"unknown purpose(s) {', '.join(unknown)}; consent can be withdrawn for "
            f"{', '.join(sorted(consented)) or 'none (the data map lists no purposes)'}"
        )
    return {**params, "purposes": list(dict.fromkeys(purposes)), "bindings": list(bound)}


def withdraw_consent(services: Services, snapshot: Snapshot) -> dict[str, Any]:
    """Withdraw the purposes named (narrowing the scope) and remove the bindings named."""
    purposes = list(snapshot.params.get("purposes", []))
    origin = consent.Origin("request", consent.default_jurisdiction(services), snapshot.request_id)
    with unit(services) as work:
        records = [
            consent.withdraw(services, work, snapshot.identities, purpose, origin)
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

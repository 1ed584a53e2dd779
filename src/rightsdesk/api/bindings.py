"""Third-party account bindings of the signed-in person: list them, remove one (WDR-01)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from rightsdesk.api.auth import ServicesDep
from rightsdesk.api.consent import PersonDep
from rightsdesk.api.schemas import BindingOut
from rightsdesk.service.consent import bindings

router = APIRouter(prefix="/v1/bindings", tags=["person: bindings"])
BindingId = Annotated[
    str,
    Path(
        pattern=r"^[A-Za-z0-9_]+\.[A-Za-z0-9_]+:[A-Za-z0-9_.-]{1,64}$",
        description="system.collection:key, as listed.",
    ),
]


@router.get("", response_model=list[BindingOut])
def listing(person: PersonDep, svc: ServicesDep) -> list[BindingOut]:
    """Your bindings to third-party accounts (sign in with the platform's login token)."""
    return [
        BindingOut(id=b.id, provider=b.provider, external_id=b.external_id)
        for b in bindings.listing(svc, person)
    ]


@router.delete("/{binding_id}", response_model=BindingOut)
def remove(binding_id: BindingId, person: PersonDep, svc: ServicesDep) -> BindingOut:
    """Remove one binding; the platform is told to revoke the third party's token."""
    removed = bindings.remove(svc, person, binding_id, actor="person")
    return BindingOut(id=removed.id, provider=removed.provider, external_id=removed.external_id)

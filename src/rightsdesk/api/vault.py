"""The retention vault over HTTP: only API keys with the legal or finance scope may read it.

The caller acts as the role named in ``?role=``, or else as the first vault role its key holds
(legal before finance). A key without that role is refused, and the refusal is audited.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from rightsdesk.api.auth import OperatorDep, ServicesDep
from rightsdesk.service.retention import vault
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.runtime.operators import Operator, Scope
from rightsdesk.vault import ROLES
from rightsdesk.vault.codec import plain
from rightsdesk.vault.reading import Opened

router = APIRouter(prefix="/v1", tags=["vault"])

#: Request and tombstone ids (32 characters at most, no separators).
SubjectId = Annotated[str, Path(pattern=r"^[0-9A-Za-z_-]{1,32}$")]


class Role(StrEnum):
    LEGAL = "legal"
    FINANCE = "finance"


RoleQuery = Annotated[Role | None, Query(description="Act as this role (the key must hold it).")]


class ItemOut(BaseModel):
    system: str
    collection: str
    key: str
    rule: str
    basis: str
    until: date | None
    roles: list[str]
    sealed_at: datetime
    #: The kept columns; decimals, dates and times as text, bytes as base64.
    row: dict[str, Any]

    @classmethod
    def of(cls, item: Opened) -> ItemOut:
        return cls(
            system=item.system,
            collection=item.collection,
            key=item.key,
            rule=item.rule,
            basis=item.basis,
            until=item.until,
            roles=list(item.roles),
            sealed_at=item.sealed_at,
            row=plain(item.row),
        )


class VaultOut(BaseModel):
    subject: str
    role: str
    retain_until: date | None
    items: list[ItemOut]
    withheld: int  # rows sealed for other roles


class TombstoneOut(BaseModel):
    id: str
    request_id: str
    created_at: datetime
    obligations: dict[str, Any]
    role: str
    items: list[ItemOut]
    withheld: int
    vault_destroyed_at: datetime | None


@router.get("/vault/{subject}", response_model=VaultOut)
def show(subject: SubjectId, op: OperatorDep, svc: ServicesDep, role: RoleQuery = None) -> VaultOut:
    """A subject's sealed rows that the role may read (scope legal or finance); audited."""
    acting = vault_role(svc, op, role, f"vault {subject}")
    found = vault.read(svc, subject, role=acting, actor=op.actor)
    return VaultOut(
        subject=subject,
        role=acting,
        retain_until=found.retain_until,
        items=[ItemOut.of(i) for i in found.items],
        withheld=found.withheld,
    )


@router.get("/tombstones/{tombstone_id}", response_model=TombstoneOut)
def tombstone(
    tombstone_id: SubjectId, op: OperatorDep, svc: ServicesDep, role: RoleQuery = None
) -> TombstoneOut:
    """A cancelled account's obligations (bills, disputes) kept for finance and legal; audited."""
    acting = vault_role(svc, op, role, f"tombstone {tombstone_id}")
    found = vault.obligations(svc, tombstone_id, role=acting, actor=op.actor)
    return TombstoneOut(
        id=found.tombstone,
        request_id=found.request_id,
        created_at=found.created_at,
        obligations=found.counts,
        role=acting,
        items=[ItemOut.of(i) for i in found.items],
        withheld=found.withheld,
        vault_destroyed_at=found.destroyed_at,
    )


def vault_role(svc: Services, op: Operator, wanted: Role | None, target: str) -> str:
    """The vault role the key holds and the caller acts as; otherwise an audited refusal."""
    held = [role for role in ROLES if Scope(role) in op.scopes]
    role = wanted.value if wanted is not None else (held[0] if held else None)
    if role is None or role not in held:
        asked = role or "+".join(sorted(s.value for s in op.scopes))
        vault.deny(svc, target, role=asked, actor=op.actor)
    return role

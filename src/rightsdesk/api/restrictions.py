"""Restrictions and objections: the host's processing check, and operators listing and lifting
them (GDPR Arts. 18, 21; PIPL Art. 44). The person asks for one as a request
(``POST /v1/requests`` with type ``restrict`` or ``object``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from rightsdesk.api.auth import OperatorDep, ServicesDep
from rightsdesk.domain.errors import InputError
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.restrictions import ledger, lifting
from rightsdesk.service.runtime.operators import Scope

router = APIRouter(prefix="/v1/restrictions", tags=["restrictions"])

RestrictionId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="The restriction's id.")]
Name = r"^[A-Za-z_][A-Za-z0-9_]{0,62}$"


class RestrictionOut(BaseModel):
    id: str
    request_id: str
    kind: str
    ground: str
    purpose: str | None
    collections: list[str]
    marks: dict[str, Any]
    until_request: str | None
    opened_at: datetime
    lifted_at: datetime | None
    lifted_by: str | None
    lift_reason: str | None


class LiftIn(BaseModel):
    reason: Annotated[str, Field(min_length=1, max_length=4000)]


class ReasonOut(BaseModel):
    """A restriction, objection or limit in force, and whether it stops what was asked."""

    kind: str
    id: str
    ground: str
    purpose: str | None
    collections: list[str]
    since: str
    applies: bool


class VerdictOut(BaseModel):
    may_process: bool
    still_allowed: list[str]
    reasons: list[ReasonOut]


def _out(row: Any) -> RestrictionOut:
    out = RestrictionOut.model_validate(row, from_attributes=True)
    out.marks = {n: {k: v for k, v in m.items() if k != "keys"} for n, m in out.marks.items()}
    return out


@router.get("/check", response_model=VerdictOut)
def check(
    op: OperatorDep,
    svc: ServicesDep,
    kind: Annotated[str | None, Query(pattern=Name, description="An identity kind.")] = None,
    value: Annotated[str | None, Query(max_length=320)] = None,
    purpose: Annotated[str | None, Query(pattern=Name)] = None,
    collection: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9_]+\.[A-Za-z0-9_]+$")] = None,
    key: Annotated[str | None, Query(max_length=200)] = None,
) -> VerdictOut:
    """May the host process this person (by ``kind``/``value``), or this row of ``collection``
    (by ``key``), for ``purpose``? Restrictions and objections in force, with their reasons."""
    op.require(Scope.READ)
    if (kind is None) != (value is None):
        raise InputError("give kind and value together (an identity of the person)")
    if kind is None and (collection is None or key is None):
        raise InputError("name the person (kind and value) or a row (collection and key)")
    identities: tuple[Identity, ...] = ()
    if kind is not None and value is not None:
        known = svc.require_datamap().identity_kinds()
        if kind not in known:
            raise InputError(
                f"unknown identity kind {kind!r}; use one of {', '.join(sorted(known))}"
            )
        identities = (Identity(kind, value),)
    verdict = ledger.check(svc, identities, purpose=purpose, collection=collection, key=key)
    return VerdictOut.model_validate(verdict.to_json())


@router.get("", response_model=list[RestrictionOut])
def listing(
    op: OperatorDep,
    svc: ServicesDep,
    lifted: Annotated[bool, Query(description="Include lifted ones.")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[RestrictionOut]:
    """Restrictions and objections, oldest first (those in force unless ``lifted``)."""
    op.require(Scope.READ)
    return [_out(r) for r in ledger.listing(svc, active=not lifted, limit=limit)]


@router.post("/{restriction_id}/lift", response_model=RestrictionOut)
def lift(restriction_id: RestrictionId, body: LiftIn, op: OperatorDep, svc: ServicesDep) -> Any:
    """Lift it: the person is told first (with ``reason``; for an objection, the overriding
    grounds), then the marks come off. 409 for direct marketing or no way to tell them."""
    op.require(Scope.DECIDE)
    return _out(lifting.lift(svc, restriction_id, actor=op.actor, reason=body.reason))

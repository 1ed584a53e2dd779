"""The person's consents, signed in through the host platform: see, give, withdraw (one call
each, so withdrawing takes no more steps than giving, WDR-02), and the Global Privacy Control."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, StringConstraints

from rightsdesk.api.auth import OperatorDep, ServicesDep
from rightsdesk.api.schemas import IdentityIn, Strict, SubmitIn
from rightsdesk.domain.errors import AuthenticationError
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.consent import checks
from rightsdesk.service.consent import choices as consent
from rightsdesk.service.consent.ledger import PurposeState
from rightsdesk.service.erasures import suppression
from rightsdesk.service.runtime.context import Services
from rightsdesk.service.runtime.operators import Scope
from rightsdesk.service.verification import codes as verification

router = APIRouter(tags=["consent"])

#: When this site's GPC support (``/.well-known/gpc.json``) last changed.
GPC_LAST_UPDATE = "2026-06-08"

login = HTTPBearer(
    auto_error=False, description="Your login token from the platform (HS256 JWT, aud rightsdesk)."
)
PurposeName = Annotated[
    str, Path(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$", description="A purpose's name.")
]


def signed_in(
    svc: ServicesDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(login)]
) -> tuple[Identity, ...]:
    """The identities the host platform's token proves (``sub`` is the user_id)."""
    if credentials is None or not credentials.credentials:
        raise AuthenticationError(
            "send your login token from the platform as 'Authorization: Bearer <token>'"
        )
    return verification.claim_identities(verification.host_claims(svc, credentials.credentials))


def gpc_signal(request: Request) -> bool:
    """OPT-01: any ``Sec-GPC`` value exactly "1". Surrounding whitespace is not part of a field
    value (RFC 9110 5.5), and a proxy may have joined repeated fields with commas."""
    values = request.headers.getlist("sec-gpc")
    return any(part.strip() == "1" for value in values for part in value.split(","))


PersonDep = Annotated[tuple[Identity, ...], Depends(signed_in)]
GpcDep = Annotated[bool, Depends(gpc_signal)]


class ReceiptOut(BaseModel):
    id: str
    purpose: str
    state: str
    recorded_at: datetime
    effective_at: datetime
    method: str
    jurisdiction: str
    request_id: str | None
    receipt: dict[str, Any]


class PurposeOut(BaseModel):
    purpose: str
    #: In the data map's own language; ``descriptions`` has each language the map gives.
    description: str
    descriptions: dict[str, str]
    basis: str
    state: str
    source: str
    since: datetime | None
    features: list[str]
    collections: list[str]
    fields: list[str]
    sale_or_sharing: bool
    history: list[ReceiptOut]


class ScopeOut(BaseModel):
    purposes: list[PurposeOut]


@router.get("/v1/consents", response_model=ScopeOut)
def scope(person: PersonDep, gpc: GpcDep, svc: ServicesDep) -> ScopeOut:
    """Every purpose as it stands for you: given, withdrawn or never given, or another legal
    basis; with every receipt (withdrawals never erase the grants before them)."""
    if gpc:
        consent.honour_gpc(svc, person)
    states = consent.show(svc, person)
    return ScopeOut(purposes=[_purpose(s) for s in states])


def _purpose(state: PurposeState) -> PurposeOut:
    texts = dict(state.description.texts)
    fields = {k: v for k, v in vars(state).items() if k not in ("description", "history")}
    history = [ReceiptOut.model_validate(r, from_attributes=True) for r in state.history]
    return PurposeOut(
        **fields, description=str(state.description), descriptions=texts, history=history
    )


@router.put("/v1/consents/{purpose}", response_model=ReceiptOut)
def give(purpose: PurposeName, person: PersonDep, gpc: GpcDep, svc: ServicesDep) -> ReceiptOut:
    """Give consent to a purpose; the receipt is returned."""
    return _decide(svc, person, purpose, gpc, given=True)


@router.delete("/v1/consents/{purpose}", response_model=ReceiptOut)
def withdraw(purpose: PurposeName, person: PersonDep, gpc: GpcDep, svc: ServicesDep) -> ReceiptOut:
    """Withdraw consent to a purpose: the same single call as giving it."""
    return _decide(svc, person, purpose, gpc, given=False)


class CheckIn(Strict):
    purpose: Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    identities: list[IdentityIn] = Field(min_length=1, max_length=10)


class StopOut(BaseModel):
    """A restriction (GDPR Art. 18), objection (Art. 21) or CCPA limit that says no."""

    kind: str
    restriction_id: str
    ground: str
    purpose: str | None
    collections: list[str]
    since: datetime


class CheckOut(BaseModel):
    purpose: str
    allowed: bool
    state: str
    basis: str
    source: str
    since: datetime | None
    version: int
    stopped_by: list[StopOut]


@router.post("/v1/consent-checks", response_model=CheckOut)
def check(body: CheckIn, op: OperatorDep, svc: ServicesDep) -> CheckOut:
    """For the host's jobs: may this purpose be relied on for this person now? A withdrawal
    shows here at once, in every server process (cached, and checked against the ledger's
    version on every call). No while a restriction, an upheld objection or a limit stops the
    purpose for the person, named in ``stopped_by``."""
    op.require(Scope.READ)
    identities = tuple(Identity(i.kind, i.value) for i in body.identities)
    answer = checks.check(svc, identities, body.purpose)
    return CheckOut.model_validate(answer, from_attributes=True)


class SuppressionIn(Strict):
    identities: list[IdentityIn] = Field(min_length=1, max_length=10)


class MatchOut(BaseModel):
    kind: str
    since: datetime


class SuppressionOut(BaseModel):
    suppressed: bool
    matches: list[MatchOut]


@router.post("/v1/suppression-checks", response_model=SuppressionOut, tags=["erasures"])
def suppression_check(body: SuppressionIn, op: OperatorDep, svc: ServicesDep) -> SuppressionOut:
    """For the host's imports: does this incoming record belong to a person erased (DEL-09)?
    Matched by keyed hashes of the identities only (the list holds no value); one indexed
    look-up. Suppressed: do not ingest it."""
    op.require(Scope.READ)
    identities = tuple(Identity(i.kind, i.value) for i in body.identities)
    return SuppressionOut.model_validate(suppression.check(svc, identities), from_attributes=True)


@router.get("/.well-known/gpc.json", tags=["consent"])
def gpc_support() -> dict[str, object]:
    """This site honours the Global Privacy Control signal (OPT-03)."""
    return {"gpc": True, "lastUpdate": GPC_LAST_UPDATE}


def opt_out_on_submission(svc: Services, body: SubmitIn) -> None:
    """A rights request sent with ``Sec-GPC: 1``: opt the identities it names out of sale and
    sharing. An opt-out needs no verification (CCR 7026), and it can never opt anyone in."""
    if body.host_token is not None:
        claims = verification.host_claims(svc, body.host_token)
        identities = verification.claim_identities(claims)
    else:
        identities = tuple(Identity(i.kind, i.value) for i in body.identities)
    if identities:
        consent.honour_gpc(svc, identities)


def _decide(
    svc: Services, person: tuple[Identity, ...], purpose: str, gpc: bool, *, given: bool
) -> ReceiptOut:
    if gpc:  # the signal first, so an explicit choice in the same call is the later one
        consent.honour_gpc(svc, person)
    record = consent.decide(svc, person, purpose, given=given, method="api")
    return ReceiptOut.model_validate(record, from_attributes=True)

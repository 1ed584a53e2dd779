"""Taking a request in: validate, store it first, join duplicates, start verification."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_, select

from rightsdesk.audit import log as audit
from rightsdesk.domain.errors import ConflictError, PolicyError
from rightsdesk.domain.requests import OPEN, RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.notify.locales import resolve_locale
from rightsdesk.policy import Regime
from rightsdesk.service import decisions, verification
from rightsdesk.service.context import Services, Unit, unit
from rightsdesk.store.models import AccessToken, Request, RequestIdentity

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
PHONE = re.compile(r"^\+?[0-9]{6,15}$")
#: Identities a person can prove on their own (a code is sent there).
SELF_SERVICE_KINDS = frozenset({"email", "phone"})
CHANNELS = frozenset({"api", "web", "ticket", "cli"})


@dataclass(frozen=True)
class Submission:
    type: RequestType
    identities: tuple[Identity, ...] = ()
    channel: str = "api"
    regimes: tuple[str, ...] = ()
    locale: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None
    #: A signed login token from the host platform; proves the identities in its claims.
    host_token: str | None = None
    #: An operator's reference to identity evidence kept elsewhere (ticket channel only).
    evidence: str | None = None
    actor: str = "person"


@dataclass(frozen=True)
class Submitted:
    request: Request
    #: The requester's capability for this request; shown once, stored only as a hash.
    token: str
    #: True when the submission joined an earlier one (same idempotency key, or still open).
    joined: bool


def submit(services: Services, submission: Submission) -> Submitted:
    """Store the request (INT-02), then verify it with the host token or send a one-time code."""
    claims = None
    if submission.host_token is not None:
        claims = verification.host_claims(services, submission.host_token)
    identities = _identities(services, submission, claims)
    regimes = _regimes(services, submission.regimes)
    key = subject_key(services, identities)
    with unit(services) as work:
        existing = _existing(work, submission, key)
        if existing is not None:
            token = _token(services, work, existing)
            if claims is not None:
                _mark_token(work, services, token)
            elif submission.evidence is None:
                verification.challenge(services, work, existing, purpose="verify")
            audit.append(
                work.session,
                at=work.now,
                actor=submission.actor,
                event="join",
                request_id=existing.id,
                data={"channel": submission.channel},
            )
            return Submitted(existing, token, joined=True)
        request = _create(services, work, submission, identities, regimes, key)
        token = _token(services, work, request)
        if claims is not None:
            verification.accept(services, work, request, method="host_token", actor="person")
            _mark_token(work, services, token)
        elif submission.evidence is not None:
            verification.attest(
                services, work, request, submission.evidence, actor=submission.actor
            )
        else:
            verification.challenge(services, work, request, purpose="verify", new=True)
        if request.verified_at is not None:  # otherwise the code message acknowledged it
            verification.acknowledge(services, work, request)
        if request.verified_at is not None:
            decisions.after_step(services, work, request)
    return Submitted(request, token, joined=False)


def subject_key(services: Services, identities: Sequence[Identity]) -> str:
    canon = sorted(f"{i.kind}={_canonical(i)}" for i in identities)
    return services.secrets.mac("subject", *canon)


def _create(
    services: Services,
    work: Unit,
    submission: Submission,
    identities: tuple[Identity, ...],
    regimes: list[str],
    key: str,
) -> Request:
    deadline = services.policy.deadlines(
        work.now, [Regime(r) for r in regimes], RequestType(submission.type)
    )
    request = Request(
        id=uuid.uuid4().hex,
        type=submission.type.value,
        status="received",
        channel=submission.channel,
        regimes=regimes,
        locale=resolve_locale(submission.locale or services.settings.locale),
        subject_key=key,
        idempotency_key=submission.idempotency_key,
        received_at=work.now,
        updated_at=work.now,
        ack_due=deadline.acknowledge.day if deadline.acknowledge else None,
        due=deadline.respond.day,
        max_due=deadline.extension_limit.day,
        governing_regime=deadline.governing.value,
        params=dict(submission.params),
        outcome={},
    )
    request.identities = [RequestIdentity(kind=i.kind, value=i.value) for i in identities]
    work.session.add(request)
    audit.append(
        work.session,
        at=work.now,
        actor=submission.actor,
        event="receive",
        request_id=request.id,
        status_to="received",
        data={
            "type": request.type,
            "channel": request.channel,
            "regimes": regimes,
            "identity_kinds": sorted(i.kind for i in identities),
            "due": request.due.isoformat(),
            "governing_regime": request.governing_regime,
            "deadline_reasons": list(deadline.reasons),
        },
    )
    return request


def _existing(work: Unit, submission: Submission, key: str) -> Request | None:
    """A replay of the same idempotency key, or an open request of the same type and person."""
    same_person = and_(
        Request.subject_key == key,
        Request.type == submission.type.value,
        Request.status.in_([s.value for s in OPEN]),
    )
    match = same_person
    if submission.idempotency_key is not None:
        match = or_(Request.idempotency_key == submission.idempotency_key, same_person)
    found = work.session.scalars(select(Request).where(match).order_by(Request.received_at)).all()
    wanted = submission.idempotency_key
    replay = next((r for r in found if wanted and r.idempotency_key == wanted), None)
    if replay is not None and (replay.subject_key != key or replay.type != submission.type.value):
        raise ConflictError(
            "this Idempotency-Key was already used for a different request; use a new key"
        )
    return replay or next(iter(found), None)


def _token(services: Services, work: Unit, request: Request) -> str:
    token = secrets.token_urlsafe(32)
    work.session.add(
        AccessToken(
            token_hash=verification.token_hash(services, token),
            request_id=request.id,
            created_at=work.now,
        )
    )
    return token


def _mark_token(work: Unit, services: Services, token: str) -> None:
    row = work.session.get(AccessToken, verification.token_hash(services, token))
    if row is not None:
        row.verified_at = work.now


def _identities(
    services: Services, submission: Submission, claims: Mapping[str, str] | None
) -> tuple[Identity, ...]:
    if claims is not None:
        if submission.identities and not set(submission.identities) <= set(
            verification.claim_identities(claims)
        ):
            raise PolicyError("identities must be those of the signed login token")
        identities = verification.claim_identities(claims)
    else:
        identities = submission.identities
    if not identities:
        raise PolicyError("name the person with at least one identity (e.g. email)")
    if submission.evidence is not None and submission.channel not in {"ticket", "cli"}:
        raise PolicyError("only operators recording a ticket can attest identity evidence")
    if submission.channel not in CHANNELS:
        raise PolicyError(f"unknown channel {submission.channel!r}; use one of {sorted(CHANNELS)}")
    self_service = claims is None and submission.channel in {"api", "web"}
    if self_service and (len(identities) != 1 or identities[0].kind not in SELF_SERVICE_KINDS):
        raise PolicyError(
            "without a signed login token, give exactly one email or phone: "
            "a one-time code is sent there to verify you"
        )
    for identity in identities:
        _check_format(identity)
    _check_declared(services, identities)
    return tuple(sorted(identities))


def _check_format(identity: Identity) -> None:
    if identity.kind == "email" and not EMAIL.match(identity.value):
        raise PolicyError(f"{identity.value!r} is not an email address")
    if identity.kind == "phone" and not PHONE.match(identity.value.replace(" ", "")):
        raise PolicyError(
            "phone numbers are digits with an optional leading + (e.g. +8613800138000)"
        )
    if len(identity.value) > 320:
        raise PolicyError(f"identity {identity.kind} is longer than 320 characters")


def _check_declared(services: Services, identities: Sequence[Identity]) -> None:
    """Only identifiers the company's data map holds may be asked for (INT-06)."""
    if services.datamap is None:
        return
    declared = services.datamap.identity_kinds()
    unknown = sorted({i.kind for i in identities} - declared)
    if unknown:
        raise PolicyError(
            f"identity kind(s) {', '.join(unknown)} are not held by this company; "
            f"use one of {', '.join(sorted(declared))}"
        )


def _regimes(services: Services, asked: Sequence[str]) -> list[str]:
    regimes = list(dict.fromkeys(asked)) or [r.value for r in services.policy.config.regimes]
    known = {r.value for r in Regime}
    unknown = [r for r in regimes if r not in known]
    if unknown:
        raise PolicyError(
            f"unknown regime(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    return regimes


def _canonical(identity: Identity) -> str:
    value = identity.value.strip()
    if identity.kind == "email":
        return value.lower()
    if identity.kind == "phone":
        return value.replace(" ", "")
    return value

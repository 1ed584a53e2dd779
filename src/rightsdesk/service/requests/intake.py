"""Taking a request in: validate, store it first, join duplicates, start verification."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from rightsdesk.audit import events
from rightsdesk.audit import log as audit
from rightsdesk.datamap.identities import identity_kind
from rightsdesk.domain.agents import Agent, Authority
from rightsdesk.domain.errors import Code, ConflictError, PolicyError
from rightsdesk.domain.outcome import Outcome
from rightsdesk.domain.requests import OPEN, Event, RequestType
from rightsdesk.domain.subjects import Identity
from rightsdesk.notify.locales import resolve_locale
from rightsdesk.policy import Regime
from rightsdesk.service.casefiles import agents
from rightsdesk.service.requests import decisions, lifecycle, subjects
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.service.verification import codes as verification
from rightsdesk.service.workflows.base import Asked
from rightsdesk.service.workflows.table import workflow
from rightsdesk.store.models import AccessToken, Request, RequestIdentity

CHANNELS = frozenset({"api", "web", "ticket", "cli"})
#: Channels where anyone may submit, proving who they are only by a code (or a host token).
SELF_SERVICE_CHANNELS = frozenset({"api", "web"})
#: Verified because the system opened it for a person who had just proven who they are.
FOLLOWUP = "followup"
#: Taken without verification: the request type needs none (an opt-out of sale).
NOT_REQUIRED = "not_required"


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
    #: The client's network address (self-service), for the per-client verification caps.
    client: str | None = None
    #: An authorised agent submitting for the person named by ``identities`` (CCR 7063).
    agent: Agent | None = None


@dataclass(frozen=True)
class Submitted:
    request: Request
    #: The requester's capability for this request; shown once, stored only as a hash. None
    #: when an unproven submitter joined an open request: a token would let them act on it.
    token: str | None
    #: True when the submission joined an earlier one (same idempotency key, or still open).
    joined: bool

    def own_token(self) -> str:
        """The token, for a caller that needs one to go on (a joined stranger gets none)."""
        if self.token is None:
            raise ConflictError(JOINED)
        return self.token


@dataclass(frozen=True)
class Checked:
    """A submission checked and normalised, ready to be stored (``take``)."""

    submission: Submission
    identities: tuple[Identity, ...]
    regimes: list[str]
    key: str
    claims: Mapping[str, str] | None


#: What a submitter who joined someone's open request is told (they get no token).
JOINED = "a request is already open; we sent the code to its contact"


def submit(services: Services, submission: Submission) -> Submitted:
    """Store the request (INT-02), then verify it with the host token or send a one-time code.

    Two concurrent submissions may both miss each other and insert: the database's unique
    indexes (idempotency key, one open request per person and type) refuse the second, which
    is then taken again and joins the first, so the caller never sees the race.
    """
    checked = check(services, submission)
    try:
        with unit(services) as work:
            return take(services, work, checked)
    except IntegrityError:
        with unit(services) as work:
            return take(services, work, checked)


def check(services: Services, submission: Submission) -> Checked:
    """Everything about a submission that can be refused before anything is stored."""
    claims = None
    if submission.host_token is not None:
        if submission.agent is not None:
            raise PolicyError("an authorised agent cannot sign in as the person; send no token")
        claims = verification.host_claims(services, submission.host_token)
    if submission.agent is not None:
        _check_agent(submission.agent)
    submission = _prepared(services, submission, claims is not None)
    identities = _identities(services, submission, claims)
    regimes = _regimes(services, submission.regimes)
    return Checked(submission, identities, regimes, subject_key(services, identities), claims)


def take(services: Services, work: Unit, checked: Checked) -> Submitted:
    """Store a checked submission in ``work`` (or join the open request it repeats)."""
    submission, claims = checked.submission, checked.claims
    existing = _existing(work, submission, checked.key)
    if existing is not None:
        return _join(services, work, checked, existing)
    request = _create(services, work, submission, checked.identities, checked.regimes, checked.key)
    token = _token(services, work, request)
    agent = submission.agent
    if agent is not None:
        agents.record(services, work, request, agent, actor=_agent_actor(submission))
    if claims is not None:
        verification.accept(services, work, request, method="host_token", actor="person")
        _mark_token(work, services, token)
    elif submission.evidence is not None:
        verification.attest(services, work, request, submission.evidence, actor=submission.actor)
    elif not workflow(submission.type).needs_verification:
        verification.accept(services, work, request, method=NOT_REQUIRED, actor=submission.actor)
    elif agent is not None and agent.authority is Authority.POWER_OF_ATTORNEY:
        agents.await_attorney(work, request)  # the person is not asked (CCR 7063(b))
    else:
        verification.challenge(
            services, work, request, purpose="verify", new=True, client=submission.client
        )
    if agent is not None:
        agents.tell(work, request, "agent_received", {"due": request.due.isoformat()})
    if request.verified_at is not None:  # otherwise the code message acknowledged it
        verification.acknowledge(services, work, request)
        decisions.after_step(services, work, request)
    return Submitted(request, token, joined=False)


def _join(services: Services, work: Unit, checked: Checked, existing: Request) -> Submitted:
    """Join an open request: a signed-in person or an operator gets a token of their own; an
    unproven submitter gets none, and a code goes to the request's contact only if none is live.
    """
    submission, token = checked.submission, None
    if checked.claims is not None:
        token = _token(services, work, existing)
        _mark_token(work, services, token)
    elif submission.channel not in SELF_SERVICE_CHANNELS:
        token = _token(services, work, existing)
        if submission.evidence is None:
            verification.challenge(services, work, existing, purpose="verify")
    else:
        verification.challenge(services, work, existing, purpose="verify", client=submission.client)
    audit.append(
        work.session,
        at=work.now,
        actor=submission.actor,
        event=events.JOIN,
        request_id=existing.id,
        data={"channel": submission.channel, "token": token is not None},
    )
    return Submitted(existing, token, joined=True)


def _prepared(services: Services, submission: Submission, signed_in: bool) -> Submission:
    """Type-specific params checked and normalised (by the type's workflow) before storing."""
    by_code = not signed_in and submission.evidence is None
    asked = Asked(submission.params, submission.identities, by_code)
    params = workflow(submission.type).check(services, asked)
    return submission if params is submission.params else replace(submission, params=params)


def open_followup(
    services: Services,
    work: Unit,
    kind: RequestType,
    identities: Sequence[Identity],
    *,
    params: Mapping[str, Any],
) -> Request | None:
    """A request the system opens for a person whose identity was just proven (e.g. the
    deletion evaluation after a consent withdrawal, WDR-05); it then goes the usual way
    (approval, run, answer). None when an open one with the same params already exists."""
    identities = tuple(sorted(identities))
    key = subject_key(services, identities)
    open_ = work.session.scalars(
        select(Request).where(
            Request.subject_key == key,
            Request.type == kind.value,
            Request.status.in_([s.value for s in OPEN]),
        )
    ).all()
    if any(r.params.get("scope") == params.get("scope") for r in open_):
        return None
    submission = Submission(kind, identities, channel="system", params=params, actor="system")
    regimes = [r.value for r in services.policy.config.regimes]
    request = _create(services, work, submission, identities, regimes, key)
    lifecycle.advance(work, request, Event.VERIFY, actor="system", data={"method": FOLLOWUP})
    request.verified_at, request.verification_method = work.now, FOLLOWUP
    verification.acknowledge(services, work, request)
    decisions.after_step(services, work, request)
    return request


def subject_key(services: Services, identities: Sequence[Identity]) -> str:
    canon = sorted(f"{i.kind}={subjects.canonical(i)}" for i in identities)
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
        outcome=Outcome(),
    )
    request.identities = [RequestIdentity(kind=i.kind, value=i.value) for i in identities]
    work.session.add(request)
    audit.append(
        work.session,
        at=work.now,
        actor=submission.actor,
        event=events.RECEIVE,
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
    self_service = claims is None and submission.channel in SELF_SERVICE_CHANNELS
    alone = len(identities) == 1 and identity_kind(identities[0].kind).self_service
    if self_service and not alone:
        raise PolicyError(
            "without a signed login token, give exactly one email or phone: "
            "a one-time code is sent there to verify you"
        )
    for identity in identities:
        _check_format(identity)
    _check_declared(services, identities)
    return tuple(sorted(identities))


def _check_format(identity: Identity) -> None:
    kind = identity_kind(identity.kind)
    if not kind.accepts(kind.compact(identity.value)):
        raise PolicyError(
            f"the {identity.kind} given is not {kind.description}", code=Code.CONTACT_MALFORMED
        )
    if len(identity.value) > 320:
        raise PolicyError(f"identity {identity.kind} is longer than 320 characters")


def _agent_actor(submission: Submission) -> str:
    """Who recorded an agent's request: the agent themselves, or the operator of a ticket."""
    return "agent" if submission.channel in SELF_SERVICE_CHANNELS else submission.actor


def _check_agent(agent: Agent) -> None:
    """The agent's name, and a contact we can write to (their e-mail, a phone if given)."""
    if not agent.name.strip() or len(agent.name) > 200:
        raise PolicyError("name the authorised agent (a person or a business), 1-200 characters")
    _check_format(Identity("email", agent.email))
    if agent.phone is not None:
        _check_format(Identity("phone", agent.phone))


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

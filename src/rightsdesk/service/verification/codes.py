"""Who is asking: one-time codes to an identity the company holds, or the host's signed token."""

from __future__ import annotations

import hmac
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import jwt
from sqlalchemy import select

from rightsdesk.audit import events
from rightsdesk.domain.errors import (
    AuthenticationError,
    Code,
    LockedOutError,
    NotFoundError,
    PermissionDeniedError,
    PolicyError,
)
from rightsdesk.domain.requests import TRANSITIONS, Event, Status
from rightsdesk.domain.subjects import Identity
from rightsdesk.service.casefiles import agents
from rightsdesk.service.requests import decisions, lifecycle
from rightsdesk.service.requests.notices import contact, notice
from rightsdesk.service.runtime.context import Services, Unit, unit
from rightsdesk.service.verification import attempts
from rightsdesk.store.models import AccessToken, Challenge, Request
from rightsdesk.store.once import insert_once

CODE_DIGITS = 6
#: A new code is not sent more often than this (the previous one keeps working).
RESEND_AFTER = timedelta(seconds=60)
#: Host tokens older than this are refused even if not yet expired (re-authentication).
HOST_TOKEN_MAX_AGE = timedelta(minutes=10)
#: Clock skew tolerated between the host platform and rightsdesk, in seconds.
LEEWAY = 30
#: After ``max_attempts`` wrong codes, no new code is sent for this long.
LOCKOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class CodeResult:
    ok: bool
    message: str
    status: str
    code: Code | None = None  # why not, when not ok
    params: Mapping[str, str] = field(default_factory=dict)

    def error(self) -> AuthenticationError:
        """The refusal as the error the API raises (401 with its code)."""
        return AuthenticationError(self.message, code=self.code, params=self.params)


def host_claims(services: Services, token: str) -> dict[str, Any]:
    """The claims of a host-platform login token (HS256, audience ``rightsdesk``), or raise."""
    secret = services.settings.host_token_secret
    if secret is None:
        raise AuthenticationError(
            "signed login tokens are not enabled on this server", code=Code.LOGIN_DISABLED
        )
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret.get_secret_value(),
            algorithms=["HS256"],
            audience="rightsdesk",
            # times are checked below against the service's clock, not the machine's
            options={"require": ["exp", "iat", "sub"], "verify_exp": False, "verify_iat": False},
        )
        expires, issued = _seconds(claims, "exp"), _seconds(claims, "iat")
    except (jwt.PyJWTError, TypeError, ValueError) as exc:
        raise AuthenticationError(
            f"login token rejected: {exc}", code=Code.LOGIN_REJECTED
        ) from None
    now = services.clock().timestamp()
    if now > expires + LEEWAY:
        raise AuthenticationError("login token rejected: it has expired", code=Code.LOGIN_REJECTED)
    if now - issued > HOST_TOKEN_MAX_AGE.total_seconds() or issued > now + LEEWAY:
        raise AuthenticationError(
            "login token is too old (or from the future); sign in again", code=Code.LOGIN_TOO_OLD
        )
    return claims


def _seconds(claims: Mapping[str, Any], name: str) -> float:
    """A NumericDate claim (RFC 7519): a finite JSON number, never a string or a boolean."""
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"the {name!r} claim must be a number of seconds")
    return float(value)


def claim_identities(claims: Mapping[str, Any]) -> tuple[Identity, ...]:
    """``sub`` is the account's user_id; ``email`` and ``phone`` claims are added when present."""
    found = [Identity("user_id", str(claims["sub"]))]
    found += [Identity(k, str(claims[k])) for k in ("email", "phone") if claims.get(k)]
    return tuple(sorted(found))


def resolve_token(services: Services, work: Unit, request_id: str, token: str) -> AccessToken:
    """The requester's capability; a wrong token looks exactly like a missing request.

    The follow link's token (``Secrets.follow_token``) gets its row the first time it is used.
    """
    row = work.session.get(AccessToken, token_hash(services, token))
    if row is None and hmac.compare_digest(token, services.secrets.follow_token(request_id)):
        row = _follow_row(services, work, request_id)
    if row is None or not hmac.compare_digest(row.request_id.encode(), request_id.encode()):
        raise NotFoundError(
            f"no request {request_id!r}", code=Code.REQUEST_UNKNOWN, params={"id": request_id}
        )
    return row


def _follow_row(services: Services, work: Unit, request_id: str) -> AccessToken | None:
    """The follow link's capability; verified once the request is: the link goes only to the
    contact the code went to (or that a host token or an operator vouched for).

    Two first opens at once (two tabs, a mail client's prefetch) both insert it: the store
    keeps one (``insert_once``), and each reads that one back with a locking read, which sees
    the other's committed row under any isolation level."""
    request = work.session.get(Request, request_id)
    if request is None:
        return None
    hashed = token_hash(services, services.secrets.follow_token(request_id))
    values = {
        "token_hash": hashed,
        "request_id": request_id,
        "created_at": work.now,
        "verified_at": request.verified_at,
    }
    insert_once(work.session, AccessToken, "token_hash", values)
    found = select(AccessToken).where(AccessToken.token_hash == hashed).with_for_update()
    return work.session.scalars(found.execution_options(populate_existing=True)).one()


def link_hash(services: Services, request_id: str) -> str:
    """The hash of the person's follow-link token (the capability our messages carry)."""
    return token_hash(services, services.secrets.follow_token(request_id))


def token_hash(services: Services, token: str) -> str:
    return services.secrets.mac("request-token", token)


def challenge(
    services: Services,
    work: Unit,
    request: Request,
    *,
    purpose: str,
    new: bool = False,
    asked: bool = False,
    client: str | None = None,
    charged: bool = True,
) -> bool:
    """Send a one-time code (unless a live one is out); False when none was sent.

    ``new``: the request was created in this transaction, so no earlier code can exist.
    ``asked``: the person asked for a new code; otherwise a code still within its lifetime is
    never replaced (a stranger joining the request must not void the person's code).
    ``charged``: the send counts against the person's and the client's caps (not for a step-up
    the system itself asks for before a run).
    """
    config = services.policy.config.verification
    latest = None if new else _latest(work, request.id)
    if latest is not None:
        _refuse_while_locked_out(latest, work.now, config.max_attempts)
        if _still_out(latest, work.now, asked=asked):
            return False
    counted = attempts.keys(services, request, client)
    if charged:
        attempts.check(work, counted, attempts.Kind.SEND)
        attempts.count(work, request.id, counted, attempts.Kind.SEND)
    channel = _channel(request)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    work.session.add(
        Challenge(
            request_id=request.id,
            channel=channel,
            purpose=purpose,
            code_hash=_code_hash(services, request.id, code),
            created_at=work.now,
            expires_at=work.now + timedelta(minutes=config.code_ttl_minutes),
            attempts=0,
        )
    )
    _record_challenge(work, request, channel)
    context = {
        "code": code,
        "minutes": config.code_ttl_minutes,
        # the first code also acknowledges the request (RSP-03): one message, not two
        **({"due": request.due.isoformat()} if new else {}),
        **agents.code_context(work, request),  # an agent asked: the code is the person's
    }
    kind = "verification_code" if purpose == "verify" else "step_up"
    work.notices.append(notice(request, kind, context))  # to the same contact as `channel`
    return True


def _refuse_while_locked_out(latest: Challenge, now: datetime, max_attempts: int) -> None:
    """LockedOutError while the last code's wrong guesses keep new codes back."""
    if latest.attempts >= max_attempts and latest.used_at:
        until = latest.used_at + LOCKOUT
        if now < until:
            raise LockedOutError(
                f"too many wrong codes; a new code can be sent after {until:%H:%M} UTC",
                code=Code.CODES_HELD_BACK,
                params={"until": f"{until:%H:%M}"},
            )


def _record_challenge(work: Unit, request: Request, channel: str) -> None:
    if (Status(request.status), Event.CHALLENGE) in TRANSITIONS:
        lifecycle.advance(work, request, Event.CHALLENGE, actor="system", data={"channel": channel})
    else:  # a joined submitter verifying their own token; the request's status stays
        lifecycle.record(
            work,
            request,
            events.transition(Event.CHALLENGE),
            actor="system",
            data={"channel": channel},
        )


def enter_code(
    services: Services, request_id: str, token: str, code: str, *, client: str | None = None
) -> CodeResult:
    """Check a code; wrong attempts are counted (and committed) before the caller is told.

    Besides the code's own limit, guesses count against the person and the client address
    (``attempts``): over a cap, ``LockedOutError`` is raised before the code is compared.
    """
    config = services.policy.config.verification
    with unit(services) as work:
        holder = resolve_token(services, work, request_id, token)
        request = lifecycle.load(work, request_id)
        latest = _latest(work, request.id)
        own = hmac.compare_digest(holder.token_hash, link_hash(services, request_id))
        if (refused := agents.directly(work, request, own_link=own)) is not None:
            raise PermissionDeniedError(refused)
        if latest is None or latest.used_at is not None or latest.expires_at < work.now:
            return CodeResult(
                False, "no valid code is out; ask for a new one", request.status, Code.NO_CODE_OUT
            )
        counted = attempts.keys(services, request, client)
        attempts.check(work, counted, attempts.Kind.GUESS)
        if not hmac.compare_digest(
            latest.code_hash, _code_hash(services, request.id, code.strip())
        ):
            attempts.count(work, request.id, counted, attempts.Kind.GUESS)
            latest.attempts += 1
            left = config.max_attempts - latest.attempts
            if left <= 0:
                latest.used_at = work.now
                lifecycle.record(work, request, events.VERIFICATION_LOCKED, actor="person")
                return CodeResult(
                    False,
                    "too many wrong codes; this code is locked",
                    request.status,
                    Code.CODE_LOCKED,
                )
            return CodeResult(
                False,
                f"wrong code; {left} attempt(s) left",
                request.status,
                Code.WRONG_CODE,
                {"left": str(left)},
            )
        latest.used_at = work.now
        holder.verified_at = work.now
        if request.verified_at is None or Status(request.status) is Status.APPROVED:
            method = agents.method(work, request, latest.channel)
            accept(services, work, request, method=method, actor="person")
        decisions.after_step(services, work, request)
        return CodeResult(True, "verified", request.status)


def accept(services: Services, work: Unit, request: Request, *, method: str, actor: str) -> None:
    """Record a successful verification (first time, or the step-up right before a run)."""
    first = Status(request.status) in {Status.RECEIVED, Status.IDENTITY_UNVERIFIED}
    event = Event.VERIFY if first else Event.REVERIFY
    lifecycle.advance(work, request, event, actor=actor, data={"method": method})
    request.verified_at = work.now
    request.verification_method = method
    link = work.session.get(
        AccessToken, token_hash(services, services.secrets.follow_token(request.id))
    )
    if link is not None:  # opened before the request was verified
        link.verified_at = work.now
    if first:
        work.notices.append(notice(request, "verified", {}))


def attest(services: Services, work: Unit, request: Request, evidence: str, *, actor: str) -> None:
    """An operator verifies the person from evidence kept elsewhere (e.g. a signed letter), or
    an agent's request from the power of attorney attached (``agents.attest``)."""
    if len(evidence.strip()) < 5:
        raise PolicyError(
            "operator verification needs a reference to the evidence kept",
            code=Code.EVIDENCE_REFERENCE,
        )
    method = agents.attest(work, request, evidence)
    accept(services, work, request, method=method, actor=actor)
    lifecycle.record(work, request, events.VERIFICATION_EVIDENCE, actor=actor, reason=evidence)


def is_fresh(services: Services, request: Request, now: datetime) -> bool:
    """Verified recently enough for a deletion, correction or disclosure (INT-04)."""
    window = timedelta(minutes=services.settings.step_up_minutes)
    return request.verified_at is not None and now - request.verified_at <= window


def fraud_pending(request: Request) -> bool:
    """Flagged as suspected fraud and not verified again since (INT-05, CCR 7061(b))."""
    fraud, verified = request.outcome.fraud, request.verified_at
    if fraud is None:
        return False
    return verified is None or verified <= datetime.fromisoformat(fraud.at)


def acknowledge(services: Services, work: Unit, request: Request) -> None:
    """Tell the person the request arrived, how verification works, and when to expect an answer."""
    method = "host_token" if request.verified_at else _channel(request)
    work.notices.append(
        notice(
            request,
            "acknowledged",
            {"due": request.due.isoformat(), "verification": method},
        )
    )


def _channel(request: Request) -> str:
    """Where a code goes: "email" when the person gave one, else "sms"."""
    email, phone = contact(request)
    if email is not None:
        return "email"
    if phone is not None:
        return "sms"
    raise PolicyError(
        "the request names no email or phone to send a code to; an operator can verify "
        "the person with recorded evidence instead"
    )


def _still_out(latest: Challenge, now: datetime, *, asked: bool) -> bool:
    """A live code stays; only the person's own ask replaces it, and not within a minute."""
    live = latest.used_at is None and latest.expires_at > now
    return live and (not asked or now - latest.created_at < RESEND_AFTER)


def _latest(work: Unit, request_id: str) -> Challenge | None:
    query = (
        select(Challenge)
        .where(Challenge.request_id == request_id)
        .order_by(Challenge.id.desc())
        .limit(1)
    )
    return work.session.scalars(query).first()


def _code_hash(services: Services, request_id: str, code: str) -> str:
    return services.secrets.mac("verification-code", request_id, code)

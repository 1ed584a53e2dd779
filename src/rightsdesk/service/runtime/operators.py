"""Operators and their API keys: scoped, hashed at rest, shown once at creation."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select

from rightsdesk.audit import events
from rightsdesk.audit import log as audit
from rightsdesk.domain.errors import (
    AuthenticationError,
    Code,
    NotFoundError,
    PermissionDeniedError,
    PolicyError,
)
from rightsdesk.service.runtime.context import Services, unit
from rightsdesk.store.models import ApiKey

PREFIX = "rdk"


class Scope(StrEnum):
    READ = "read"  # list, view and search requests
    DECIDE = "decide"  # approve, refuse, extend, assign, note, run, retry, submit tickets
    ADMIN = "admin"  # everything, plus keys and audit verification (not the vault roles)
    LEGAL = "legal"  # read the retention vault's rows sealed for legal (docs/vault.md)
    FINANCE = "finance"  # read vault rows sealed for finance, e.g. bills of cancelled accounts


#: The vault's roles; no other scope implies them, so a vault reader is always named explicitly.
VAULT_SCOPES = {Scope.LEGAL, Scope.FINANCE}

#: What each scope also grants.
IMPLIES = {
    Scope.READ: {Scope.READ},
    Scope.DECIDE: {Scope.READ, Scope.DECIDE},
    Scope.ADMIN: set(Scope) - VAULT_SCOPES,
    Scope.LEGAL: {Scope.LEGAL},
    Scope.FINANCE: {Scope.FINANCE},
}


@dataclass(frozen=True)
class Operator:
    key_id: str
    name: str
    scopes: frozenset[Scope]

    @property
    def actor(self) -> str:
        return f"operator:{self.key_id}"

    def require(self, scope: Scope) -> None:
        if scope not in self.scopes:
            raise PermissionDeniedError(
                f"this API key lacks the {scope.value!r} scope",
                code=Code.SCOPE_MISSING,
                params={"scope": scope.value},
            )


def create_key(services: Services, name: str, scopes: list[str]) -> tuple[str, str]:
    """A new key: (key id, the full secret to give the operator once)."""
    try:
        granted = sorted({Scope(s) for s in scopes})
    except ValueError:
        raise PolicyError(
            f"scopes are {', '.join(s.value for s in Scope)}", code=Code.SCOPE_UNKNOWN
        ) from None
    if not granted or not name.strip():
        raise PolicyError(
            "an API key needs a name and at least one scope", code=Code.KEY_INCOMPLETE
        )
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    with unit(services) as work:
        work.session.add(
            ApiKey(
                id=key_id,
                name=name,
                scopes=[s.value for s in granted],
                secret_hash=_hash(secret),
                created_at=work.now,
            )
        )
        audit.append(
            work.session,
            at=work.now,
            actor="admin",
            event=events.APIKEY_CREATE,
            data={"key_id": key_id, "name": name, "scopes": [s.value for s in granted]},
        )
    return key_id, f"{PREFIX}_{key_id}_{secret}"


def authenticate(services: Services, presented: str) -> Operator:
    """The operator behind a key, or AuthenticationError (same message whatever was wrong)."""
    prefix, _, rest = presented.partition("_")
    key_id, _, secret = rest.partition("_")
    if prefix != PREFIX or not key_id or not secret:
        raise AuthenticationError("invalid API key", code=Code.API_KEY_INVALID)
    with services.store.session() as session:
        row = session.get(ApiKey, key_id)
        if row is None or row.revoked_at is not None:
            raise AuthenticationError("invalid API key", code=Code.API_KEY_INVALID)
        if not hmac.compare_digest(row.secret_hash, _hash(secret)):
            raise AuthenticationError("invalid API key", code=Code.API_KEY_INVALID)
        return _operator(row)


def sign_in(services: Services, presented: str) -> tuple[Operator, str]:
    """The operator behind a key and a mark for a console session to carry instead of the key:
    the mark is bound to the key's stored hash, so the session ends with the key (revoked)."""
    found = authenticate(services, presented)
    secret = presented.split("_", 2)[2]
    return found, _mark(services, found.key_id, _hash(secret))


def resume(services: Services, key_id: str, mark: str) -> Operator:
    """The operator of a console session (with the key's current scopes), or
    AuthenticationError once the key is revoked or the mark does not match."""
    with services.store.session() as session:
        row = session.get(ApiKey, key_id)
        expected = "" if row is None else _mark(services, row.id, row.secret_hash)
        if row is None or row.revoked_at is not None or not hmac.compare_digest(expected, mark):
            raise AuthenticationError(
                "your console session has ended: sign in again", code=Code.CONSOLE_SESSION_ENDED
            )
        return _operator(row)


def federated(services: Services, user: str, groups: Iterable[str]) -> Operator:
    """An operator a signing-in proxy vouches for: named by the proxy, with the scopes the
    settings give their groups (``console_groups``); refused when no group grants any."""
    granted = services.settings.console_groups
    try:
        scopes = frozenset(
            implied
            for group in groups
            for scope in granted.get(group.strip(), ())
            for implied in IMPLIES[Scope(scope)]
        )
    except ValueError:
        raise PolicyError(f"console_groups: scopes are {', '.join(Scope)}") from None
    if not scopes:
        raise PermissionDeniedError(
            "none of your groups has a console role", code=Code.NO_CONSOLE_ROLE
        )
    return Operator(f"sso:{user}", user, scopes)


def _operator(row: ApiKey) -> Operator:
    scopes = frozenset(s for scope in row.scopes for s in IMPLIES[Scope(scope)])
    return Operator(row.id, row.name, scopes)


def _mark(services: Services, key_id: str, secret_hash: str) -> str:
    return services.secrets.mac("console-session", key_id, secret_hash)


def revoke(services: Services, key_id: str) -> None:
    with unit(services) as work:
        row = work.session.get(ApiKey, key_id)
        if row is None:
            raise NotFoundError(
                f"no API key {key_id!r}", code=Code.API_KEY_UNKNOWN, params={"id": key_id}
            )
        row.revoked_at = work.now
        audit.append(
            work.session,
            at=work.now,
            actor="admin",
            event=events.APIKEY_REVOKE,
            data={"key_id": key_id},
        )


def list_keys(services: Services) -> list[ApiKey]:
    with services.store.session() as session:
        return list(session.scalars(select(ApiKey).order_by(ApiKey.created_at)))


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()

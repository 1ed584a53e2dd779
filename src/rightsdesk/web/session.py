"""The browser's session: one signed cookie with a CSRF nonce and the requests it may follow.

The cookie holds a random nonce (every form carries ``mac("csrf", nonce)``, checked on every
POST) and the capability tokens of the requests this browser submitted or opened by their link,
so no token stays in an address bar or a history. A person who arrived signed in from the
host platform adds ``h``: the host's login token, posted once to ``/sign-in``. An operator
signed in to the console adds ``o``: the key's id, a mark bound to the key
(``operators.sign_in``; never the key itself) and when they signed in (the sign-in lasts
``CONSOLE_HOURS``). It is HttpOnly, SameSite=Lax, and Secure unless the service's public URL
is a loopback address (local development over plain HTTP).
A cookie whose signature does not match is ignored, never trusted.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from rightsdesk.domain.errors import Code, PermissionDeniedError
from rightsdesk.service.runtime.context import Secrets

COOKIE = "rd_session"
#: Requests one browser keeps tokens for (the newest win); keeps the cookie well under 4 KiB.
MAX_TOKENS = 8
MAX_AGE = 30 * 24 * 3600
#: How long a console sign-in lasts before the API key is asked for again.
CONSOLE_HOURS = 12
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass
class Session:
    nonce: str
    tokens: dict[str, str] = field(default_factory=dict)
    changed: bool = False
    #: (key id, mark, signed-in at as epoch seconds) of the console's operator
    operator: tuple[str, str, int] | None = None
    #: The host platform's login token of a person who arrived signed in (checked on every
    #: use by the service, so it lasts as long as the service accepts it)
    host: str | None = None

    def remember(self, request_id: str, token: str) -> None:
        self.tokens.pop(request_id, None)
        self.tokens[request_id] = token
        while len(self.tokens) > MAX_TOKENS:
            self.tokens.pop(next(iter(self.tokens)))
        self.changed = True

    def sign_in(self, key_id: str, mark: str) -> None:
        """Hold an operator's sign-in, under a new nonce (no form from before stays valid)."""
        self.nonce, self.operator = secrets.token_urlsafe(16), (key_id, mark, int(time.time()))
        self.changed = True

    def sign_out(self) -> None:
        self.nonce, self.operator = secrets.token_urlsafe(16), None
        self.changed = True

    def arrive(self, host_token: str) -> None:
        """Hold a person's login token from the host, under a new nonce."""
        self.nonce, self.host = secrets.token_urlsafe(16), host_token
        self.changed = True

    def leave(self) -> None:
        self.nonce, self.host = secrets.token_urlsafe(16), None
        self.changed = True

    def console(self) -> tuple[str, str] | None:
        """The signed-in operator's (key id, mark), unless absent or older than CONSOLE_HOURS."""
        if self.operator is None:
            return None
        key_id, mark, since = self.operator
        return (key_id, mark) if time.time() - since < CONSOLE_HOURS * 3600 else None


def load(request: Request, keys: Secrets) -> Session:
    """The session in the request's cookie, or a new one (marked changed, to be set)."""
    raw = request.cookies.get(COOKIE, "")
    payload, _, signature = raw.partition(".")
    if payload and hmac.compare_digest(keys.mac("web-session", payload), signature):
        try:
            data = json.loads(base64.urlsafe_b64decode(payload.encode()))
            tokens = {str(k): str(v) for k, v in dict(data["t"]).items()}
            found = data.get("o")
            operator = (str(found[0]), str(found[1]), int(found[2])) if found else None
            host = str(data["h"]) if data.get("h") else None
            return Session(str(data["n"]), tokens, operator=operator, host=host)
        except (ValueError, KeyError, IndexError, TypeError, binascii.Error):
            pass  # a signed cookie in an older shape: start afresh
    return Session(secrets.token_urlsafe(16), changed=True)


def csrf_token(session: Session, keys: Secrets) -> str:
    return keys.mac("csrf", session.nonce)


def check_csrf(session: Session, keys: Secrets, submitted: str | None) -> None:
    if not submitted or not hmac.compare_digest(csrf_token(session, keys), submitted):
        raise PermissionDeniedError(
            "this form has expired: reload the page and send it again", code=Code.FORM_EXPIRED
        )


def secure_cookies(public_url: str) -> bool:
    return urlsplit(public_url).hostname not in LOOPBACK


def save(response: Response, session: Session, keys: Secrets, public_url: str) -> None:
    """Set the cookie on ``response`` if the session changed."""
    if not session.changed:
        return
    shape: dict[str, object] = {"n": session.nonce, "t": session.tokens}
    if session.operator is not None:
        shape["o"] = session.operator
    if session.host is not None:
        shape["h"] = session.host
    data = json.dumps(shape, separators=(",", ":"))
    payload = base64.urlsafe_b64encode(data.encode()).decode()
    response.set_cookie(
        COOKIE,
        f"{payload}.{keys.mac('web-session', payload)}",
        max_age=MAX_AGE,
        httponly=True,
        secure=secure_cookies(public_url),
        samesite="lax",
    )

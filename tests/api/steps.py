"""Requester steps over HTTP (in-process or live): submit, read the emailed code, verify."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

import httpx
import jwt

from tests.mailbox import Mailbox
from tests.service.conftest import HOST_SECRET, PERSON
from tests.service.flows import emailed_code, wait_for_mail


class Client(Protocol):
    def get(self, url: str, **options: Any) -> httpx.Response: ...
    def post(self, url: str, **options: Any) -> httpx.Response: ...


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def body(kind: str = "access", email: str = PERSON, **extra: Any) -> dict[str, Any]:
    return {"type": kind, "identities": [{"kind": "email", "value": email}], **extra}


def submit(client: Client, kind: str = "access", email: str = PERSON, **extra: Any) -> Any:
    """POST /v1/requests; the 201 body (id, status, token, due...)."""
    response = client.post("/v1/requests", json=body(kind, email, **extra))
    assert response.status_code == 201, response.text
    return response.json()


def verify(client: Client, mailbox: Mailbox, submitted: Any, email: str = PERSON) -> Any:
    """Enter the code mailed to ``email`` for the submitted request."""
    wait_for_mail(mailbox, 1, email)
    response = client.post(
        f"/v1/requests/{submitted['id']}/verify",
        json={"code": emailed_code(mailbox, email)},
        headers=bearer(submitted["token"]),
    )
    assert response.status_code == 200, response.text
    return response.json()


def host_token(now: datetime, sub: str = "1", email: str = PERSON) -> str:
    """A host-platform login token (HS256 JWT) issued at ``now``."""
    issued = int(now.timestamp())
    claims = {"sub": sub, "email": email, "aud": "rightsdesk", "iat": issued, "exp": issued + 300}
    return jwt.encode(claims, HOST_SECRET, algorithm="HS256")

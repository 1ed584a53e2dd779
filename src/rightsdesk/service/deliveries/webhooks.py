"""Signed webhooks: one POST of canonical JSON, signed so the receiver can prove it came from us.

The signature is ``sha256=<hex HMAC-SHA256 over "<timestamp>.<body>">``: binding the timestamp
lets a receiver refuse replays of an old body, as Stripe and GitHub receivers already do.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import httpx

from rightsdesk.audit.chain import canonical
from rightsdesk.domain.errors import DeliveryError

#: Seconds a receiver gets to answer; a slow receiver is retried later, never waited for.
TIMEOUT = 5.0


def body(envelope: Mapping[str, Any]) -> bytes:
    """The exact bytes sent (and signed): the audit chain's canonical JSON (compact, keys
    sorted, UTF-8), so there is one canonicaliser."""
    return canonical(envelope)


def signature(secret: bytes, timestamp: str, content: bytes) -> str:
    digest = hmac.new(secret, timestamp.encode() + b"." + content, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(secret: bytes, timestamp: str, content: bytes, presented: str) -> bool:
    """What a receiver does (documented in docs/consent.md); used by the tests' receiver."""
    return hmac.compare_digest(signature(secret, timestamp, content), presented)


def post(
    url: str, secret: bytes, *, delivery_id: str, event: str, timestamp: str, content: bytes
) -> None:
    """POST one signed body; any 2xx is an acknowledgement, anything else a DeliveryError."""
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "rightsdesk-webhook",
        "X-Rightsdesk-Event": event,
        "X-Rightsdesk-Delivery": delivery_id,
        "X-Rightsdesk-Timestamp": timestamp,
        "X-Rightsdesk-Signature": signature(secret, timestamp, content),
    }
    try:
        response = httpx.post(url, content=content, headers=headers, timeout=TIMEOUT)
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise DeliveryError("webhook", f"{type(exc).__name__}: {exc}") from exc
    if not response.is_success:
        raise DeliveryError("webhook", f"receiver answered HTTP {response.status_code}")

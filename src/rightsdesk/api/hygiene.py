"""HTTP hygiene around every response: a body size limit and security headers.

Responses carry capability tokens and personal data, so none may be cached or sniffed, and the
only HTML (the API docs) runs only scripts and styles served by this server. The body limit is
checked on the declared length and again while the body streams in, so a 50 MiB upload is cut
off at the limit instead of being read and parsed first.
"""

from __future__ import annotations

import json
import re
from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rightsdesk.service.casefiles.documents import MAX_BYTES as MAX_DOCUMENT

#: Largest request body accepted (a batch of 1,000 tickets is about 400 KiB).
MAX_BODY = 2 * 1024 * 1024
#: Uploads of a signed document (a scan) may be larger: up to the documents' own limit.
DOCUMENTS = re.compile(r"^/v1/(admin/)?requests/[0-9a-f]{32}/documents/[a-z_]{1,32}$")
HEADERS = [
    (b"cache-control", b"no-store"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
#: Swagger UI's page has one inline script that starts it; everything else is from 'self'. Pages
#: that send their own policy (the privacy center's, with no script at all) keep theirs.
CSP = (
    b"default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)


class Hygiene:
    """ASGI middleware: 413 for bodies over ``limit``; security headers on every response."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = MAX_DOCUMENT if DOCUMENTS.match(scope.get("path", "")) else self.limit
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > limit:
            await _too_large(send, limit)
            return
        seen, started, refused = 0, False, False

        async def counted() -> Message:
            nonlocal seen, started, refused
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit and not refused:
                refused = True  # answer now; the app sees a client that went away
                if not started:
                    started = True
                    await _too_large(send, limit)
                return {"type": "http.disconnect"}
            return message

        async def secured(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 went out already
            if message["type"] == "http.response.start":
                started = True
                _add_headers(message)
            await send(message)

        await self.app(scope, counted, secured)


def _add_headers(message: MutableMapping[str, Any]) -> None:
    headers = list(message.get("headers", []))
    names = {name.lower() for name, _ in headers}
    headers += [(name, value) for name, value in HEADERS if name not in names]
    content_type = next((v for n, v in headers if n.lower() == b"content-type"), b"")
    if content_type.startswith(b"text/html") and b"content-security-policy" not in names:
        headers.append((b"content-security-policy", CSP))  # the web's pages set a stricter one
    message["headers"] = headers


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "error": "ContentTooLarge",
            "code": "content_too_large",
            "detail": f"request bodies are limited to {limit} bytes",
        }
    ).encode()
    start: Message = {
        "type": "http.response.start",
        "status": 413,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    _add_headers(start)
    await send(start)
    await send({"type": "http.response.body", "body": body})

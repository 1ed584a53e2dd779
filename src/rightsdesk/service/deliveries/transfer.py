"""A direct transfer to another handler (GDPR Art. 20(2), PIPL Art. 45(3)): one HTTPS POST of
the portability document, signed with rightsdesk's Ed25519 receipt key.

The receiver checks ``X-Rightsdesk-Signature`` (``ed25519=<base64 signature over the raw
body>``) against our public key (``receipt-signing.pub``, or the raw key in
``X-Rightsdesk-Public-Key`` pinned once, whose fingerprint is ``X-Rightsdesk-Key-Id``) before it
parses the body. Only ``https://`` is ever used; the server's certificate is checked against
the system's trust store, or ``RIGHTSDESK_TRANSFER_CA_FILE``.
"""

from __future__ import annotations

import base64
import hashlib
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from rightsdesk.audit.receipts import key_id
from rightsdesk.domain.errors import Code, DeliveryError, PolicyError
from rightsdesk.service.runtime.context import Services

#: Seconds the receiving handler gets to answer.
TIMEOUT = 30.0
URL_LIMIT = 2000


def check_url(url: object) -> str:
    """An ``https://`` URL with a host and no credentials in it (PolicyError otherwise)."""
    if not isinstance(url, str) or len(url) > URL_LIMIT:
        raise PolicyError(
            f"params.transfer_to must be an https:// URL of at most {URL_LIMIT} characters",
            code=Code.TRANSFER_URL,
        )
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise PolicyError(
            "params.transfer_to must be an https:// URL: data is only sent encrypted",
            code=Code.TRANSFER_URL,
        )
    if parts.username or parts.password:
        raise PolicyError("params.transfer_to must not carry credentials", code=Code.TRANSFER_URL)
    return url


@dataclass(frozen=True)
class Sent:
    host: str
    status: int
    key_id: str
    sha256: str


def signature(services: Services, content: bytes) -> str:
    return "ed25519=" + base64.b64encode(services.signing_key.sign(content)).decode("ascii")


def verify(public_key: Ed25519PublicKey, content: bytes, presented: str) -> bool:
    """What the receiving handler does before parsing the body (the tests' receiver uses it)."""
    scheme, _, encoded = presented.partition("=")
    try:
        public_key.verify(base64.b64decode(encoded, validate=True), content)
    except Exception:  # noqa: BLE001 (InvalidSignature, or a malformed header: not signed by us)
        return False
    return scheme == "ed25519"


def send(services: Services, url: str, content: bytes, *, request_id: str) -> Sent:
    """POST ``content`` to ``url``, signed; any 2xx is acceptance, else a DeliveryError."""
    public = services.signing_key.public_key()
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "rightsdesk-transfer",
        "X-Rightsdesk-Request": request_id,
        "X-Rightsdesk-Key-Id": key_id(public),
        "X-Rightsdesk-Public-Key": base64.b64encode(raw).decode("ascii"),
        "X-Rightsdesk-Signature": signature(services, content),
    }
    try:
        response = httpx.post(
            check_url(url),
            content=content,
            headers=headers,
            timeout=TIMEOUT,
            verify=_trust(services),
        )
    except (httpx.HTTPError, httpx.InvalidURL, ssl.SSLError) as exc:
        raise DeliveryError("transfer", _why(exc)) from exc
    if not response.is_success:
        raise DeliveryError(
            "transfer", f"the receiving handler answered HTTP {response.status_code}"
        )
    host = urlsplit(url).hostname or ""
    return Sent(host, response.status_code, key_id(public), hashlib.sha256(content).hexdigest())


def _trust(services: Services) -> ssl.SSLContext:
    ca = services.settings.transfer_ca_file
    return ssl.create_default_context(cafile=str(ca)) if ca else ssl.create_default_context()


def _why(exc: Exception) -> str:
    text = str(exc)
    if "CERTIFICATE_VERIFY_FAILED" in text or isinstance(
        exc.__cause__, ssl.SSLCertVerificationError
    ):
        return "the receiving handler's certificate is not trusted"
    return f"the receiving handler could not be reached ({type(exc).__name__})"

"""A real webhook receiver for tests: http.server on 127.0.0.1 at a free port, keeping every POST.

Test modules that use it take its fixtures by name (``receiver``, and ``platform`` / ``settings``
overriding the service ones): ``from tests.service.receiver import platform, receiver, settings``.

It answers with the statuses queued in ``answers`` (then 200), so a test can make the first
attempt fail and the retry succeed. Signatures are checked by the tests, with their own HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any

import pytest
import yaml

from rightsdesk.settings import Settings


@dataclass(frozen=True)
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def signed_by(self, secret: bytes) -> bool:
        """What a host does: HMAC-SHA256 over "timestamp.body", compared in constant time."""
        timestamp = self.headers["x-rightsdesk-timestamp"]
        digest = hmac.new(secret, f"{timestamp}.".encode() + self.body, hashlib.sha256)
        expected = f"sha256={digest.hexdigest()}"
        return hmac.compare_digest(expected, self.headers["x-rightsdesk-signature"])


class Receiver:
    def __init__(self) -> None:
        self.hits: list[Hit] = []
        self.answers: list[int] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                hit = Hit(self.path, {k.lower(): v for k, v in self.headers.items()}, b"")
                hit = Hit(hit.path, hit.headers, self.rfile.read(length))
                with receiver._lock:
                    receiver.hits.append(hit)
                    code = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/{path}"

    def at(self, path: str) -> list[Hit]:
        with self._lock:
            return [h for h in self.hits if h.path == f"/{path}"]

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


#: Purposes and recipients added to a copy of the demo data map (the bundled one has none yet).
RIGHTS_YAML = """
purposes:
  - name: service
    description: Providing the services the person subscribed to
    basis: contract
    collections: [platform.accounts, billing.subscriptions]
  - name: marketing
    description:
      en: Product news and offers by e-mail and SMS
      zh-CN: 通过邮件和短信发送产品资讯和优惠信息
    collections: [platform.login_events]
    fields: [platform.accounts.phone]
    features: [newsletter, promo_sms]
  - name: analytics
    description: Usage statistics to improve the product
    collections: [platform.login_events]
    features: [usage_analytics]
  - name: ad_sharing
    description: Sharing account links with advertising partners
    collections: [platform.account_bindings]
    features: [ad_partner_sync]
    sale_or_sharing: true
    default_granted: true
recipients:
  - name: mailhouse
    kind: processor
    collections: [platform.login_events]
    email: mailhouse@example.net
  - name: ad_partner
    kind: third_party
    collections: [platform.account_bindings]
    webhook: {webhook}
"""


def with_rights(datamap: Path, receiver: Receiver) -> Path:
    """Set the purposes and recipients of the data map file at ``datamap`` to the ones above."""
    loaded = yaml.safe_load(datamap.read_text(encoding="utf-8"))
    extra = yaml.safe_load(RIGHTS_YAML.replace("{webhook}", receiver.url("ad_partner")))
    datamap.write_text(yaml.safe_dump({**loaded, **extra}, sort_keys=False), encoding="utf-8")
    return datamap


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


@pytest.fixture
def platform(platform: Path, receiver: Receiver) -> Path:
    """The demo platform's data map with the purposes and recipients above."""
    return with_rights(platform, receiver)


@pytest.fixture
def settings(settings: Settings, receiver: Receiver) -> Settings:
    """Webhooks to the host go to the receiver; three attempts before a delivery fails."""
    return settings.model_copy(
        update={"host_hook_url": receiver.url("host"), "delivery_attempts": 3}
    )

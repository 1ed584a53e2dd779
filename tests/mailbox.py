"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 at a free port, keeping what it receives.

Use it as a context manager (or ``start()``/``stop()``)::

    with Mailbox() as mailbox:
        send_something(f"smtp://{mailbox.host}:{mailbox.port}")   # or mailbox.url
        [message] = mailbox.wait_for(1)
        assert message.subject == "..." and "..." in message.body

``login=("user", "secret")`` makes the server offer AUTH (PLAIN/LOGIN) without TLS and accept
only that pair; without it the server offers no AUTH at all. ``free_port()`` gives a port
nobody listens on, for "server down" tests; ``free_ports(n)`` a run of n such ports.
"""

from __future__ import annotations

import random
import socket
import threading
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from pathlib import Path
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

HOST = "127.0.0.1"


class Received(EmailMessage):
    """A received message: a parsed EmailMessage plus its SMTP envelope and decoded helpers."""

    raw: bytes = b""
    envelope_from: str = ""
    envelope_to: tuple[str, ...] = ()

    @property
    def subject(self) -> str:
        """The Subject header, RFC 2047 decoded."""
        return str(self.get("Subject", ""))

    @property
    def body(self) -> str:
        """The text/plain body, transfer-decoded and charset-decoded."""
        part = self.get_body(("plain",))
        return str(part.get_content()) if part is not None else ""


_PARSER = BytesParser(Received, policy=default)


class Mailbox:
    """An SMTP server on 127.0.0.1 that keeps every message delivered to it, in order."""

    def __init__(self, *, login: tuple[str, str] | None = None) -> None:
        self.host = HOST
        self.port = free_port()
        self._login = login
        self._received: list[Received] = []
        self._arrived = threading.Condition()
        auth: dict[str, Any] = (
            {"authenticator": self._authenticate, "auth_require_tls": False} if login else {}
        )
        self._controller = Controller(_Handler(self), hostname=HOST, port=self.port, **auth)

    @property
    def url(self) -> str:
        """``smtp://127.0.0.1:<port>``, for ``mailer_from_url``."""
        return f"smtp://{self.host}:{self.port}"

    @property
    def messages(self) -> list[Received]:
        """A snapshot of the messages received so far."""
        with self._arrived:
            return list(self._received)

    def wait_for(self, count: int = 1, timeout: float = 5) -> list[Received]:
        """The first ``count`` messages, waiting up to ``timeout`` seconds; AssertionError if not."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._received) >= count, timeout):
                subjects = [m.subject for m in self._received]
                raise AssertionError(f"expected {count} message(s) in {timeout}s, got {subjects}")
            return list(self._received[:count])

    def clear(self) -> None:
        """Forget the messages received so far."""
        with self._arrived:
            self._received.clear()

    def start(self) -> Mailbox:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> Mailbox:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _deliver(self, envelope: Envelope) -> None:
        raw = envelope.original_content or b""
        message = _PARSER.parsebytes(raw)
        assert isinstance(message, Received)
        message.raw = raw
        message.envelope_from = envelope.mail_from or ""
        message.envelope_to = tuple(envelope.rcpt_tos)
        with self._arrived:
            self._received.append(message)
            self._arrived.notify_all()

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and self._login is not None
            and (data.login.decode(), data.password.decode()) == self._login
        )
        return AuthResult(success=ok, handled=False)


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self._mailbox = mailbox

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self._mailbox._deliver(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A port nobody listens on right now (the kernel's pick; a tiny race is acceptable in tests)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def free_ports(count: int) -> int:
    """The first of ``count`` consecutive ports nobody listens on, for a program that numbers its
    ports from one it is given (`scripts/cluster.sh`'s worker metrics ports).

    Drawn below the kernel's ephemeral range, where outgoing connections take their local ports:
    a run inside it holds ports of the parity connect() uses, and a connection could take one
    between this probe and the server's bind (a cluster worker then failed with "Address already
    in use" and the script stopped every process, the API included).
    """
    ranges = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    low = int(ranges[0])
    draw = random.SystemRandom()
    for _ in range(100):
        first = draw.randrange(10_000, low - count)
        if all(_bindable(port) for port in range(first, first + count)):
            return first
    raise AssertionError(f"no {count} consecutive free ports below {low}")


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True

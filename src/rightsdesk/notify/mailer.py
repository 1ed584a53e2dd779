"""Mail transports: a real SMTP server, or an outbox folder of ``.eml`` files for a laptop.

``RIGHTSDESK_MAIL_URL``'s scheme picks the transport from the ``rightsdesk.mail_transports``
registry: each entry is a function from the whole URL to a ``Mailer`` (``smtp``,
``smtp+starttls`` and ``smtps`` are :func:`smtp_from_url`, ``file`` :func:`outbox_from_url`).
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from ssl import SSLContext, create_default_context
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from rightsdesk.domain.errors import DeliveryError
from rightsdesk.notify import outbox
from rightsdesk.plugins import Registry

_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
_YES = frozenset({"1", "true", "yes"})


class Mailer(Protocol):
    """Anything that can take a finished e-mail; it raises DeliveryError when it cannot."""

    def send(self, message: EmailMessage) -> None: ...


class SmtpMailer:
    """Sends through an SMTP server: plain, STARTTLS or implicit TLS, with an optional login."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        starttls: bool = False,
        ssl: bool = False,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10,
        context: SSLContext | None = None,
    ) -> None:
        if starttls and ssl:
            raise ValueError("choose starttls (upgrade a plain connection) or ssl, not both")
        self.host, self.port, self.timeout = host, port, timeout
        self.starttls, self.ssl, self.username = starttls, ssl, username
        self._password = password
        self._context = context

    def __repr__(self) -> str:
        mode = "ssl" if self.ssl else "starttls" if self.starttls else "plain"
        return f"SmtpMailer({self.host}:{self.port}, {mode}, user={self.username!r})"

    def send(self, message: EmailMessage) -> None:
        where = f"{self.host}:{self.port}"
        try:
            smtp = self._connect()
        except OSError as exc:
            raise DeliveryError("email", f"cannot connect to SMTP server {where}: {exc}") from exc
        try:
            with smtp:
                if self.starttls:
                    smtp.starttls(context=self._context or create_default_context())
                if self.username is not None:
                    smtp.login(self.username, self._password or "")
                smtp.send_message(message)
        except OSError as exc:  # smtplib.SMTPException is an OSError
            raise DeliveryError("email", f"SMTP server {where}: {_describe(exc)}") from exc

    def _connect(self) -> smtplib.SMTP:
        if self.ssl:
            context = self._context or create_default_context()
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        return smtplib.SMTP(self.host, self.port, timeout=self.timeout)


class OutboxMailer:
    """Writes each message to ``folder`` as an ``.eml`` file readable only by its owner (0600)."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"OutboxMailer({str(self.folder)!r})"

    def send(self, message: EmailMessage) -> None:
        try:
            outbox.write_new(self.folder, ".eml", message.as_bytes())
        except OSError as exc:
            raise DeliveryError("email", f"cannot write to outbox {self.folder}: {exc}") from exc


#: Builds a mailer from the whole mail URL; raises DeliveryError when the URL is unusable.
MailTransport = Callable[[str], Mailer]
MAIL_TRANSPORTS: Registry[MailTransport] = Registry(
    "rightsdesk.mail_transports", "mail transport", callable
)


def mailer_from_url(url: str) -> Mailer:
    """``smtp://[user:pass@]host[:port]``, ``smtp+starttls://…``, ``smtps://…``, ``file:///folder``
    or the scheme of an installed transport."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in MAIL_TRANSPORTS:
        raise _unsupported(url)
    return MAIL_TRANSPORTS.get(scheme)(url)


def outbox_from_url(url: str) -> OutboxMailer:
    """``file:///folder``: an outbox folder."""
    return OutboxMailer(Path(unquote(urlsplit(url).path)))


def smtp_from_url(url: str) -> SmtpMailer:
    """``smtp://``, ``smtp+starttls://`` or ``smtps://`` with a host, an optional login and port,
    and ``?starttls=1`` or ``?timeout=`` seconds."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        raise _unsupported(url) from None
    if scheme not in _PORTS or not parts.hostname:
        raise _unsupported(url)
    query = parse_qs(parts.query)
    return SmtpMailer(
        parts.hostname,
        port or _PORTS[scheme],
        starttls=scheme == "smtp+starttls" or query.get("starttls", [""])[0].lower() in _YES,
        ssl=scheme == "smtps",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        timeout=float(query.get("timeout", ["10"])[0]),
    )


def _unsupported(url: str) -> DeliveryError:
    return DeliveryError(
        "email",
        f"unsupported mail URL {redact_url(url)!r}; use smtp://host:port, "
        "smtp+starttls://user:pass@host, smtps://user:pass@host or file:///folder",
    )


def _describe(exc: OSError) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # the reason is logged and audited, so the address refused is not named
        codes = ", ".join(str(code) for code, _ in exc.recipients.values())
        return f"recipient refused ({codes})"
    if isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error
        text = error.decode(errors="replace") if isinstance(error, bytes) else str(error)
        return f"{type(exc).__name__}: {exc.smtp_code} {text}".strip()
    return f"{type(exc).__name__}: {exc}"


def redact_url(url: str) -> str:
    """``url`` with its password, if any, shown as ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)

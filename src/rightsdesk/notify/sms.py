"""Text-message transports: an outbox folder (the default), a JSON-lines file, or the console
log (without the text's digits); gateways plug in as ``rightsdesk.sms_transports`` entry points,
each a function from the whole ``RIGHTSDESK_SMS_URL`` to an ``SmsSender``, named by its scheme.

A text usually carries a one-time code, so it never goes to a stream that ends up in the
server's log: the console transport logs that a text went out, with the number's last two
digits and every run of digits in the text withheld.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from rightsdesk.domain.errors import DeliveryError
from rightsdesk.notify import outbox
from rightsdesk.notify.mailer import redact_url
from rightsdesk.plugins import Registry

log = logging.getLogger("rightsdesk.sms")

_DIGITS = re.compile(r"\d{3,}")


class SmsSender(Protocol):
    """Anything that can send a text to a phone number; it raises DeliveryError when it cannot."""

    def send(self, phone: str, text: str) -> None: ...


class ConsoleSms:
    """Logs that a text went out (for development), never the number or the code in it."""

    def send(self, phone: str, text: str) -> None:
        shown = _DIGITS.sub("[withheld]", text)
        log.info("SMS to a number ending %s: %s", phone[-2:], shown)


class FileSms:
    """Appends each text to ``path`` as one JSON line; the file is readable only by its owner."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"FileSms({str(self.path)!r})"

    def send(self, phone: str, text: str) -> None:
        line = (json.dumps(_entry(phone, text), ensure_ascii=False) + "\n").encode()
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(line)
        except OSError as exc:
            raise DeliveryError("sms", f"cannot append to {self.path}: {exc}") from exc


class OutboxSms:
    """Writes each text to ``folder`` as a ``.json`` file readable only by its owner (0600),
    like the mail outbox; the folder is created 0700."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"OutboxSms({str(self.folder)!r})"

    def send(self, phone: str, text: str) -> None:
        data = json.dumps(_entry(phone, text), ensure_ascii=False).encode()
        try:
            outbox.write_new(self.folder, ".json", data)
        except OSError as exc:
            raise DeliveryError("sms", f"cannot write to the outbox {self.folder}: {exc}") from exc


def _entry(phone: str, text: str) -> dict[str, str]:
    return {"at": datetime.now(UTC).isoformat(), "to": phone, "text": text}


#: Builds a sender from the whole SMS URL; raises DeliveryError when the URL is unusable.
SmsTransport = Callable[[str], SmsSender]
SMS_TRANSPORTS: Registry[SmsTransport] = Registry(
    "rightsdesk.sms_transports", "SMS transport", callable
)
_OFF = frozenset({"", "none", "off"})
_CONSOLE = frozenset({"console", "console:", "stderr"})


def sms_from_url(url: str) -> SmsSender | None:
    """``file:///folder`` (an outbox), ``file:///path.jsonl``, ``console``, ``none`` or the
    scheme of an installed transport."""
    text = url.strip()
    if text.lower() in _OFF:
        return None
    scheme = "console" if text.lower() in _CONSOLE else urlsplit(text).scheme.lower()
    if scheme not in SMS_TRANSPORTS:
        raise _unsupported(text)
    return SMS_TRANSPORTS.get(scheme)(text)


def console_from_url(url: str) -> ConsoleSms:
    """``console`` (or ``stderr``): logged without the number or the code."""
    if url.strip().lower() not in _CONSOLE:
        raise _unsupported(url)
    return ConsoleSms()


def file_from_url(url: str) -> FileSms | OutboxSms:
    """``file:///path.jsonl`` (one JSON line per text) or ``file:///folder`` (an outbox)."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() != "file" or not parts.path:
        raise _unsupported(url)
    path = Path(unquote(parts.path))
    return FileSms(path) if path.suffix == ".jsonl" else OutboxSms(path)


def _unsupported(url: str) -> DeliveryError:
    return DeliveryError(
        "sms",
        f"unsupported SMS URL {redact_url(url.strip())!r}; use file:///folder, file:///path.jsonl, "
        "console or none",
    )

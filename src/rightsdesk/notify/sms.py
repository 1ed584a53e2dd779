"""Text-message transports: the console (development) or a JSON-lines file; gateways plug in."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TextIO
from urllib.parse import unquote, urlsplit

from rightsdesk.notify.errors import DeliveryError


class SmsSender(Protocol):
    """Anything that can send a text to a phone number; it raises DeliveryError when it cannot."""

    def send(self, phone: str, text: str) -> None: ...


class ConsoleSms:
    """Prints each text to ``stream`` (standard error by default), for development."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream

    def send(self, phone: str, text: str) -> None:
        stream = self._stream if self._stream is not None else sys.stderr
        try:
            stream.write(f"SMS to {phone}: {text}\n")
            stream.flush()
        except (OSError, ValueError) as exc:  # ValueError: the stream is closed
            raise DeliveryError("sms", f"cannot write to the console: {exc}") from exc


class FileSms:
    """Appends each text to ``path`` as one JSON line; the file is readable only by its owner."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"FileSms({str(self.path)!r})"

    def send(self, phone: str, text: str) -> None:
        entry = {"at": datetime.now(UTC).isoformat(), "to": phone, "text": text}
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode()
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(line)
        except OSError as exc:
            raise DeliveryError("sms", f"cannot append to {self.path}: {exc}") from exc


def sms_from_url(url: str) -> SmsSender | None:
    """``console`` (standard error), ``file:///path.jsonl``, or ``none`` (no SMS at all)."""
    text = url.strip()
    if text.lower() in {"console", "console:", "stderr"}:
        return ConsoleSms()
    if text.lower() in {"", "none", "off"}:
        return None
    parts = urlsplit(text)
    if parts.scheme.lower() == "file" and parts.path:
        return FileSms(Path(unquote(parts.path)))
    raise DeliveryError("sms", f"unsupported SMS URL {text!r}; use console, file:///path or none")

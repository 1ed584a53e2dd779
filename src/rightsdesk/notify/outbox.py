"""Outbox folders: messages written whole (temporary file, then rename), and read back decoded.

A reader polling the folder never sees half a message: the file is written under a dot-name
ending ``.tmp`` and renamed into place, which is atomic on one file system.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

#: A one-time code as the request service mails and texts it: six digits standing alone (not
#: a run of digits inside a hexadecimal request id).
CODE = re.compile(r"(?<![0-9A-Za-z])\d{6}(?![0-9A-Za-z])")


def write_new(folder: Path, suffix: str, data: bytes) -> Path:
    """Write ``data`` to a new 0600 file in ``folder`` (created 0700) under a unique name."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    name = f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}{suffix}"
    temporary = folder / f".{name}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temporary, folder / name)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return folder / name


@dataclass(frozen=True)
class Message:
    """One message in an outbox, decoded: file name, recipient, subject and plain-text body."""

    name: str
    to: str
    subject: str
    body: str

    @property
    def code(self) -> str | None:
        """The one-time code in the message, if it carries one."""
        found = CODE.search(f"{self.subject}\n{self.body}")
        return found.group(0) if found else None


def read(folder: Path) -> list[Message]:
    """Every finished message in ``folder`` (``.eml`` mail, ``.json`` texts), oldest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(p for p in folder.iterdir() if not p.name.startswith(".")):
        if path.suffix == ".eml":
            found.append(_mail(path))
        elif path.suffix == ".json":
            entry = json.loads(path.read_text(encoding="utf-8"))
            found.append(Message(path.name, str(entry.get("to", "")), "(SMS)", entry["text"]))
    return found


def _mail(path: Path) -> Message:
    parsed = message_from_bytes(path.read_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    part = parsed.get_body(preferencelist=("plain", "html"))
    body = part.get_content() if part is not None else ""
    return Message(path.name, str(parsed["To"] or ""), str(parsed["Subject"] or ""), body)

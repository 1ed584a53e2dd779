"""Log lines as text or one JSON object each, never carrying personal data.

The first defence is the log calls themselves: they name requests, jobs and deliveries by id,
never a person. The second is ``Redact``, a filter on the handler that masks whatever still looks
like an identifier (e-mail, phone, resident ID, card number, from the discovery detectors), a
capability (query-string values such as signed download links, bearer tokens, API keys) in the
message, its extra fields and any traceback, before a formatter sees the record.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal, TextIO

from rightsdesk.discovery.detectors.contact import EMAIL, PHONE
from rightsdesk.discovery.detectors.detector import Detector
from rightsdesk.discovery.detectors.identifiers import BANK_CARD, CN_RESIDENT_ID

LogFormat = Literal["text", "json"]

MASK = "[redacted]"

#: Detectors whose matches are masked; only the card number needs its checksum to count
#: (its pattern alone matches too many long numbers), a mistyped ID or phone is still personal.
_DETECTORS: tuple[tuple[Detector, bool], ...] = (
    (EMAIL, False),
    (CN_RESIDENT_ID, False),
    (BANK_CARD, True),
    (PHONE, False),
)
#: Capabilities: query-string values (download signatures), bearer tokens, operator API keys,
#: passwords in URLs (a broker or database URL in a connection error).
_SECRETS = (
    (re.compile(r"(\w://[^/\s:@]*:)[^@\s/]+@"), r"\1" + MASK + "@"),
    (re.compile(r"([?&][\w.-]+=)[^&\s\"'#]+"), r"\1" + MASK),
    (re.compile(r"(?i)(bearer\s+)[\w.~+/=-]+"), r"\1" + MASK),
    (re.compile(r"\brdk_[\w-]+"), MASK),
)
#: What intake accepts but the detectors (tuned for data stores) may miss: internationalised
#: e-mail addresses (any letters, RFC 6531) and E.164 numbers of any accepted length.
_IDENTITIES = (
    re.compile(r"(?<![\w.+%-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])"),
    re.compile(r"(?<![\w+])\+[0-9]{6,15}(?![0-9])"),
)
#: Data-carrying libraries: SQLAlchemy logs statements with their parameters at INFO.
_QUIET = ("sqlalchemy.engine", "sqlalchemy.pool", "sqlalchemy.orm")
#: LogRecord attributes that are not event fields (plus uvicorn's coloured copy of the message).
_STANDARD = frozenset(
    (*vars(logging.LogRecord("", 0, "", 0, "", None, None)), "message", "asctime", "color_message")
)
_TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def redact(text: str) -> str:
    """``text`` with every identifier-looking value and capability replaced by ``MASK``."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    for pattern in _IDENTITIES:
        text = pattern.sub(MASK, text)
    for detector, checked in _DETECTORS:
        for pattern in detector.patterns:
            text = pattern.sub(_masker(detector, checked), text)
    return text


def _masker(detector: Detector, checked: bool) -> Callable[[re.Match[str]], str]:
    def mask(match: re.Match[str]) -> str:
        found, text = match.group(), match.string
        before = text[match.start() - 1] if match.start() else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if before.isalnum() or after.isalnum():  # inside a longer token, e.g. a hex request id
            return found
        if checked and detector.validate is not None and not detector.validate(found):
            return found
        return MASK

    return mask


class Redact(logging.Filter):
    """Mask identifiers in the message, the extra fields and the traceback of every record."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = redact(record.getMessage()), ()
        for key, value in list(vars(record).items()):
            if key not in _STANDARD:
                setattr(record, key, _redacted(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def _redacted(value: Any) -> Any:
    """Strings masked, also inside the dicts and lists an event field may be (Celery's ``data``)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    return value


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then the event's own fields.

    Event fields are the ``extra={...}`` of the call (``request_id``, ``job_id``, ...).
    """

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(line, ensure_ascii=False, default=str)


def handler(fmt: LogFormat, stream: TextIO | None = None) -> logging.Handler:
    """A stream handler (stderr by default) with the chosen format and the redaction filter."""
    made = logging.StreamHandler(stream if stream is not None else sys.stderr)
    made.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(_TEXT))
    made.addFilter(Redact())
    return made


def configure(fmt: LogFormat, level: str = "INFO", stream: TextIO | None = None) -> None:
    """Send every logger (uvicorn's and the libraries' too) through one redacting handler.

    Called once by a long-running command (`serve`, `worker`) before it starts; calling it
    again replaces the handler it installed. SQLAlchemy's loggers stay at WARNING whatever
    the level, because at INFO they print statements with their parameters.
    """
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "rightsdesk", False)]:
        root.removeHandler(old)
    installed = handler(fmt, stream)
    installed.rightsdesk = True  # type: ignore[attr-defined]
    root.addHandler(installed)
    root.setLevel(level.upper())
    for name in _QUIET:
        quiet = logging.getLogger(name)
        quiet.setLevel(max(logging.WARNING, quiet.getEffectiveLevel()))
    for name in _SERVER_LOGGERS:
        # a logging config applied earlier in the process (uvicorn's own dictConfig) gives
        # these handlers of their own and stops propagation: undo it, so they are redacted too
        server = logging.getLogger(name)
        for own in list(server.handlers):
            server.removeHandler(own)
        server.propagate = True


#: Loggers of the ASGI server that `serve` runs; they must reach the one redacting handler.
_SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")

"""One error root with a few subclasses that carry fields; edges map them to exit codes or HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

T = TypeVar("T")


class RightsdeskError(Exception):
    """Root of every error rightsdesk raises on purpose."""


@dataclass(frozen=True)
class Location:
    """Where something was declared: file, 1-based line, and a readable dotted path."""

    file: str
    line: int | None
    path: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.path}" if self.path else where


@dataclass(frozen=True)
class Issue:
    """One problem found in a data map, with where it is and what to do."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class DataMapError(RightsdeskError):
    """A data map is malformed or inconsistent; carries every issue found, with file and line."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


class ConnectorError(RightsdeskError):
    """A data store could not be reached or refused a statement."""

    def __init__(self, system: str, message: str) -> None:
        self.system = system
        super().__init__(f"system {system!r}: {message}")


class DatabaseUrlError(ConnectorError):
    """A database URL cannot be used: unparsable, an unknown dialect or a missing driver."""


class InputError(RightsdeskError):
    """A command's input (identities, files, options) is malformed or names nothing usable."""


class PlanError(RightsdeskError):
    """A plan cannot be built for the identities given (e.g. no identity field of that kind)."""


class ExecutionError(RightsdeskError):
    """A run failed part-way; every system touched was rolled back and the run can be resumed."""

    def __init__(self, run_id: str, message: str) -> None:
        self.run_id = run_id
        super().__init__(f"run {run_id}: {message}")


@dataclass(frozen=True)
class Overreach:
    """One way a run would reach beyond a person: where, whose run, why, and by which path."""

    collection: str
    subject: str
    reason: str
    path: str  # the chain of references from an identity to ``collection``

    def __str__(self) -> str:
        return f"{self.collection} (for {self.subject}): {self.reason}; reached by {self.path}"


class GuardError(RightsdeskError):
    """The blast-radius guard stopped a run before it changed or exported anything."""

    def __init__(self, findings: tuple[Overreach, ...]) -> None:
        self.findings = findings
        lines = "\n".join(f"  {f}" for f in findings)
        super().__init__(
            "the run would reach rows that are not the person's; nothing was changed or "
            f"exported:\n{lines}"
        )


class PolicyError(RightsdeskError):
    """A request or a decision breaks the law or the company's policy; the message says why."""


class NotFoundError(RightsdeskError):
    """A request, key or file does not exist, or the caller may not know that it exists."""


class PermissionDeniedError(RightsdeskError):
    """The caller is authenticated but lacks the scope or capability for this action."""


class AuthenticationError(RightsdeskError):
    """The caller's credentials, token or code are missing, wrong, expired or locked out."""


class ConflictError(RightsdeskError):
    """The action does not fit the current state (e.g. a transition the table forbids)."""


class LockedOutError(AuthenticationError):
    """Too many wrong attempts; the caller must wait before trying again."""


class NotifyError(RightsdeskError):
    """Root of the errors raised while telling the requester something."""


class DeliveryError(NotifyError):
    """A transport (``email`` or ``sms``) could not take the message; the request itself stands."""

    def __init__(self, channel: str, message: str) -> None:
        self.channel = channel
        super().__init__(f"{channel} delivery failed: {message}")


class RenderError(NotifyError):
    """A template is unknown, malformed, or needs a context variable the caller did not pass."""

    def __init__(self, kind: str, locale: str, message: str) -> None:
        self.kind = kind
        self.locale = locale
        super().__init__(f"template {locale}/{kind}: {message}")


class VaultError(RightsdeskError):
    """The vault cannot do this: a bad master key, a key from another provider, bad input."""


class TamperedError(VaultError):
    """A ciphertext or wrapped key does not authenticate: wrong key, moved or altered bytes."""


class KeyDestroyedError(VaultError, ConflictError):
    """The subject's data key was shredded; nothing sealed with it can ever be read again."""

    def __init__(self, subject: str, destroyed_at: datetime) -> None:
        self.subject = subject
        self.destroyed_at = destroyed_at
        super().__init__(
            f"the vault of {subject} was destroyed on {destroyed_at.date().isoformat()}; "
            "the data cannot be recovered"
        )


class KeyFileError(RightsdeskError):
    """A signing or public key file is unreadable, malformed, not Ed25519, or too open."""

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


class PolicyFileError(PolicyError):
    """A policy or calendar file is malformed; each issue reads ``file:line: field: message``."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


class EvidenceError(RightsdeskError):
    """An audit chain or a signed receipt does not verify: edited, removed or forged."""


class SignerUnknownError(RightsdeskError):
    """A receipt is intact, but no trusted key said who signed it (integrity without origin)."""


def nearest(table: Mapping[type[RightsdeskError], T], exc: RightsdeskError) -> T | None:
    """The entry of the nearest class of ``exc`` in ``table``, walking its MRO (as starlette's
    exception handlers do), so a subclass follows its parent unless it has a row of its own."""
    for kind in type(exc).__mro__:
        if issubclass(kind, RightsdeskError) and kind in table:
            return table[kind]
    return None

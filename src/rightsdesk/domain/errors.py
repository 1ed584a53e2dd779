"""One error root with a few subclasses that carry fields; edges map them to exit codes or HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar, TypeVar

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

T = TypeVar("T")


class Code(StrEnum):
    """Stable machine codes of errors (the API's ``code``; pages say them in their language).

    Every error class has a code of its own (its kind); a raise that a person or an operator
    may meet and that says something more specific gives one of the specific codes below, with
    the values its message names in ``params``. Codes never change meaning; new ones are added.
    """

    # one per error class
    ERROR = "error"
    DATAMAP_INVALID = "datamap_invalid"
    SYSTEM_UNAVAILABLE = "system_unavailable"
    DATABASE_URL = "database_url"
    INVALID_INPUT = "invalid_input"
    DOCUMENT_TYPE = "document_type"
    DOCUMENT_TOO_LARGE = "document_too_large"
    PLAN_IMPOSSIBLE = "plan_impossible"
    RUN_FAILED = "run_failed"
    GUARD_STOPPED = "guard_stopped"
    POLICY = "policy"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    UNAUTHENTICATED = "unauthenticated"
    CONFLICT = "conflict"
    LOCKED_OUT = "locked_out"
    NOTIFY_FAILED = "notify_failed"
    DELIVERY_FAILED = "delivery_failed"
    TEMPLATE_FAILED = "template_failed"
    VAULT_UNAVAILABLE = "vault_unavailable"
    TAMPERED = "tampered"
    KEY_DESTROYED = "key_destroyed"
    KEY_FILE = "key_file"
    POLICY_FILE = "policy_file"
    EVIDENCE_BROKEN = "evidence_broken"
    SIGNER_UNKNOWN = "signer_unknown"
    NOT_NOW = "not_now"  # a transition the state table does not allow from the current state
    # the person's side: codes, links, requests
    REQUEST_UNKNOWN = "request_unknown"
    TOKEN_NOT_HELD = "token_not_held"
    VERIFY_FIRST = "verify_first"
    VERIFY_BEFORE_CANCEL = "verify_before_cancel"
    NO_CODE_OUT = "no_code_out"
    WRONG_CODE = "wrong_code"
    CODE_LOCKED = "code_locked"
    CODES_HELD_BACK = "codes_held_back"
    TOO_MANY_ATTEMPTS = "too_many_attempts"
    FORM_EXPIRED = "form_expired"
    LOGIN_REJECTED = "login_rejected"
    LOGIN_TOO_OLD = "login_too_old"
    LOGIN_DISABLED = "login_disabled"
    SIGN_IN_FIRST = "sign_in_first"
    LINK_EXPIRED = "link_expired"
    LINK_INVALID = "link_invalid"
    EXPORT_GONE = "export_gone"
    NO_RECEIPT = "no_receipt"
    SETTLE_FIRST = "settle_first"
    WAIVE_FIRST = "waive_first"
    NOT_AWAITING_CONFIRMATION = "not_awaiting_confirmation"
    CORRECTION_SAME_CONTACT = "correction_same_contact"
    VALUE_MALFORMED = "value_malformed"
    FIELD_UNKNOWN = "field_unknown"
    CORRECTION_EMPTY = "correction_empty"
    CONTACT_MALFORMED = "contact_malformed"
    PURPOSE_UNKNOWN = "purpose_unknown"
    BINDING_UNKNOWN = "binding_unknown"
    # the operator's side
    SIGN_IN = "sign_in"
    API_KEY_INVALID = "api_key_invalid"
    CONSOLE_SESSION_ENDED = "console_session_ended"
    SCOPE_MISSING = "scope_missing"
    VAULT_ROLES = "vault_roles"
    EVIDENCE_REFERENCE = "evidence_reference"
    CONFIRMATION_REFERENCE = "confirmation_reference"
    NOTE_EMPTY = "note_empty"
    NOT_APPROVED = "not_approved"
    KEY_INCOMPLETE = "key_incomplete"
    FIELD_BLANK = "field_blank"
    NO_CONSOLE_ROLE = "no_console_role"
    TOMBSTONE_UNKNOWN = "tombstone_unknown"
    VAULT_EMPTY = "vault_empty"
    API_KEY_UNKNOWN = "api_key_unknown"
    SCOPE_UNKNOWN = "scope_unknown"
    DELIVERY_ACKNOWLEDGED = "delivery_acknowledged"
    HOST_PULLS = "host_pulls"
    NOT_AWAITING_STOP = "not_awaiting_stop"
    # objection and portability
    OBJECTION_PURPOSES = "objection_purposes"
    NOT_OBJECTABLE = "not_objectable"
    OBJECTION_REASON = "objection_reason"
    NOTHING_PORTABLE = "nothing_portable"
    TRANSFER_URL = "transfer_url"


class RightsdeskError(Exception):
    """Root of every error rightsdesk raises on purpose.

    ``code`` is the class's own code unless the raise gives a more specific one; ``params``
    are the values its message names (what a page needs to say it in another language).
    """

    code: ClassVar[Code] = Code.ERROR

    def __init__(
        self, *args: object, code: Code | None = None, params: Mapping[str, object] | None = None
    ) -> None:
        super().__init__(*args)
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.params: dict[str, str] = {k: str(v) for k, v in (params or {}).items()}


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

    code = Code.DATAMAP_INVALID

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


class ConnectorError(RightsdeskError):
    """A data store could not be reached or refused a statement."""

    code = Code.SYSTEM_UNAVAILABLE

    def __init__(self, system: str, message: str) -> None:
        self.system = system
        super().__init__(f"system {system!r}: {message}")


class DatabaseUrlError(ConnectorError):
    """A database URL cannot be used: unparsable, an unknown dialect or a missing driver."""

    code = Code.DATABASE_URL


class InputError(RightsdeskError):
    """A command's input (identities, files, options) is malformed or names nothing usable."""

    code = Code.INVALID_INPUT


class DocumentTypeError(InputError):
    """An uploaded document is not a PDF or an image of a kind we keep (checked by its bytes)."""

    code = Code.DOCUMENT_TYPE


class DocumentTooLargeError(InputError):
    """An uploaded document is larger than the limit (``casefiles.documents.MAX_BYTES``)."""

    code = Code.DOCUMENT_TOO_LARGE


class PlanError(RightsdeskError):
    """A plan cannot be built for the identities given (e.g. no identity field of that kind)."""

    code = Code.PLAN_IMPOSSIBLE


class ExecutionError(RightsdeskError):
    """A run failed part-way; every system touched was rolled back and the run can be resumed."""

    code = Code.RUN_FAILED

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

    code = Code.GUARD_STOPPED

    def __init__(self, findings: tuple[Overreach, ...]) -> None:
        self.findings = findings
        lines = "\n".join(f"  {f}" for f in findings)
        super().__init__(
            "the run would reach rows that are not the person's; nothing was changed or "
            f"exported:\n{lines}"
        )


class PolicyError(RightsdeskError):
    """A request or a decision breaks the law or the company's policy; the message says why."""

    code = Code.POLICY


class NotFoundError(RightsdeskError):
    """A request, key or file does not exist, or the caller may not know that it exists."""

    code = Code.NOT_FOUND


class PermissionDeniedError(RightsdeskError):
    """The caller is authenticated but lacks the scope or capability for this action."""

    code = Code.FORBIDDEN


class AuthenticationError(RightsdeskError):
    """The caller's credentials, token or code are missing, wrong, expired or locked out."""

    code = Code.UNAUTHENTICATED


class ConflictError(RightsdeskError):
    """The action does not fit the current state (e.g. a transition the table forbids)."""

    code = Code.CONFLICT


class LockedOutError(AuthenticationError):
    """Too many wrong attempts; the caller must wait before trying again."""

    code = Code.LOCKED_OUT


class NotifyError(RightsdeskError):
    """Root of the errors raised while telling the requester something."""

    code = Code.NOTIFY_FAILED


class DeliveryError(NotifyError):
    """A transport (``email`` or ``sms``) could not take the message; the request itself stands."""

    code = Code.DELIVERY_FAILED

    def __init__(self, channel: str, message: str) -> None:
        self.channel = channel
        super().__init__(f"{channel} delivery failed: {message}")


class RenderError(NotifyError):
    """A template is unknown, malformed, or needs a context variable the caller did not pass."""

    code = Code.TEMPLATE_FAILED

    def __init__(self, kind: str, locale: str, message: str) -> None:
        self.kind = kind
        self.locale = locale
        super().__init__(f"template {locale}/{kind}: {message}")


class VaultError(RightsdeskError):
    """The vault cannot do this: a bad master key, a key from another provider, bad input."""

    code = Code.VAULT_UNAVAILABLE


class TamperedError(VaultError):
    """A ciphertext or wrapped key does not authenticate: wrong key, moved or altered bytes."""

    code = Code.TAMPERED


class KeyDestroyedError(VaultError, ConflictError):
    """The subject's data key was shredded; nothing sealed with it can ever be read again."""

    code = Code.KEY_DESTROYED

    def __init__(self, subject: str, destroyed_at: datetime) -> None:
        self.subject = subject
        self.destroyed_at = destroyed_at
        super().__init__(
            f"the vault of {subject} was destroyed on {destroyed_at.date().isoformat()}; "
            "the data cannot be recovered"
        )


class KeyFileError(RightsdeskError):
    """A signing or public key file is unreadable, malformed, not Ed25519, or too open."""

    code = Code.KEY_FILE

    def __init__(self, path: Path, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}")


class PolicyFileError(PolicyError):
    """A policy or calendar file is malformed; each issue reads ``file:line: field: message``."""

    code = Code.POLICY_FILE

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


class EvidenceError(RightsdeskError):
    """An audit chain or a signed receipt does not verify: edited, removed or forged."""

    code = Code.EVIDENCE_BROKEN


class SignerUnknownError(RightsdeskError):
    """A receipt is intact, but no trusted key said who signed it (integrity without origin)."""

    code = Code.SIGNER_UNKNOWN


def nearest(table: Mapping[type[RightsdeskError], T], exc: RightsdeskError) -> T | None:
    """The entry of the nearest class of ``exc`` in ``table``, walking its MRO (as starlette's
    exception handlers do), so a subclass follows its parent unless it has a row of its own."""
    for kind in type(exc).__mro__:
        if issubclass(kind, RightsdeskError) and kind in table:
            return table[kind]
    return None

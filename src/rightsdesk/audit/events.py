"""The catalogue of audit events: every name the log may hold, the keys of its ``data``, and
what it means. ``audit.log.append`` takes one of these, never a bare string, and refuses data
keys the event does not declare; docs/audit.md documents every event (a test checks it).

A request's status changes are the transition table's events (``domain.requests.Event``); the
others are things that happen to a request, a delivery, the vault or a key without changing a
status.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rightsdesk.domain.requests import Event


@dataclass(frozen=True)
class AuditEventType:
    """One kind of audit record: its name, the keys its ``data`` may hold, what it means."""

    name: str
    doc: str
    fields: frozenset[str] = frozenset()

    def check(self, data: Mapping[str, Any] | None) -> None:
        """Refuse keys the event does not declare (a programming error, caught in tests)."""
        extra = sorted(set(data or ()) - self.fields)
        if extra:
            raise ValueError(f"audit event {self.name!r} does not declare {', '.join(extra)}")


#: Every event, by name.
CATALOGUE: dict[str, AuditEventType] = {}


def _event(name: str, doc: str, *fields: str) -> AuditEventType:
    event = AuditEventType(name, doc, frozenset(fields))
    CATALOGUE[name] = event
    return event


#: What a status change's ``data`` may carry (status_from and status_to say the change).
TRANSITION_FIELDS = (
    "channel",
    "method",
    "ground",
    "job",
    "provider",
    "until",
    "waived",
    "amount",
    "currency",
    "stop_events",
    "confirmed_by",
)
_TRANSITIONS = {
    Event.CHALLENGE: "a verification code or token was asked for (on the channel named)",
    Event.VERIFY: "the requester's identity was verified (by the method named)",
    Event.QUOTE_FEE: "a fee was quoted; the request waits for the requester to accept it",
    Event.ACCEPT_FEE: "the requester accepted the fee",
    Event.QUEUE_FOR_APPROVAL: "the request waits for an operator's approval",
    Event.APPROVE: "an operator (or the policy) approved the request",
    Event.REVERIFY: "step-up verification right before a run",
    Event.START: "a job started working on the request",
    Event.COMPLETE: "the request was fulfilled in every data store",
    Event.COMPLETE_PARTIALLY: "the request was fulfilled except for parts refused on a ground",
    Event.FAIL: "a run failed; every store was rolled back and the run can be retried",
    Event.RETRY: "a failed request was approved to run again",
    Event.REFUSE: "the request was refused on the ground named",
    Event.CANCEL: "the requester (or an operator) cancelled the request before anything ran",
    Event.EXPIRE: "the request was left unverified, unpaid or unconfirmed for too long",
    Event.AWAIT_CONFIRMATION: "account cancellation: warned; waiting for the person's yes",
    Event.CONFIRM: "account cancellation: the person confirmed (pre-checks waived as named)",
    Event.COOL_OFF: "account cancellation: cooling off until the date named",
    Event.REDIRECT: "account cancellation: the account is cancelled at its identity provider",
    Event.END_COOLING_OFF: "account cancellation: the cooling-off ended; the run waits for step-up",
    Event.AWAIT_STOP: "withdrawal or cancellation ran; the host's stop events are unconfirmed",
}
for _name, _doc in _TRANSITIONS.items():
    _event(_name.value, _doc, *TRANSITION_FIELDS)

_REQUEST = ("type", "channel", "regimes", "identity_kinds", "due", "governing_regime")
RECEIVE = _event("receive", "a request was received", *_REQUEST, "deadline_reasons")
JOIN = _event("join", "a duplicate submission joined the open request", "channel", "token")
LOCKOUT = _event(
    "lockout", "too many attempts: a person or address is blocked", "scope", "kind", "cap", "until"
)
VERIFICATION_LOCKED = _event("verification_locked", "too many wrong codes locked the code")
VERIFICATION_EVIDENCE = _event(
    "verification_evidence", "an operator attested the requester's identity (reason: evidence)"
)
CONFIRMED_FOR = _event(
    "confirmed_for", "an operator confirmed the request for the person (reason: evidence)"
)
REFUSE_PART = _event(
    "refuse_part",
    "a part of the request was refused on a ground; the places of the data map it holds",
    "ground",
    "places",
)
LIFT_HOLD = _event(
    "lift_hold",
    "an operator lifted the hold a partial refusal put on places (reason: why the ground ended)"
    "; the follow-up request that handles them, if the run was over",
    "places",
    "followup",
)
EXTEND = _event("extend", "the deadline was extended (reason: why)", "from", "to")
ASSIGN = _event("assign", "the request was assigned to an operator", "assignee")
NOTE = _event("note", "an operator added a note (the text stays in the notes, not the log)")
OVERDUE = _event("overdue", "the request passed its deadline while still open", "due")
BACKUP_FAILED = _event("backup_failed", "the backup offered before a cancellation failed")
EXPORT_REVOKED = _event(
    "export_revoked", "an export was withdrawn because the person was erased since", "by"
)
NOTICE_FAILED = _event("notice_failed", "a message to the requester was not delivered", "kind")
BINDING_REMOVED = _event(
    "binding_removed", "a third-party account binding was removed", "binding", "provider"
)
PUBLICATION_STOPPED = _event(
    "publication_stopped",
    "an unlawful public disclosure: the stop went to the host and recipients on intake",
    "ground",
    "recipients",
)
COOLING_OFF_SHORTENED = _event(
    "cooling_off_shortened",
    "the cooling-off was cut so the run fits the request's deadline",
    "until",
    "configured_days",
)
OWN_INITIATIVE_DELETION = _event(
    "own_initiative_deletion",
    "rows past their keep_for period were deleted (reason: the purpose)",
    "collection",
    "rows",
    "kept_for",
)
RESTRICTION_OPENED = _event(
    "restriction_opened",
    "processing was restricted (kind restriction), or stopped for a purpose objected to "
    "(kind objection); collections: how each was marked and how many rows",
    "restriction_id",
    "kind",
    "ground",
    "purpose",
    "collections",
)
RESTRICTION_LIFTED = _event(
    "restriction_lifted",
    "a restriction or objection was lifted after the person was told (reason: why)",
    "restriction_id",
    "kind",
    "notified",
)
AGENT_RECORDED = _event(
    "agent_recorded",
    "an authorised agent submitted the request for the person (CCR 7063): by what authority "
    "and what the person does directly (the agent's name and contact stay in the case, not "
    "the log)",
    "authority",
    "consumer_step",
)
DOCUMENT_ATTACHED = _event(
    "document_attached",
    "a signed document (a written request, an agent's permission, a power of attorney) was "
    "stored, encrypted, with the case: its kind, type, size and SHA-256",
    "document",
    "kind",
    "media_type",
    "size",
    "sha256",
)
DOCUMENT_READ = _event(
    "document_read",
    "an operator downloaded a case document (decrypted for them)",
    "document",
    "kind",
)
FRAUD_FLAGGED = _event(
    "fraud_flagged",
    "an operator flagged the request as suspected fraud or a compromised account; it runs only "
    "after a fresh verification (the reason stays in the request, not the log)",
)
TRANSFER = _event(
    "transfer",
    "the portability document was sent to another handler (status: its answer), or could not "
    "be (refused: why); sha256 of the body sent, key_id of the signing key",
    "host",
    "status",
    "key_id",
    "sha256",
    "refused",
)
CASE_MINIMISED = _event(
    "case_minimised",
    "a closed request's case record kept no plaintext identity past its retention (counts)",
    "retention_days",
    "identities",
    "challenges",
    "notes",
    "statements",
    "deliveries",
    "exports",
    "unlinked",
    "consent_receipts",
    "documents",
    "agents",
)
ERASURE_JOURNALED = _event(
    "erasure_journaled",
    "a completed erasure was journaled for a restore's replay (its identities sealed until the "
    "horizon) and, if whole, its identities added to the suppression list as keyed hashes",
    "entry_id",
    "suppressed",
    "horizon",
)
ERASURE_REPLAYED = _event(
    "erasure_replayed",
    "after a restore, a journaled erasure ran again (state replayed, expired: past its horizon, "
    "or failed, reason: the error's class); rows erased this time",
    "entry_id",
    "state",
    "rows",
)
REPLAY_FINISHED = _event(
    "replay_finished",
    "a replay of the erasures since a backup's date ended (counts; corrections listed, not "
    "replayed; restrictions in force marked again)",
    "since",
    "replayed",
    "expired",
    "failed",
    "corrections",
    "restrictions_marked",
)
REPLAY_SHREDDED = _event(
    "replay_shredded",
    "the sealed identities of journaled erasures past the replay horizon were destroyed",
    "entries",
)
_CONSENT = ("purpose", "receipt_id", "subject", "method")
CONSENT_GRANTED = _event("consent_granted", "consent to a purpose was given", *_CONSENT)
CONSENT_WITHDRAWN = _event("consent_withdrawn", "consent to a purpose was withdrawn", *_CONSENT)
DELETION_EVALUATION = _event(
    "deletion_evaluation",
    "after a consent withdrawal: whether the data must now be deleted, and where",
    "purpose",
    "receipt_id",
    "subject",
    "opens_deletion",
    "collections",
    "retained",
)
_DELIVERY = ("delivery_id", "target", "channel", "delivery_event", "attempts")
DELIVERY_QUEUED = _event(
    "delivery_queued",
    "an event for a recipient was queued (pull: fetched, not pushed)",
    *_DELIVERY,
    "pull",
)
DELIVERY_ATTEMPT_FAILED = _event(
    "delivery_attempt_failed",
    "a delivery attempt failed; tried again at next",
    *_DELIVERY,
    "next",
)
DELIVERY_SENT = _event(
    "delivery_sent", "a delivery was sent; it waits for an acknowledgement", *_DELIVERY, "from"
)
DELIVERY_ACKNOWLEDGED = _event(
    "delivery_acknowledged", "the recipient acknowledged a delivery", *_DELIVERY, "from"
)
DELIVERY_FAILED = _event(
    "delivery_failed", "a delivery failed for good (reason: the cause)", *_DELIVERY, "from"
)
DELIVERY_RETRY = _event(
    "delivery_retry", "an operator put a delivery back to pending", *_DELIVERY, "from"
)
VAULT_SEALED = _event(
    "vault_sealed",
    "rows kept by law were sealed in the vault",
    "subject",
    "items",
    "skipped",
    "rules",
)
VAULT_READ = _event(
    "vault_read",
    "a legal or finance role read a vault or a tombstone",
    "subject",
    "role",
    "items",
    "withheld",
    "tombstone",
    "outcome",
)
VAULT_DENIED = _event("vault_denied", "a role without vault access asked for it", "target", "role")
VAULT_KEY_DESTROYED = _event(
    "vault_key_destroyed",
    "a subject's vault key was destroyed at the end of retention",
    "subject",
    "retain_until",
    "items",
)
APIKEY_CREATE = _event(
    "apikey_create", "an operator API key was created", "key_id", "name", "scopes"
)
APIKEY_REVOKE = _event("apikey_revoke", "an operator API key was revoked", "key_id")


def transition(event: Event) -> AuditEventType:
    """The catalogue's entry for a status change of the transition table."""
    return CATALOGUE[event.value]

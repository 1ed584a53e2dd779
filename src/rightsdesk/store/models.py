"""rightsdesk's own tables: requests, verification, audit, jobs, consent, vault. Plain rows."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from rightsdesk.domain.outcome import Outcome
from rightsdesk.store.types import OutcomeJSON, UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Request(Base):
    __tablename__ = "requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    regimes: Mapped[list[Any]]
    locale: Mapped[str] = mapped_column(String(16))
    #: Keyed hash of the sorted identities: finds repeats and duplicates without reading PII.
    subject_key: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    received_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    verified_at: Mapped[datetime | None]
    verification_method: Mapped[str | None] = mapped_column(String(32))
    ack_due: Mapped[date | None] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date, index=True)
    max_due: Mapped[date] = mapped_column(Date)
    governing_regime: Mapped[str] = mapped_column(String(32))
    extended_at: Mapped[datetime | None]
    fee_amount: Mapped[Any | None] = mapped_column(Numeric(12, 2))
    fee_currency: Mapped[str | None] = mapped_column(String(3))
    fee_accepted_at: Mapped[datetime | None]
    assignee: Mapped[str | None] = mapped_column(String(128))
    #: Type-specific input (e.g. the fields and values of a correction).
    params: Mapped[dict[str, Any]]
    #: What happened: refusal, run summary, export location, receipt id.
    outcome: Mapped[Outcome] = mapped_column(OutcomeJSON)
    closed_at: Mapped[datetime | None]

    identities: Mapped[list[RequestIdentity]] = relationship(
        back_populates="request", cascade="all, delete-orphan", lazy="selectin"
    )


class RequestIdentity(Base):
    __tablename__ = "request_identities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(320))

    request: Mapped[Request] = relationship(back_populates="identities")


class AccessToken(Base):
    """A requester's capability for one request (hashed); each submitter verifies their own."""

    __tablename__ = "access_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    created_at: Mapped[datetime]
    verified_at: Mapped[datetime | None]

    #: Only so the unit of work writes the request before the rows that point at it.
    request: Mapped[Request] = relationship(viewonly=False, lazy="raise")


class Challenge(Base):
    """A one-time code sent to an identity the company already holds; only its hash is kept."""

    __tablename__ = "challenges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(16))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None]

    #: Only so the unit of work writes the request before the rows that point at it.
    request: Mapped[Request] = relationship(viewonly=False, lazy="raise")


class Note(Base):
    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    author: Mapped[str] = mapped_column(String(128))
    at: Mapped[datetime]
    text: Mapped[str] = mapped_column(Text)

    #: Only so the unit of work writes the request before the rows that point at it.
    request: Mapped[Request] = relationship(viewonly=False, lazy="raise")


class AuditEvent(Base):
    """One link of the hash chain; rows are only ever inserted."""

    __tablename__ = "audit_events"

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime]
    request_id: Mapped[str | None] = mapped_column(String(32), index=True)
    event: Mapped[str] = mapped_column(String(64))
    record: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


#: The day's lock-outs (status, metrics) are read by event name and time.
Index("ix_audit_events_event_at", AuditEvent.event, AuditEvent.at)


class AuditHead(Base):
    """The chain's last link; locking this one row serialises appends on every backend."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(String(64))


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    scopes: Mapped[list[Any]]
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class Job(Base):
    """Work on one request; the database, not the queue, is the source of truth for progress."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    #: Who holds the lease (one token per attempt); None while the job waits for a worker.
    lease_owner: Mapped[str | None] = mapped_column(String(64))

    #: Only so the unit of work writes the request before the rows that point at it.
    request: Mapped[Request] = relationship(viewonly=False, lazy="raise")


class Receipt(Base):
    __tablename__ = "receipts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    issued_at: Mapped[datetime]
    document: Mapped[dict[str, Any]]

    #: Only so the unit of work writes the request before the rows that point at it.
    request: Mapped[Request] = relationship(viewonly=False, lazy="raise")


Index("ix_requests_subject_type", Request.subject_key, Request.type, Request.received_at)

#: Statuses of an open request, as the one-open-request index names them (domain OPEN, sorted).
OPEN_STATUSES = (
    "approved",
    "awaiting_approval",
    "awaiting_confirmation",
    "awaiting_fee",
    "awaiting_stop",
    "cooling_off",
    "failed",
    "identity_unverified",
    "in_progress",
    "received",
    "verified",
)
_OPEN_PREDICATE = (
    "status IN (" + ", ".join(f"'{s}'" for s in OPEN_STATUSES) + ") AND channel <> 'system'"
)
#: One open request per person and type from intake, enforced by the database (concurrent
#: submissions on PostgreSQL raced past the look-up); requests the system opens are exempt.
Index(
    "uq_requests_open_subject_type",
    Request.subject_key,
    Request.type,
    unique=True,
    sqlite_where=text(_OPEN_PREDICATE),
    postgresql_where=text(_OPEN_PREDICATE),
)


class Attempt(Base):
    """One code sent or one wrong code entered, counted per person and per client address.

    ``key`` is a keyed hash (of the subject key, or of the client's address), so counts survive
    cancelling and resubmitting and span every request type, without storing an address.
    """

    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))  # send | guess
    at: Mapped[datetime]


Index("ix_attempts_key_kind_at", Attempt.key, Attempt.kind, Attempt.at)


class ConsentRecord(Base):
    """One consent event, after Kantara Consent Receipt 1.1 / ISO/IEC TS 27560; never updated.

    A withdrawal is a new row with state ``revoked``: the grant before it stays as it was, so
    processing done under it remains documented. ``subject`` is a keyed hash of the person's
    identity, so the ledger proves consent without holding the identifier in clear.
    """

    __tablename__ = "consent_records"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the receipt id
    subject: Mapped[str] = mapped_column(String(64), index=True)
    purpose: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # active | revoked
    recorded_at: Mapped[datetime]
    effective_at: Mapped[datetime]
    #: How it was given or withdrawn: api, host, gpc, request, cancellation.
    method: Mapped[str] = mapped_column(String(32))
    jurisdiction: Mapped[str] = mapped_column(String(32))
    request_id: Mapped[str | None] = mapped_column(String(32), index=True)
    #: The remaining receipt fields (notice, policy version, PI categories, sharing, ...).
    receipt: Mapped[dict[str, Any]]


Index("ix_consent_subject_purpose", ConsentRecord.subject, ConsentRecord.purpose)


class ConsentHead(Base):
    """The consent ledger's version, bumped in the transaction of every receipt: a consent
    check cached in any process is stale once this differs (one primary-key read)."""

    __tablename__ = "consent_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))


class Statement(Base):
    """A person's supplementary statement beside their record (GDPR Art. 16); in every export."""

    __tablename__ = "statements"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(String(64), index=True)
    request_id: Mapped[str | None] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(200))  # system.collection[.field] or a category
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class Delivery(Base):
    """A message to the host platform or a recipient: a signed webhook or an e-mail task.

    Written in the transaction that causes it and sent after commit; the sweep retries what
    failed, so a crash never loses one. Acknowledgement is tracked per delivery.
    """

    __tablename__ = "deliveries"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str | None] = mapped_column(String(32), index=True)
    target: Mapped[str] = mapped_column(String(64))  # "host" or a recipient's name
    channel: Mapped[str] = mapped_column(String(16))  # webhook | email
    event: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]]
    #: pending -> sent (e-mail, awaiting acknowledgement) | acknowledged; failed after retries.
    state: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]


class Tombstone(Base):
    """What is left of a cancelled account: no identifiers, only the way to its obligations."""

    __tablename__ = "tombstones"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime]
    #: Counts of the pre-cancellation obligations kept (e.g. unpaid bills), by rule.
    obligations: Mapped[dict[str, Any]]


class VaultKey(Base):
    """A person's data key, wrapped by the master key; destroying it shreds their vault rows."""

    __tablename__ = "vault_keys"

    subject: Mapped[str] = mapped_column(String(32), primary_key=True)  # tombstone or request id
    provider: Mapped[str] = mapped_column(String(64))  # which key provider wrapped it
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)  # None once destroyed
    created_at: Mapped[datetime]
    retain_until: Mapped[date | None] = mapped_column(Date, index=True)
    destroyed_at: Mapped[datetime | None]


class VaultItem(Base):
    """One retained row, encrypted with its subject's data key (AES-256-GCM)."""

    __tablename__ = "vault_items"
    __table_args__ = (UniqueConstraint("subject", "system", "collection", "row_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    subject: Mapped[str] = mapped_column(ForeignKey("vault_keys.subject"), index=True)
    request_id: Mapped[str] = mapped_column(String(32))
    system: Mapped[str] = mapped_column(String(63))
    collection: Mapped[str] = mapped_column(String(63))
    row_key: Mapped[str] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(String(128))
    basis: Mapped[str] = mapped_column(Text)
    retain_until: Mapped[date | None] = mapped_column(Date)
    roles: Mapped[list[Any]]  # who may read it, e.g. ["legal", "finance"]
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]


class Checkpoint(Base):
    """One named part of an engine run's state, so a worker on any machine resumes the run.

    The ``changes`` part holds key values of the people concerned while the run applies; the
    engine replaces it with an empty part when the run is done.
    """

    __tablename__ = "checkpoints"

    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    part: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_at: Mapped[datetime]

"""rightsdesk's own tables (requests, verification, audit, keys, jobs); plain rows, no behaviour."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite keeps no zone, so naive UTC is stored)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


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
    outcome: Mapped[dict[str, Any]]
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

"""rightsdesk's own tables of authorised agents and signed case documents (beside ``models``;
``db`` imports this one, so the metadata is always whole). Both are erased with the case."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rightsdesk.store.models import Base, Request


class RequestAgent(Base):
    """The authorised agent who submitted a request for the person (CCR 7063)."""

    __tablename__ = "request_agents"

    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(32))
    registration: Mapped[str | None] = mapped_column(String(128))
    authority: Mapped[str] = mapped_column(String(32))
    #: What the person does directly (``verify`` or ``confirm``); None under a power of attorney.
    consumer_step: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime]

    #: Only so the unit of work writes the request before the rows that point at it.
    request: Mapped[Request] = relationship(viewonly=False, lazy="raise")


class CaseDocument(Base):
    """A signed document (PDF or image) kept with a case, encrypted (AES-256-GCM) with a data
    key of its own that the vault's key provider wraps; the row goes when the case is minimised.
    """

    __tablename__ = "case_documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    media_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(String(128))  # person, agent or an operator
    uploaded_at: Mapped[datetime]
    provider: Mapped[str] = mapped_column(String(64))
    wrapped_key: Mapped[bytes] = mapped_column(LargeBinary)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)

    #: Only so the unit of work writes the request before the rows that point at it.
    request: Mapped[Request] = relationship(viewonly=False, lazy="raise")

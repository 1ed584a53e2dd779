"""rightsdesk's own tables of restrictions and objections (kept beside ``models`` so that
module stays one screenful; ``db`` imports this one, so the metadata is always whole)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rightsdesk.store.models import Base


class Restriction(Base):
    """Processing restricted (kind ``restriction``, GDPR Art. 18) or stopped for a ``purpose``
    objected to (kind ``objection``, Art. 21); lifted only with notice to the person."""

    __tablename__ = "restrictions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    ground: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str | None] = mapped_column(String(64))
    collections: Mapped[list[Any]]  # system.collection names; empty: all of them
    marks: Mapped[dict[str, Any]]  # per collection: how marked (flag, side_table, host_event)
    until_request: Mapped[str | None] = mapped_column(String(32), index=True)  # a correction
    opened_at: Mapped[datetime]
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[str | None] = mapped_column(String(128))
    lift_reason: Mapped[str | None] = mapped_column(Text)


class RestrictionKey(Base):
    """A keyed hash a restriction is found by: an identity (kind ``subject``) or a row."""

    __tablename__ = "restriction_keys"

    restriction_id: Mapped[str] = mapped_column(
        ForeignKey("restrictions.id", ondelete="CASCADE"), primary_key=True
    )
    ref: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(8))  # subject | row

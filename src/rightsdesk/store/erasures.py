"""rightsdesk's own tables of erasures done: the suppression list and the replay journal.

The suppression list holds keyed hashes of erased people's identities only (never a value);
the journal holds what a restore's replay needs to find the rows again, sealed under a data key
the vault's key provider wraps, until the replay horizon shreds it (docs/rights.md).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from rightsdesk.store.models import Base


class Suppression(Base):
    """An erased person's identity, as a keyed hash: an incoming record matching it is theirs."""

    __tablename__ = "suppressions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # the identity's kind (email, phone, ...)
    #: The erasure's request; None once a cancelled account was unlinked (case minimisation).
    request_id: Mapped[str | None] = mapped_column(String(32), index=True)
    added_at: Mapped[datetime]


class ErasureEntry(Base):
    """One erasure done, as a restore replays it: when, which places, and (sealed) whom."""

    __tablename__ = "erasure_journal"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    #: None once a cancelled account was unlinked (case minimisation).
    request_id: Mapped[str | None] = mapped_column(String(32), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # the request type: delete, cancel_account
    erased_at: Mapped[datetime] = mapped_column(index=True)
    scope: Mapped[list[Any]]  # system.collection names; empty: everything
    held: Mapped[list[Any]]  # places a partial refusal held (left alone by the replay too)
    #: The key provider that wrapped ``wrapped_key``; the key and the sealed blob are None
    #: once the replay horizon passed (then the entry cannot be replayed).
    provider: Mapped[str] = mapped_column(String(64))
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)  # nonce + AES-GCM(identities)
    horizon: Mapped[datetime] = mapped_column(index=True)
    replayed_at: Mapped[datetime | None]

"""Requests awaiting the host's stop stay open; the consent ledger's version for cached checks.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The open statuses as of this revision: 0004's and ``awaiting_stop``.
BEFORE = (
    "approved",
    "awaiting_approval",
    "awaiting_confirmation",
    "awaiting_fee",
    "cooling_off",
    "failed",
    "identity_unverified",
    "in_progress",
    "received",
    "verified",
)
OPEN = tuple(sorted((*BEFORE, "awaiting_stop")))
INDEX = "uq_requests_open_subject_type"


def _predicate(statuses: Sequence[str]) -> str:
    return "status IN (" + ", ".join(f"'{s}'" for s in statuses) + ") AND channel <> 'system'"


def _index(statuses: Sequence[str]) -> None:
    op.drop_index(INDEX, table_name="requests")
    op.create_index(
        INDEX,
        "requests",
        ["subject_key", "type"],
        unique=True,
        sqlite_where=sa.text(_predicate(statuses)),
        postgresql_where=sa.text(_predicate(statuses)),
    )


def upgrade() -> None:
    """Upgrade schema."""
    _index(OPEN)
    head = op.create_table(
        "consent_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_head")),
    )
    op.bulk_insert(head, [{"id": 1, "version": 0}])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("consent_head")
    _index(BEFORE)

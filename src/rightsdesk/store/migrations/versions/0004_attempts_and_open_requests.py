"""Verification attempts counted per person and client; one open request per person and type.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The open statuses as of this revision (a later change to them needs a new revision).
OPEN = (
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
PREDICATE = "status IN (" + ", ".join(f"'{s}'" for s in OPEN) + ") AND channel <> 'system'"


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
    )
    op.create_index("ix_attempts_key_kind_at", "attempts", ["key", "kind", "at"], unique=False)
    op.create_index(
        "uq_requests_open_subject_type",
        "requests",
        ["subject_key", "type"],
        unique=True,
        sqlite_where=sa.text(PREDICATE),
        postgresql_where=sa.text(PREDICATE),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index("uq_requests_open_subject_type", table_name="requests")
    op.drop_index("ix_attempts_key_kind_at", table_name="attempts")
    op.drop_table("attempts")

"""The suppression list of erased people's keyed hashes, and the erasure journal a restore
replays.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "suppressions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppressions")),
    )
    op.create_index(op.f("ix_suppressions_ref"), "suppressions", ["ref"], unique=False)
    op.create_index(
        op.f("ix_suppressions_request_id"), "suppressions", ["request_id"], unique=False
    )
    op.create_table(
        "erasure_journal",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("erased_at", sa.DateTime(), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("held", sa.JSON(), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("horizon", sa.DateTime(), nullable=False),
        sa.Column("replayed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erasure_journal")),
    )
    for column in ("request_id", "erased_at", "horizon"):
        op.create_index(
            op.f(f"ix_erasure_journal_{column}"), "erasure_journal", [column], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    for column in ("horizon", "erased_at", "request_id"):
        op.drop_index(op.f(f"ix_erasure_journal_{column}"), table_name="erasure_journal")
    op.drop_table("erasure_journal")
    op.drop_index(op.f("ix_suppressions_request_id"), table_name="suppressions")
    op.drop_index(op.f("ix_suppressions_ref"), table_name="suppressions")
    op.drop_table("suppressions")

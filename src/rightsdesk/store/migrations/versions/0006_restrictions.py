"""Restrictions of processing and objections, and the keyed hashes they are found by.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "restrictions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ground", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=True),
        sa.Column("collections", sa.JSON(), nullable=False),
        sa.Column("marks", sa.JSON(), nullable=False),
        sa.Column("until_request", sa.String(length=32), nullable=True),
        sa.Column("opened_at", sa.DateTime(), nullable=False),
        sa.Column("lifted_at", sa.DateTime(), nullable=True),
        sa.Column("lifted_by", sa.String(length=128), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restrictions")),
    )
    op.create_index(
        op.f("ix_restrictions_request_id"), "restrictions", ["request_id"], unique=False
    )
    op.create_index(
        op.f("ix_restrictions_until_request"), "restrictions", ["until_request"], unique=False
    )
    op.create_table(
        "restriction_keys",
        sa.Column("restriction_id", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["restriction_id"],
            ["restrictions.id"],
            name=op.f("fk_restriction_keys_restriction_id_restrictions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("restriction_id", "ref", name=op.f("pk_restriction_keys")),
    )
    op.create_index(op.f("ix_restriction_keys_ref"), "restriction_keys", ["ref"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f("ix_restriction_keys_ref"), table_name="restriction_keys")
    op.drop_table("restriction_keys")
    op.drop_index(op.f("ix_restrictions_until_request"), table_name="restrictions")
    op.drop_index(op.f("ix_restrictions_request_id"), table_name="restrictions")
    op.drop_table("restrictions")

"""Rights workflows: consent ledger, statements, deliveries, tombstones, retention vault.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "consent_records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("effective_at", sa.DateTime(), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=True),
        sa.Column("receipt", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consent_records_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_consent_records_subject"), ["subject"], unique=False)
        batch_op.create_index("ix_consent_subject_purpose", ["subject", "purpose"], unique=False)

    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=True),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_request_id"), ["request_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_deliveries_state"), ["state"], unique=False)

    op.create_table(
        "statements",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=True),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statements")),
    )
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_statements_subject"), ["subject"], unique=False)

    op.create_table(
        "tombstones",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("obligations", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tombstones")),
        sa.UniqueConstraint("request_id", name=op.f("uq_tombstones_request_id")),
    )
    op.create_table(
        "vault_keys",
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("wrapped_key", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("retain_until", sa.Date(), nullable=True),
        sa.Column("destroyed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("subject", name=op.f("pk_vault_keys")),
    )
    with op.batch_alter_table("vault_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vault_keys_retain_until"), ["retain_until"], unique=False
        )

    op.create_table(
        "vault_items",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("subject", sa.String(length=32), nullable=False),
        sa.Column("request_id", sa.String(length=32), nullable=False),
        sa.Column("system", sa.String(length=63), nullable=False),
        sa.Column("collection", sa.String(length=63), nullable=False),
        sa.Column("row_key", sa.String(length=200), nullable=False),
        sa.Column("rule", sa.String(length=128), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("retain_until", sa.Date(), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("nonce", sa.LargeBinary(), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject"], ["vault_keys.subject"], name=op.f("fk_vault_items_subject_vault_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vault_items")),
        sa.UniqueConstraint(
            "subject", "system", "collection", "row_key", name=op.f("uq_vault_items_subject")
        ),
    )
    with op.batch_alter_table("vault_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vault_items_subject"), ["subject"], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table("vault_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vault_items_subject"))

    op.drop_table("vault_items")
    with op.batch_alter_table("vault_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vault_keys_retain_until"))

    op.drop_table("vault_keys")
    op.drop_table("tombstones")
    with op.batch_alter_table("statements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_statements_subject"))

    op.drop_table("statements")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_state"))
        batch_op.drop_index(batch_op.f("ix_deliveries_request_id"))

    op.drop_table("deliveries")
    with op.batch_alter_table("consent_records", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_subject_purpose")
        batch_op.drop_index(batch_op.f("ix_consent_records_subject"))
        batch_op.drop_index(batch_op.f("ix_consent_records_request_id"))

    op.drop_table("consent_records")

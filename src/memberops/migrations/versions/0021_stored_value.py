"""stored value: accounts and the ledger (docs/stored-value.md)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import memberops.kernel.db

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stored_value_accounts",
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("principal_cents", sa.BigInteger(), nullable=False),
        sa.Column("bonus_cents", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_stored_value_accounts_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_stored_value_accounts_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "member_id", name=op.f("pk_stored_value_accounts")),
    )
    op.create_table(
        "stored_value_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("principal_cents", sa.BigInteger(), nullable=False),
        sa.Column("bonus_cents", sa.BigInteger(), nullable=False),
        sa.Column("balance_after_cents", sa.BigInteger(), nullable=False),
        sa.Column("order_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("dedupe_key", sa.String(length=120), nullable=True),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_stored_value_entries_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_stored_value_entries_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_stored_value_entries_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_value_entries")),
        sa.UniqueConstraint(
            "tenant_id", "dedupe_key", name=op.f("uq_stored_value_entries_tenant_id_dedupe_key")
        ),
    )
    with op.batch_alter_table("stored_value_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stored_value_entries_member", ["tenant_id", "member_id", "id"], unique=False
        )
        batch_op.create_index(
            "ix_stored_value_entries_month", ["tenant_id", "occurred_at"], unique=False
        )
        batch_op.create_index(
            "ix_stored_value_entries_order", ["tenant_id", "order_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stored_value_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_stored_value_entries_order")
        batch_op.drop_index("ix_stored_value_entries_month")
        batch_op.drop_index("ix_stored_value_entries_member")

    op.drop_table("stored_value_entries")
    op.drop_table("stored_value_accounts")

"""watches: operators' watches of figures against thresholds (docs/watches.md)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 15:04:20.081289
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import memberops.kernel.db

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "watches",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("figure", sa.String(length=24), nullable=False),
        sa.Column("crowd_id", sa.BigInteger(), nullable=True),
        sa.Column("threshold", sa.BigInteger(), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("checked_at", memberops.kernel.db.UTCDateTime(), nullable=True),
        sa.Column("last_value", sa.BigInteger(), nullable=True),
        sa.Column("notified_at", memberops.kernel.db.UTCDateTime(), nullable=True),
        sa.Column("notified_period", sa.String(length=16), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_watches_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_watches")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_watches_tenant_id_name")),
    )
    with op.batch_alter_table("watches", schema=None) as batch_op:
        batch_op.create_index("ix_watches_due", ["active", "checked_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("watches", schema=None) as batch_op:
        batch_op.drop_index("ix_watches_due")

    op.drop_table("watches")

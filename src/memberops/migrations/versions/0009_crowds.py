"""crowds: saved crowds and the members of snapshots

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 09:25:02.391502
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import memberops.kernel.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "crowds",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "condition",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("counted_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column("frozen_at", memberops.kernel.db.UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_crowds_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crowds")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_crowds_tenant_id_name")),
    )
    op.create_table(
        "crowd_members",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("crowd_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["crowd_id"], ["crowds.id"], name=op.f("fk_crowd_members_crowd_id_crowds")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_crowd_members_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_crowd_members_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crowd_members")),
        sa.UniqueConstraint(
            "tenant_id",
            "crowd_id",
            "member_id",
            name=op.f("uq_crowd_members_tenant_id_crowd_id_member_id"),
        ),
    )
    with op.batch_alter_table("crowd_members", schema=None) as batch_op:
        batch_op.create_index("ix_crowd_members_member", ["tenant_id", "member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("crowd_members", schema=None) as batch_op:
        batch_op.drop_index("ix_crowd_members_member")

    op.drop_table("crowd_members")
    op.drop_table("crowds")

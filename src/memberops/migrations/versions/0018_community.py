"""community: groups and their rosters

Basic and VIP groups of a tenant, and who is in each: one current roster row per (tenant,
kind, member), a partial unique index (docs/community.md).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 14:52:22.434107
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import memberops.kernel.db

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "community_groups",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("series", sa.String(length=100), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_community_groups_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_groups")),
        sa.UniqueConstraint(
            "tenant_id",
            "kind",
            "series",
            "number",
            name=op.f("uq_community_groups_tenant_id_kind_series_number"),
        ),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_community_groups_tenant_id_name")),
    )
    op.create_table(
        "community_members",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("group_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("joined_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column("left_at", memberops.kernel.db.UTCDateTime(), nullable=True),
        sa.Column("invited_by", sa.String(length=200), nullable=False),
        sa.Column("removed_by", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=120), nullable=True),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["community_groups.id"],
            name=op.f("fk_community_members_group_id_community_groups"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_community_members_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_community_members_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_community_members")),
    )
    with op.batch_alter_table("community_members", schema=None) as batch_op:
        batch_op.create_index(
            "ix_community_members_group", ["group_id", "left_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_community_members_member", ["tenant_id", "member_id"], unique=False
        )
        batch_op.create_index(
            "ux_community_members_current",
            ["tenant_id", "kind", "member_id"],
            unique=True,
            postgresql_where=sa.text("left_at IS NULL"),
            sqlite_where=sa.text("left_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("community_members", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_community_members_current",
            postgresql_where=sa.text("left_at IS NULL"),
            sqlite_where=sa.text("left_at IS NULL"),
        )
        batch_op.drop_index("ix_community_members_member")
        batch_op.drop_index("ix_community_members_group")

    op.drop_table("community_members")
    op.drop_table("community_groups")

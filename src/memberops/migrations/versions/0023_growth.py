"""growth: invite codes, join scenes, join records and referrals (docs/growth.md)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03 17:55:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import memberops.kernel.db

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _tenant_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")
    )


def _member_fk(table: str, column: str = "member_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["members.id"], name=op.f(f"fk_{table}_{column}_members")
    )


def upgrade() -> None:
    op.create_table(
        "invite_codes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("member_id", _ID, nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("clicks", sa.Integer(), nullable=False),
        sa.Column("created_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        _member_fk("invite_codes"),
        _tenant_fk("invite_codes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite_codes")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_invite_codes_tenant_id_code")),
    )
    with op.batch_alter_table("invite_codes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_invite_codes_tenant_member", ["tenant_id", "member_id"], unique=False
        )

    op.create_table(
        "join_scenes",
        sa.Column("id", _ID, nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("campaign", sa.String(length=64), nullable=False),
        sa.Column("store", sa.String(length=32), nullable=True),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        _tenant_fk("join_scenes"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_scenes")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_join_scenes_tenant_id_code")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_join_scenes_tenant_id_name")),
    )

    op.create_table(
        "member_joins",
        sa.Column("id", _ID, nullable=False),
        sa.Column("member_id", _ID, nullable=False),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("campaign", sa.String(length=64), nullable=False),
        sa.Column("store", sa.String(length=32), nullable=True),
        sa.Column("scene_id", _ID, nullable=True),
        sa.Column("joined_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column("tenant_id", _ID, nullable=False),
        _member_fk("member_joins"),
        sa.ForeignKeyConstraint(
            ["scene_id"], ["join_scenes.id"], name=op.f("fk_member_joins_scene_id_join_scenes")
        ),
        _tenant_fk("member_joins"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_joins")),
        sa.UniqueConstraint(
            "tenant_id", "member_id", name=op.f("uq_member_joins_tenant_id_member_id")
        ),
    )
    with op.batch_alter_table("member_joins", schema=None) as batch_op:
        batch_op.create_index(
            "ix_member_joins_tenant_joined_at", ["tenant_id", "joined_at"], unique=False
        )

    op.create_table(
        "referrals",
        sa.Column("id", _ID, nullable=False),
        sa.Column("member_id", _ID, nullable=False),
        sa.Column("newcomer_id", _ID, nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("order_id", _ID, nullable=True),
        sa.Column(
            "rewards",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column("decided_at", memberops.kernel.db.UTCDateTime(), nullable=True),
        sa.Column("tenant_id", _ID, nullable=False),
        _member_fk("referrals"),
        _member_fk("referrals", "newcomer_id"),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_referrals_order_id_orders")
        ),
        _tenant_fk("referrals"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint(
            "tenant_id", "newcomer_id", name=op.f("uq_referrals_tenant_id_newcomer_id")
        ),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(
            "ix_referrals_tenant_member", ["tenant_id", "member_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_referrals_tenant_member")
    op.drop_table("referrals")
    with op.batch_alter_table("member_joins", schema=None) as batch_op:
        batch_op.drop_index("ix_member_joins_tenant_joined_at")
    op.drop_table("member_joins")
    op.drop_table("join_scenes")
    with op.batch_alter_table("invite_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_invite_codes_tenant_member")
    op.drop_table("invite_codes")

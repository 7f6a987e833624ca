"""journeys: journeys, their versions and members' positions

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 14:18:54.795147
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import memberops.kernel.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "journeys",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("entry_rule", sa.String(length=16), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=True),
        sa.Column("holdout_percent", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("trigger_type", sa.String(length=32), nullable=False),
        sa.Column("entries_checked_at", memberops.kernel.db.UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_journeys_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journeys")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_journeys_tenant_id_name")),
    )
    with op.batch_alter_table("journeys", schema=None) as batch_op:
        batch_op.create_index(
            "ix_journeys_trigger", ["tenant_id", "status", "trigger_type"], unique=False
        )

    op.create_table(
        "journey_positions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "journey_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("due_at", memberops.kernel.db.UTCDateTime(), nullable=True),
        sa.Column("entry_key", sa.String(length=100), nullable=False),
        sa.Column("entered_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["journey_id"], ["journeys.id"], name=op.f("fk_journey_positions_journey_id_journeys")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_journey_positions_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_journey_positions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journey_positions")),
        sa.UniqueConstraint(
            "journey_id",
            "member_id",
            "entry_key",
            name=op.f("uq_journey_positions_journey_id_member_id_entry_key"),
        ),
    )
    with op.batch_alter_table("journey_positions", schema=None) as batch_op:
        batch_op.create_index("ix_journey_positions_due", ["journey_id", "due_at"], unique=False)
        batch_op.create_index(
            "ix_journey_positions_member", ["tenant_id", "member_id"], unique=False
        )
        batch_op.create_index(
            "ix_journey_positions_step", ["journey_id", "version", "status", "step"], unique=False
        )

    op.create_table(
        "journey_versions",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "journey_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column(
            "trigger",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "steps",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["journey_id"], ["journeys.id"], name=op.f("fk_journey_versions_journey_id_journeys")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_journey_versions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journey_versions")),
        sa.UniqueConstraint(
            "journey_id", "number", name=op.f("uq_journey_versions_journey_id_number")
        ),
    )


def downgrade() -> None:
    op.drop_table("journey_versions")
    with op.batch_alter_table("journey_positions", schema=None) as batch_op:
        batch_op.drop_index("ix_journey_positions_step")
        batch_op.drop_index("ix_journey_positions_member")
        batch_op.drop_index("ix_journey_positions_due")

    op.drop_table("journey_positions")
    with op.batch_alter_table("journeys", schema=None) as batch_op:
        batch_op.drop_index("ix_journeys_trigger")

    op.drop_table("journeys")

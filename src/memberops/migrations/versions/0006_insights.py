"""insights: lifecycle stages, RFM, CLV fits and predictions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 07:14:20.522916
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import memberops.kernel.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "clv_fits",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("model", sa.String(length=16), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column(
            "params",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("log_likelihood", sa.Float(), nullable=False),
        sa.Column("customers", sa.Integer(), nullable=False),
        sa.Column("converged", sa.Boolean(), nullable=False),
        sa.Column("fitted_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_clv_fits_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clv_fits")),
    )
    with op.batch_alter_table("clv_fits", schema=None) as batch_op:
        batch_op.create_index(
            "ix_clv_fits_latest", ["tenant_id", "model", "fitted_at"], unique=False
        )

    op.create_table(
        "member_predictions",
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("recency_days", sa.Float(), nullable=False),
        sa.Column("age_days", sa.Float(), nullable=False),
        sa.Column("p_alive", sa.Float(), nullable=False),
        sa.Column("expected_30d", sa.Float(), nullable=False),
        sa.Column("expected_90d", sa.Float(), nullable=False),
        sa.Column("expected_365d", sa.Float(), nullable=False),
        sa.Column("spend_per_order_cents", sa.BigInteger(), nullable=False),
        sa.Column("clv_12m_cents", sa.BigInteger(), nullable=False),
        sa.Column("churn_risk", sa.String(length=8), nullable=False),
        sa.Column("next_order_on", sa.Date(), nullable=True),
        sa.Column("computed_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_predictions_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_member_predictions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "member_id", name=op.f("pk_member_predictions")),
    )
    with op.batch_alter_table("member_predictions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_member_predictions_risk", ["tenant_id", "churn_risk"], unique=False
        )

    op.create_table(
        "member_rfm",
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("as_of", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column("window_days", sa.Integer(), nullable=False),
        sa.Column("recency_days", sa.Integer(), nullable=False),
        sa.Column("frequency", sa.Integer(), nullable=False),
        sa.Column("monetary_cents", sa.BigInteger(), nullable=False),
        sa.Column("r_score", sa.SmallInteger(), nullable=False),
        sa.Column("f_score", sa.SmallInteger(), nullable=False),
        sa.Column("m_score", sa.SmallInteger(), nullable=False),
        sa.Column("rfm_type", sa.String(length=24), nullable=False),
        sa.Column("segment", sa.String(length=24), nullable=False),
        sa.Column("computed_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_rfm_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_member_rfm_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "member_id", name=op.f("pk_member_rfm")),
    )
    with op.batch_alter_table("member_rfm", schema=None) as batch_op:
        batch_op.create_index("ix_member_rfm_type", ["tenant_id", "rfm_type"], unique=False)

    op.create_table(
        "member_stages",
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("reactivated", sa.Boolean(), nullable=False),
        sa.Column("since", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column("computed_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_stages_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_member_stages_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "member_id", name=op.f("pk_member_stages")),
    )
    with op.batch_alter_table("member_stages", schema=None) as batch_op:
        batch_op.create_index("ix_member_stages_stage", ["tenant_id", "stage"], unique=False)

    op.create_table(
        "stage_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("from_stage", sa.String(length=16), nullable=True),
        sa.Column("to_stage", sa.String(length=16), nullable=False),
        sa.Column("changed_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_stage_changes_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_stage_changes_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_changes")),
    )
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_stage_changes_changed_at", ["tenant_id", "changed_at"], unique=False
        )
        batch_op.create_index(
            "ix_stage_changes_member", ["tenant_id", "member_id", "changed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("stage_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_stage_changes_member")
        batch_op.drop_index("ix_stage_changes_changed_at")

    op.drop_table("stage_changes")
    with op.batch_alter_table("member_stages", schema=None) as batch_op:
        batch_op.drop_index("ix_member_stages_stage")

    op.drop_table("member_stages")
    with op.batch_alter_table("member_rfm", schema=None) as batch_op:
        batch_op.drop_index("ix_member_rfm_type")

    op.drop_table("member_rfm")
    with op.batch_alter_table("member_predictions", schema=None) as batch_op:
        batch_op.drop_index("ix_member_predictions_risk")

    op.drop_table("member_predictions")
    with op.batch_alter_table("clv_fits", schema=None) as batch_op:
        batch_op.drop_index("ix_clv_fits_latest")

    op.drop_table("clv_fits")

"""recommendations: co-purchase neighbours and product figures (docs/recommendations.md)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 17:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import memberops.kernel.db

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "product_neighbours",
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("neighbour_sku", sa.String(length=64), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("support", sa.Integer(), nullable=False),
        sa.Column("computed_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_product_neighbours_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint(
            "tenant_id", "sku", "neighbour_sku", name=op.f("pk_product_neighbours")
        ),
    )
    op.create_table(
        "product_figures",
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("buyers", sa.Integer(), nullable=False),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("first_sold_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column("new_product", sa.Boolean(), nullable=False),
        sa.Column("computed_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_product_figures_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", "sku", name=op.f("pk_product_figures")),
    )
    with op.batch_alter_table("product_figures", schema=None) as batch_op:
        batch_op.create_index("ix_product_figures_buyers", ["tenant_id", "buyers"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("product_figures", schema=None) as batch_op:
        batch_op.drop_index("ix_product_figures_buyers")

    op.drop_table("product_figures")
    op.drop_table("product_neighbours")

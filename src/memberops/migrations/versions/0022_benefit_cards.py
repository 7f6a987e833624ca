"""benefit cards: card types, members' holdings, their payments and monthly coupon grants
(docs/benefit-cards.md)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 17:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import memberops.kernel.db

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _id(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    referred = target.split(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{referred}"))


def _json(name: str) -> sa.Column[object]:
    kind = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
    return sa.Column(name, kind, nullable=False)


def _when(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, memberops.kernel.db.UTCDateTime(), nullable=nullable)


def _card_types() -> None:
    table = "benefit_card_types"
    op.create_table(
        table,
        _id("id"),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("price_kind", sa.String(length=8), nullable=False),
        sa.Column("price_cents", sa.BigInteger(), nullable=True),
        sa.Column("price_points", sa.BigInteger(), nullable=True),
        sa.Column("validity_unit", sa.String(length=8), nullable=False),
        sa.Column("validity_length", sa.Integer(), nullable=False),
        sa.Column("discount_rate_pct", sa.Integer(), nullable=False),
        sa.Column("free_shipping", sa.Boolean(), nullable=False),
        sa.Column("points_multiplier_pct", sa.Integer(), nullable=False),
        _json("monthly_coupons"),
        sa.Column("active", sa.Boolean(), nullable=False),
        _when("created_at"),
        _when("updated_at"),
        _id("tenant_id"),
        _fk(table, "tenant_id", "tenants.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f(f"uq_{table}_tenant_id_code")),
    )


def _holdings() -> None:
    table = "benefit_card_holdings"
    op.create_table(
        table,
        _id("id"),
        _id("member_id"),
        _id("card_type_id"),
        sa.Column("status", sa.String(length=12), nullable=False),
        _when("starts_at"),
        _when("ends_at"),
        _when("created_at"),
        _when("lapsed_at", nullable=True),
        _when("refunded_at", nullable=True),
        sa.Column("refund_reason", sa.String(length=500), nullable=True),
        _id("tenant_id"),
        _fk(table, "card_type_id", "benefit_card_types.id"),
        _fk(table, "member_id", "members.id"),
        _fk(table, "tenant_id", "tenants.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(
            "ix_benefit_card_holdings_due", ["tenant_id", "status", "ends_at"], unique=False
        )
        batch_op.create_index(
            "ix_benefit_card_holdings_member",
            ["tenant_id", "member_id", "card_type_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_benefit_card_holdings_type", ["tenant_id", "card_type_id", "status"], unique=False
        )


def _payments() -> None:
    table = "benefit_card_payments"
    op.create_table(
        table,
        _id("id"),
        _id("member_id"),
        _id("holding_id"),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("price_kind", sa.String(length=8), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column(
            "points_entry_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("payment_reference", sa.String(length=200), nullable=True),
        _when("period_starts_at"),
        _when("period_ends_at"),
        _when("paid_at"),
        _when("refunded_at", nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        _id("tenant_id"),
        _fk(table, "holding_id", "benefit_card_holdings.id"),
        _fk(table, "member_id", "members.id"),
        _fk(table, "points_entry_id", "points_entries.id"),
        _fk(table, "tenant_id", "tenants.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    )
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(
            "ix_benefit_card_payments_holding", ["tenant_id", "holding_id"], unique=False
        )


def _grants() -> None:
    table = "benefit_card_coupon_grants"
    op.create_table(
        table,
        _id("id"),
        _id("member_id"),
        _id("holding_id"),
        sa.Column("period", sa.String(length=7), nullable=False),
        _json("coupon_codes"),
        _when("granted_at"),
        _id("tenant_id"),
        _fk(table, "holding_id", "benefit_card_holdings.id"),
        _fk(table, "member_id", "members.id"),
        _fk(table, "tenant_id", "tenants.id"),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint(
            "tenant_id",
            "holding_id",
            "period",
            name=op.f(f"uq_{table}_tenant_id_holding_id_period"),
        ),
    )


def upgrade() -> None:
    _card_types()
    _holdings()
    _payments()
    _grants()


def downgrade() -> None:
    op.drop_table("benefit_card_coupon_grants")
    with op.batch_alter_table("benefit_card_payments", schema=None) as batch_op:
        batch_op.drop_index("ix_benefit_card_payments_holding")
    op.drop_table("benefit_card_payments")
    with op.batch_alter_table("benefit_card_holdings", schema=None) as batch_op:
        batch_op.drop_index("ix_benefit_card_holdings_type")
        batch_op.drop_index("ix_benefit_card_holdings_member")
        batch_op.drop_index("ix_benefit_card_holdings_due")
    op.drop_table("benefit_card_holdings")
    op.drop_table("benefit_card_types")

"""indexes for the dashboard's tenant-wide time windows

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 12:30:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_orders_tenant_paid_at", "orders", ["tenant_id", "paid_at"])
    op.create_index(
        "ix_events_tenant_type_occurred_at", "events", ["tenant_id", "type", "occurred_at"]
    )
    op.create_index("ix_members_tenant_created_at", "members", ["tenant_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_members_tenant_created_at", table_name="members")
    op.drop_index("ix_events_tenant_type_occurred_at", table_name="events")
    op.drop_index("ix_orders_tenant_paid_at", table_name="orders")

"""orders: when each was shipped and delivered

``shipped_at`` and ``delivered_at`` (nullable: most orders of a history import never report
them), each set once by ``POST /orders/{external_id}/fulfilment`` (docs/journeys.md).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 15:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import memberops.kernel.db

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("shipped_at", memberops.kernel.db.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("delivered_at", memberops.kernel.db.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("delivered_at")
        batch_op.drop_column("shipped_at")

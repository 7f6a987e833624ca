"""members: a partial index of each tenant's active members

Every condition selects from a tenant's active members, and a crowd's preview counts them: with
``(tenant_id, id) WHERE status = 'active'`` the count reads this index alone (PostgreSQL's
index-only scan, once the table is vacuumed) instead of every row of the table.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTIVE = "status = 'active'"


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index(
            "ix_members_active",
            ["tenant_id", "id"],
            unique=False,
            postgresql_where=sa.text(ACTIVE),
            sqlite_where=sa.text(ACTIVE),
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index("ix_members_active")

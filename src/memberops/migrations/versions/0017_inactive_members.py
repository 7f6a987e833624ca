"""members: a partial index of each tenant's members that are not active

A crowd that needs a row of another member-owned table (``member_stats`` for "bought in the
last 30 days") is counted from that table, excluding the tenant's merged-away and erased
members; ``(tenant_id, id) WHERE status <> 'active'`` holds just those few, so the exclusion
reads a handful of index entries instead of every member.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INACTIVE = "status <> 'active'"


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index(
            "ix_members_inactive",
            ["tenant_id", "id"],
            unique=False,
            postgresql_where=sa.text(INACTIVE),
            sqlite_where=sa.text(INACTIVE),
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index("ix_members_inactive")

"""identities and consents: indexes of who holds a kind of key and who agreed on a channel

Conditions such as "has a phone", "is a WeChat fan" and "agreed to SMS" are semi-joins to these
tables; with ``(tenant_id, type, member_id)`` and ``(tenant_id, channel, granted, member_id)``
they read the matching members from an index alone instead of scanning every row.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_identities_tenant_type_member", ["tenant_id", "type", "member_id"], unique=False
        )
    with op.batch_alter_table("member_consents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_member_consents_channel",
            ["tenant_id", "channel", "granted", "member_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("member_consents", schema=None) as batch_op:
        batch_op.drop_index("ix_member_consents_channel")
    with op.batch_alter_table("identities", schema=None) as batch_op:
        batch_op.drop_index("ix_identities_tenant_type_member")

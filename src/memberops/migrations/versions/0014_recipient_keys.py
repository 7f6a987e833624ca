"""campaign recipients without foreign keys

A launch writes a recipient row per member of its crowd (a million in one statement), and
PostgreSQL checks a foreign key with a trigger call per row: the table's five keys cost more
than its rows. Its rows come from the launch's own INSERT … SELECT over existing members, its
campaign and its messages, none of which is ever deleted.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 15:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DROPPED = {
    "fk_campaign_recipients_campaign_id_campaigns": ("campaign_id", "campaigns"),
    "fk_campaign_recipients_member_id_members": ("member_id", "members"),
    "fk_campaign_recipients_message_id_messages": ("message_id", "messages"),
    "fk_campaign_recipients_tenant_id_tenants": ("tenant_id", "tenants"),
    "fk_campaign_recipients_variant_id_campaign_variants": ("variant_id", "campaign_variants"),
}


def upgrade() -> None:
    with op.batch_alter_table("campaign_recipients", schema=None) as batch_op:
        for name in DROPPED:
            batch_op.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("campaign_recipients", schema=None) as batch_op:
        for name, (column, table) in DROPPED.items():
            batch_op.create_foreign_key(name, table, [column], ["id"])

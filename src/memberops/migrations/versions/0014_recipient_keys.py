"""campaign recipients keep two foreign keys: (campaign, tenant) and member

A launch writes a recipient row per member of its crowd, and PostgreSQL checks each foreign
key with a trigger call and a row lock per row: five keys cost more than the rows themselves.
The campaign and tenant become one key (which also ties the row's tenant to its campaign's);
the variant and the message, written by the same launch, become plain columns.

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
    "fk_campaign_recipients_campaign_id_campaigns": (["campaign_id"], "campaigns"),
    "fk_campaign_recipients_tenant_id_tenants": (["tenant_id"], "tenants"),
    "fk_campaign_recipients_variant_id_campaign_variants": (["variant_id"], "campaign_variants"),
    "fk_campaign_recipients_message_id_messages": (["message_id"], "messages"),
}


def upgrade() -> None:
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index("ix_campaigns_id_tenant", ["id", "tenant_id"], unique=True)
    with op.batch_alter_table("campaign_recipients", schema=None) as batch_op:
        for name in DROPPED:
            batch_op.drop_constraint(name, type_="foreignkey")
        batch_op.create_foreign_key(
            op.f("fk_campaign_recipients_campaign_id_campaigns"),
            "campaigns",
            ["campaign_id", "tenant_id"],
            ["id", "tenant_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("campaign_recipients", schema=None) as batch_op:
        batch_op.drop_constraint("fk_campaign_recipients_campaign_id_campaigns", type_="foreignkey")
        for name, (columns, table) in DROPPED.items():
            batch_op.create_foreign_key(name, table, columns, ["id"])
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.drop_index("ix_campaigns_id_tenant")

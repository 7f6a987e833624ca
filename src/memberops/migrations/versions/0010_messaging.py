"""messaging: the outbox, delivery attempts, tracked links and clicks

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 11:43:29.755390
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import memberops.kernel.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("recipient", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("due_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=False),
        sa.Column("provider_message_id", sa.String(length=200), nullable=True),
        sa.Column("delivered_at", memberops.kernel.db.UTCDateTime(), nullable=True),
        sa.Column("failed_at", memberops.kernel.db.UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_messages_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_messages_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
        sa.UniqueConstraint(
            "tenant_id", "idempotency_key", name=op.f("uq_messages_tenant_id_idempotency_key")
        ),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_due", ["status", "due_at"], unique=False)
        batch_op.create_index("ix_messages_member", ["tenant_id", "member_id"], unique=False)

    op.create_table(
        "message_attempts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.Column("provider_message_id", sa.String(length=200), nullable=True),
        sa.Column("at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_attempts_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_message_attempts_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attempts")),
    )
    with op.batch_alter_table("message_attempts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_attempts_message", ["tenant_id", "message_id"], unique=False
        )

    op.create_table(
        "message_links",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column(
            "message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("created_at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_message_links_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_links_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_message_links_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_links")),
        sa.UniqueConstraint("token", name=op.f("uq_message_links_token")),
    )
    with op.batch_alter_table("message_links", schema=None) as batch_op:
        batch_op.create_index("ix_message_links_message", ["tenant_id", "message_id"], unique=False)

    op.create_table(
        "message_clicks",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("link_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "message_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("member_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("user_agent", sa.String(length=500), nullable=False),
        sa.Column("at", memberops.kernel.db.UTCDateTime(), nullable=False),
        sa.Column(
            "tenant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.ForeignKeyConstraint(
            ["link_id"], ["message_links.id"], name=op.f("fk_message_clicks_link_id_message_links")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_message_clicks_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_clicks_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_message_clicks_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_clicks")),
    )
    with op.batch_alter_table("message_clicks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_clicks_message", ["tenant_id", "message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("message_clicks", schema=None) as batch_op:
        batch_op.drop_index("ix_message_clicks_message")

    op.drop_table("message_clicks")
    with op.batch_alter_table("message_links", schema=None) as batch_op:
        batch_op.drop_index("ix_message_links_message")

    op.drop_table("message_links")
    with op.batch_alter_table("message_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_message_attempts_message")

    op.drop_table("message_attempts")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_member")
        batch_op.drop_index("ix_messages_due")

    op.drop_table("messages")

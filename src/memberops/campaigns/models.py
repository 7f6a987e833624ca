"""Tables of the campaigns room: campaigns, their message variants and each member's decision."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned


class CampaignStatus(StrEnum):
    draft = "draft"
    scheduled = "scheduled"  # launched with a future ``send_at``: the worker starts it then
    running = "running"  # recipients decided, messages in the outbox
    finished = "finished"
    cancelled = "cancelled"


class CampaignChannel(StrEnum):
    """A messaging channel, or ``preferred``: each member's own, learned from clicks."""

    log = "log"
    email = "email"
    webhook = "webhook"
    sms = "sms"
    wechat = "wechat"
    preferred = "preferred"


class Outcome(StrEnum):
    sent = "sent"  # a message is in the outbox
    deferred = "deferred"  # a message is in the outbox, due after the quiet hours
    holdout = "holdout"  # kept out on purpose, to measure the campaign against
    skipped = "skipped"  # a guard rail said no: ``skip_reason`` says which


class SkipReason(StrEnum):
    no_consent = "no_consent"
    unsubscribed = "unsubscribed"
    frequency_cap = "frequency_cap"
    no_address = "no_address"


class Campaign(TenantOwned, Base):
    """A one-shot campaign: a crowd, an offer, message variants and when to send."""

    __tablename__ = "campaigns"
    __table_args__ = (
        UniqueConstraint("tenant_id", "name"),
        Index("ix_campaigns_due", "status", "send_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    status: Mapped[CampaignStatus] = mapped_column(String(16), default=CampaignStatus.draft)
    crowd_id: Mapped[int] = mapped_column(ForeignKey("crowds.id"))
    channel: Mapped[CampaignChannel] = mapped_column(String(16))
    #: Send each member at the hour of the week they click and buy most (within a week).
    best_time: Mapped[bool] = mapped_column(default=False)
    coupon_template_id: Mapped[int | None] = mapped_column(ForeignKey("coupon_templates.id"))
    points: Mapped[int | None]
    holdout_percent: Mapped[int] = mapped_column(default=10)
    attribution_days: Mapped[int] = mapped_column(default=7)
    budget_cents: Mapped[int | None]
    send_at: Mapped[datetime | None]  # None: at launch
    launched_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now)


class CampaignVariant(TenantOwned, Base):
    """One message of an A/B test; ``split_percent`` of the sent members get it."""

    __tablename__ = "campaign_variants"
    __table_args__ = (UniqueConstraint("tenant_id", "campaign_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    name: Mapped[str] = mapped_column(String(16))
    split_percent: Mapped[int]
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)  # a messaging template (docs/messaging.md)


class CampaignRecipient(TenantOwned, Base):
    """What the campaign decided for one member of its crowd; one row per member is what makes
    a campaign send at most once to each (``id`` lets merges move the row and undo).

    No foreign keys: a launch writes a row per member of its crowd (a million in one
    statement), and PostgreSQL checks a foreign key by a trigger call per row, which costs more
    than writing the row. The rows come from one ``INSERT … SELECT`` over the crowd's members
    and the launch's own messages, in the launch's transaction; members and campaigns are never
    deleted (a merge moves the rows), and a launched campaign's variants are fixed."""

    __tablename__ = "campaign_recipients"
    __table_args__ = (
        UniqueConstraint("campaign_id", "member_id"),
        Index("ix_campaign_recipients_member", "tenant_id", "member_id"),
        Index("ix_campaign_recipients_outcome", "campaign_id", "outcome", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(BigId)
    campaign_id: Mapped[int] = mapped_column(BigId)
    member_id: Mapped[int] = mapped_column(BigId)
    variant_id: Mapped[int | None] = mapped_column(BigId)
    outcome: Mapped[Outcome] = mapped_column(String(16))
    skip_reason: Mapped[SkipReason | None] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(16))  # the channel used, when sent
    message_id: Mapped[int | None] = mapped_column(BigId)
    #: When the offer (coupon, points) was given; None until the worker grants it.
    offer_granted_at: Mapped[datetime | None]
    decided_at: Mapped[datetime] = mapped_column(default=clock.now)

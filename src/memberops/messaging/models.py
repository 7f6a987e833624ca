"""Tables of the messaging room: the outbox, each delivery attempt, tracked links and clicks."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId, JsonDoc
from memberops.kernel.models import KEY_MAX_LENGTH
from memberops.tenancy.models import TenantOwned


class ChannelName(StrEnum):
    log = "log"
    email = "email"
    webhook = "webhook"
    sms = "sms"
    wechat = "wechat"


class WebhookEvent(StrEnum):
    """The event types a webhook subscription may ask for (``webhooks.py``): the one list the
    API's schema, the subscriptions and the publishers all use."""

    member_merged = "member.merged"
    tier_changed = "tier.changed"
    stage_changed = "stage.changed"
    points_expiring = "points.expiring"
    coupon_redeemed = "coupon.redeemed"
    campaign_finished = "campaign.finished"


class MessageStatus(StrEnum):
    queued = "queued"  # waiting for ``due_at`` (first send or a retry)
    sending = "sending"  # claimed by a worker until ``due_at`` (the lease's end)
    delivered = "delivered"
    failed = "failed"


class AttemptOutcome(StrEnum):
    delivered = "delivered"
    retry = "retry"  # a retryable failure: tried again later
    failed = "failed"  # permanent, or the last attempt


class Message(TenantOwned, Base):
    """One message in the outbox. ``due_at`` is when a worker may claim it: the next attempt's
    time while queued, the end of the claim's lease while sending."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("tenant_id", "idempotency_key"),
        Index("ix_messages_due", "status", "due_at"),
        Index("ix_messages_member", "tenant_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(KEY_MAX_LENGTH))
    channel: Mapped[ChannelName] = mapped_column(String(16))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    recipient: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    #: What a channel needs besides the text (WeChat's template id and fields).
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[MessageStatus] = mapped_column(String(16), default=MessageStatus.queued)
    attempts: Mapped[int] = mapped_column(default=0)
    due_at: Mapped[datetime]
    last_error: Mapped[str] = mapped_column(String(500), default="")
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    delivered_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class DeliveryAttempt(TenantOwned, Base):
    """The receipt of one attempt to send a message: how it ended and what the provider said."""

    __tablename__ = "message_attempts"
    __table_args__ = (Index("ix_message_attempts_message", "tenant_id", "message_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    number: Mapped[int]
    outcome: Mapped[AttemptOutcome] = mapped_column(String(16))
    detail: Mapped[str] = mapped_column(String(500), default="")
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=clock.now)


class TrackedLink(TenantOwned, Base):
    """A link of a message that goes through ``/r/{token}``, so a click is recorded."""

    __tablename__ = "message_links"
    __table_args__ = (
        UniqueConstraint("token"),
        Index("ix_message_links_message", "tenant_id", "message_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    url: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class LinkClick(TenantOwned, Base):
    """One click on a tracked link: the click receipt."""

    __tablename__ = "message_clicks"
    __table_args__ = (Index("ix_message_clicks_message", "tenant_id", "message_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("message_links.id"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    user_agent: Mapped[str] = mapped_column(String(500), default="")
    at: Mapped[datetime] = mapped_column(default=clock.now)


class WebhookSubscription(TenantOwned, Base):
    """A receiver of the tenant's domain events (``webhooks.py``): where they are POSTed, the
    key they are signed with, and which event types it wants."""

    __tablename__ = "webhook_subscriptions"
    __table_args__ = (Index("ix_webhook_subscriptions_tenant", "tenant_id", "active"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    url: Mapped[str] = mapped_column(String(255))
    secret: Mapped[str] = mapped_column(String(64))
    events: Mapped[list[str]] = mapped_column(JsonDoc)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)

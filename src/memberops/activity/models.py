"""Tables of the activity room: orders, their lines and refunds, behaviour events, and one
stats row per member. Money is integer cents; every table carries ``(tenant_id, member_id)``."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId
from memberops.tenancy.models import TenantOwned

Cents = BigInteger


class OrderStatus(StrEnum):
    paid = "paid"
    partially_refunded = "partially_refunded"
    refunded = "refunded"


class Fulfilment(StrEnum):
    """Where an order's goods are (``POST /orders/{external_id}/fulfilment``)."""

    shipped = "shipped"
    delivered = "delivered"


class EventType(StrEnum):
    """Behaviour events of SPEC §3."""

    order_placed = "order_placed"
    order_shipped = "order_shipped"
    order_delivered = "order_delivered"
    store_visit = "store_visit"
    page_view = "page_view"
    cart_add = "cart_add"
    favorite_item = "favorite_item"
    favorite_store = "favorite_store"
    follow_official_account = "follow_official_account"
    unfollow = "unfollow"
    check_in = "check_in"
    coupon_received = "coupon_received"
    coupon_used = "coupon_used"
    message_delivered = "message_delivered"
    message_clicked = "message_clicked"
    review = "review"
    survey_answer = "survey_answer"
    competition_entry = "competition_entry"
    group_join = "group_join"
    group_leave = "group_leave"


class Order(TenantOwned, Base):
    """A paid order. ``content_hash`` is the digest of the request that created it, so a
    replay is told apart from a different order reusing the id. ``address_key`` is a digest of
    the normalised shipping address, for counting distinct addresses without reading PII."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id"),
        Index("ix_orders_tenant_member", "tenant_id", "member_id", "paid_at"),
        # Tenant-wide time windows (the dashboard's buyers, sales trend).
        Index("ix_orders_tenant_paid_at", "tenant_id", "paid_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    store: Mapped[str | None] = mapped_column(String(32))
    paid_at: Mapped[datetime]
    amount_cents: Mapped[int] = mapped_column(Cents)
    list_amount_cents: Mapped[int] = mapped_column(Cents)
    is_promotion: Mapped[bool] = mapped_column(default=False)
    shipping_address: Mapped[dict[str, Any] | None]
    address_key: Mapped[str | None] = mapped_column(String(64))
    payment_method: Mapped[str | None] = mapped_column(String(32))
    payment_account: Mapped[str | None] = mapped_column(String(128))
    refunded_cents: Mapped[int] = mapped_column(Cents, default=0)
    status: Mapped[OrderStatus] = mapped_column(String(24), default=OrderStatus.paid)
    #: Fulfilment (``fulfilment.py``): when the order left and reached the member, each set once.
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class OrderLine(TenantOwned, Base):
    """One line of an order; lines need not add up to the order's amount (discounts)."""

    __tablename__ = "order_lines"
    __table_args__ = (
        Index("ix_order_lines_tenant_member", "tenant_id", "member_id"),
        # Covers the top-decile price ranking of stats.py (an index-only scan on PostgreSQL).
        Index("ix_order_lines_tenant_sku", "tenant_id", "sku", "list_price_cents"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str | None] = mapped_column(String(64))
    unit_price_cents: Mapped[int] = mapped_column(Cents)
    list_price_cents: Mapped[int] = mapped_column(Cents)
    quantity: Mapped[int]
    is_new_product: Mapped[bool] = mapped_column(default=False)
    is_gift_wrap: Mapped[bool] = mapped_column(default=False)


class Refund(TenantOwned, Base):
    """A full or partial refund of an order, idempotent on its own id within the order."""

    __tablename__ = "refunds"
    __table_args__ = (
        UniqueConstraint("tenant_id", "order_id", "external_id"),
        Index("ix_refunds_tenant_member", "tenant_id", "member_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    amount_cents: Mapped[int] = mapped_column(Cents)
    refunded_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Event(TenantOwned, Base):
    """A behaviour event (SPEC §3), idempotent on its external id."""

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("tenant_id", "external_id"),
        Index("ix_events_tenant_member", "tenant_id", "member_id", "type"),
        # Tenant-wide "who did X in the last N days" (the dashboard's interest figures).
        Index("ix_events_tenant_type_occurred_at", "tenant_id", "type", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    external_id: Mapped[str] = mapped_column(String(64))
    content_hash: Mapped[str] = mapped_column(String(64))
    type: Mapped[EventType] = mapped_column(String(32))
    occurred_at: Mapped[datetime]
    channel: Mapped[str | None] = mapped_column(String(32))
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class MemberStats(TenantOwned, Base):
    """SPEC §3's figures of one member (a member with no order and no event has no row).

    Shares are kept as integer numerator and denominator (``discounted_orders`` /
    ``orders_count``, ``special_price_cents`` / ``lines_cents``, ``top_price_cents`` /
    ``lines_cents``) and the average as ``spend_cents`` / ``kept_orders``, so the incremental
    path and the rebuild agree to the cent. Windowed and catalogue-relative figures are as of
    ``as_of`` (see the room's docstring).
    """

    __tablename__ = "member_stats"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), primary_key=True)
    as_of: Mapped[datetime]
    first_order_at: Mapped[datetime | None]
    last_order_at: Mapped[datetime | None]
    orders_count: Mapped[int]
    kept_orders: Mapped[int]
    spend_cents: Mapped[int] = mapped_column(Cents)
    max_order_cents: Mapped[int] = mapped_column(Cents)
    orders_365d: Mapped[int]
    spend_365d_cents: Mapped[int] = mapped_column(Cents)
    orders_2y: Mapped[int]
    spend_2y_cents: Mapped[int] = mapped_column(Cents)
    discounted_orders: Mapped[int]
    lines_cents: Mapped[int] = mapped_column(Cents)
    special_price_cents: Mapped[int] = mapped_column(Cents)
    top_price_cents: Mapped[int] = mapped_column(Cents)
    shipping_addresses: Mapped[int]
    refunds_count: Mapped[int]
    last_visit_at: Mapped[datetime | None]
    last_cart_at: Mapped[datetime | None]
    last_favorite_at: Mapped[datetime | None]
    last_follow_at: Mapped[datetime | None]

"""Tables of the benefit-cards room: card types, members' holdings, the payments behind each
holding (purchase and renewals) and the monthly coupon grants.

Rates are whole hundredths in the database (``discount_rate_pct`` 95 = 0.95 = 9.5折,
``points_multiplier_pct`` 200 = ×2), decimals in the API, so no backend meets a float.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId, JsonDoc
from memberops.tenancy.models import TenantOwned


class PriceKind(StrEnum):
    free = "free"
    money = "money"  # price_cents, paid outside memberops (a payment reference is recorded)
    points = "points"  # price_points, spent through the points ledger


class ValidityUnit(StrEnum):
    days = "days"
    months = "months"  # calendar months: Jan 31 + 1 month = Feb 28 (29)


class HoldingStatus(StrEnum):
    active = "active"  # valid while starts_at <= now < ends_at
    lapsed = "lapsed"  # past its end, marked by the daily job
    refunded = "refunded"  # refunded unused: its payments returned


class PaymentKind(StrEnum):
    purchase = "purchase"
    renewal = "renewal"


class CardType(TenantOwned, Base):
    """A card a tenant offers: its price, how long one term lasts and what it gives."""

    __tablename__ = "benefit_card_types"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    price_kind: Mapped[PriceKind] = mapped_column(String(8))
    price_cents: Mapped[int | None] = mapped_column(BigInteger)
    price_points: Mapped[int | None] = mapped_column(BigInteger)
    validity_unit: Mapped[ValidityUnit] = mapped_column(String(8))
    validity_length: Mapped[int]
    discount_rate_pct: Mapped[int] = mapped_column(default=100)
    free_shipping: Mapped[bool] = mapped_column(default=False)
    points_multiplier_pct: Mapped[int] = mapped_column(default=100)
    monthly_coupons: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(default=clock.now, onupdate=clock.now)

    __table_args__ = (UniqueConstraint("tenant_id", "code"),)


class CardHolding(TenantOwned, Base):
    """A member's card of one type: the current term is [starts_at, ends_at)."""

    __tablename__ = "benefit_card_holdings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    card_type_id: Mapped[int] = mapped_column(ForeignKey("benefit_card_types.id"))
    status: Mapped[HoldingStatus] = mapped_column(String(12), default=HoldingStatus.active)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=clock.now)
    lapsed_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]
    refund_reason: Mapped[str | None] = mapped_column(String(500))

    __table_args__ = (
        Index("ix_benefit_card_holdings_member", "tenant_id", "member_id", "card_type_id"),
        Index("ix_benefit_card_holdings_due", "tenant_id", "status", "ends_at"),
        Index("ix_benefit_card_holdings_type", "tenant_id", "card_type_id", "status"),
    )


class CardPayment(TenantOwned, Base):
    """What one term of a holding cost: the purchase or a renewal, its period, and how it was
    paid (``points_entry_id`` the ledger's redeem entry; ``payment_reference`` the merchant's
    money payment). ``refunded_at`` is set when the holding's refund returned it."""

    __tablename__ = "benefit_card_payments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    holding_id: Mapped[int] = mapped_column(ForeignKey("benefit_card_holdings.id"))
    kind: Mapped[PaymentKind] = mapped_column(String(12))
    price_kind: Mapped[PriceKind] = mapped_column(String(8))
    amount_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    points: Mapped[int] = mapped_column(BigInteger, default=0)
    points_entry_id: Mapped[int | None] = mapped_column(ForeignKey("points_entries.id"))
    payment_reference: Mapped[str | None] = mapped_column(String(200))
    period_starts_at: Mapped[datetime]
    period_ends_at: Mapped[datetime]
    paid_at: Mapped[datetime] = mapped_column(default=clock.now)
    refunded_at: Mapped[datetime | None]
    actor: Mapped[str] = mapped_column(String(200))

    __table_args__ = (Index("ix_benefit_card_payments_holding", "tenant_id", "holding_id"),)


class CardCouponGrant(TenantOwned, Base):
    """The monthly coupons of one holding for one local month (``period`` "2026-11"); the
    unique key makes each month's issue happen once."""

    __tablename__ = "benefit_card_coupon_grants"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    holding_id: Mapped[int] = mapped_column(ForeignKey("benefit_card_holdings.id"))
    period: Mapped[str] = mapped_column(String(7))
    coupon_codes: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    granted_at: Mapped[datetime] = mapped_column(default=clock.now)

    __table_args__ = (UniqueConstraint("tenant_id", "holding_id", "period"),)

"""Tables of the coupons room: templates (what a coupon gives and who may get it) and the
coupons issued from them.

Stock and counts change by SQL expression only (``issued = issued + 1 WHERE issued < stock``),
and a coupon turns ``redeemed`` by one guarded update (``WHERE status = 'issued'``), so
concurrent requests can neither oversell a template nor use a coupon twice.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from memberops.kernel import clock
from memberops.kernel.db import Base, BigId, JsonDoc
from memberops.tenancy.models import TenantOwned


class CouponKind(StrEnum):
    amount_off = "amount_off"  # 满减: amount off an order of at least the threshold
    percent_off = "percent_off"  # 折扣券
    free_shipping = "free_shipping"
    gift = "gift"  # 赠品券


class CouponStatus(StrEnum):
    issued = "issued"
    redeemed = "redeemed"
    expired = "expired"


class CouponSource(StrEnum):
    operator = "operator"
    api = "api"
    campaign = "campaign"
    rule = "rule"
    points = "points"  # exchanged for points
    new_member_pack = "new_member_pack"
    birthday = "birthday"
    check_in = "check_in"
    member_day = "member_day"
    benefit_card = "benefit_card"  # a benefit card's monthly coupons


class CouponTemplate(TenantOwned, Base):
    """What a coupon gives, when it is valid, how many exist and who may hold one.

    Validity is a fixed window (``valid_from``/``valid_until``) or ``valid_days`` after issue.
    ``stock`` None means unlimited. Empty ``channels``/``stores`` mean anywhere; a non-empty
    ``tiers`` makes it exclusive to those tier codes; ``points_price`` lets members exchange
    points for it."""

    __tablename__ = "coupon_templates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[CouponKind] = mapped_column(String(16))
    amount_off_cents: Mapped[int | None] = mapped_column(BigInteger)
    percent_off: Mapped[int | None]
    threshold_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    gift: Mapped[str | None] = mapped_column(String(200))
    valid_from: Mapped[datetime | None]
    valid_until: Mapped[datetime | None]
    valid_days: Mapped[int | None]
    stock: Mapped[int | None]
    issued: Mapped[int] = mapped_column(default=0)
    redeemed: Mapped[int] = mapped_column(default=0)
    per_member_limit: Mapped[int | None]  # None: unlimited
    channels: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    stores: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    tiers: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    points_price: Mapped[int | None]
    member_day_only: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.now)


class Coupon(TenantOwned, Base):
    """One coupon held by one member; ``code`` is what a till scans."""

    __tablename__ = "coupons"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("coupon_templates.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    code: Mapped[str] = mapped_column(String(32))
    status: Mapped[CouponStatus] = mapped_column(String(16), default=CouponStatus.issued)
    source: Mapped[CouponSource] = mapped_column(String(24))
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    issued_at: Mapped[datetime] = mapped_column(default=clock.now)
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    redeemed_at: Mapped[datetime | None]
    order_external_id: Mapped[str | None] = mapped_column(String(128))
    order_amount_cents: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        UniqueConstraint("tenant_id", "code"),
        UniqueConstraint("tenant_id", "dedupe_key"),
        Index("ix_coupons_member", "tenant_id", "member_id", "status"),
        Index("ix_coupons_template", "tenant_id", "template_id", "status"),
        Index("ix_coupons_expiry", "tenant_id", "status", "valid_until"),
    )

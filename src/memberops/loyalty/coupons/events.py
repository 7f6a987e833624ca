"""Domain events the coupons room publishes."""

from dataclasses import dataclass
from datetime import datetime

from memberops.kernel.events import DomainEvent


@dataclass(frozen=True)
class CouponRedeemed(DomainEvent):
    """A coupon was used on an order, once: a replay of the same redemption publishes nothing.
    ``discount_cents`` is what it took off the order (0 for free shipping and gifts)."""

    member_id: int
    coupon_id: int
    code: str
    template_id: int
    template_name: str
    kind: str
    order_external_id: str | None
    discount_cents: int
    redeemed_at: datetime

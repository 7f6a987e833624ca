"""What a campaign costs and the response assumed before any campaign was measured: the tenant's
rules ``campaigns.economics``, read by the forecast and by the results.

A message's price and the prior lift are the tenant's (each merchant has its own SMS contract,
and its own idea of how its members respond), so they are a rules section, not a deployment
setting; a tenant that never saved them gets the defaults below.
"""

from pydantic import Field
from sqlalchemy.orm import Session

from memberops.campaigns.models import Campaign
from memberops.loyalty.coupons.models import CouponKind, CouponTemplate
from memberops.loyalty.points.rules import EarnRules
from memberops.loyalty.points.service import points_value_cents
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.sections import SettingsSection, load_section


class CampaignEconomics(SettingsSection):
    """Prices per message by channel, in cents, and the prior response lift.

    ``prior_relative_lift`` is the campaign's effect on a member's chance to buy in the
    attribution window, relative to the chance without it (0.10: a member who would buy with
    probability 5 % buys with 5.5 %), used until the tenant has a finished campaign with a
    holdout to measure it from. The default is an assumption, not a measurement: set it to
    what the tenant's own past campaigns showed."""

    section = "campaigns.economics"

    log_cents: int = Field(default=0, ge=0)
    email_cents: int = Field(default=0, ge=0)
    webhook_cents: int = Field(default=0, ge=0)
    sms_cents: int = Field(default=5, ge=0)
    wechat_cents: int = Field(default=0, ge=0)
    prior_relative_lift: float = Field(default=0.10, ge=-1, le=10)

    def message_cents(self, channel: str) -> int:
        """The price of one message on ``channel`` (0 for a channel with no price)."""
        price = getattr(self, f"{channel}_cents", 0)
        return int(price)


def load_economics(session: Session, principal: Principal) -> CampaignEconomics:
    """The tenant's saved rules, or the defaults."""
    return load_section(session, principal.tenant_id, CampaignEconomics)


def offer_template(
    session: Session, principal: Principal, campaign: Campaign
) -> CouponTemplate | None:
    """The coupon template the campaign's offer gives, if any."""
    if campaign.coupon_template_id is None:
        return None
    return session.scalars(
        tenant_scope(principal, CouponTemplate).where(
            CouponTemplate.id == campaign.coupon_template_id
        )
    ).one_or_none()


def coupon_face_cents(template: CouponTemplate | None, order_cents: float) -> float:
    """What one redemption costs the merchant: the amount off, or the percent off an order of
    ``order_cents``; free shipping and gifts have no price in memberops and count 0."""
    if template is None:
        return 0.0
    if template.kind == CouponKind.amount_off:
        return float(template.amount_off_cents or 0)
    if template.kind == CouponKind.percent_off:
        return order_cents * (template.percent_off or 0) / 100
    return 0.0


def points_cents(session: Session, principal: Principal, campaign: Campaign) -> int:
    """What the points the offer grants are worth at checkout, per member (0 without points)."""
    if not campaign.points:
        return 0
    rules = load_section(session, principal.tenant_id, EarnRules)
    return points_value_cents(campaign.points, rules)

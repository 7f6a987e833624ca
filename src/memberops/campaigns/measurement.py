"""What a launched campaign did: per variant, all variants together and the holdout, the
members, messages sent, delivered and clicked, conversions, revenue and cost, each variant's
uplift over the holdout and the winner (``uplift``).

One set-based query counts the recipients by group: their outbox message (delivered), the
clicks on its tracked links, and their orders paid in the attribution window, which runs from
the launch for ``attribution_days`` and is the same for the holdout, who got nothing. A member
**converts** with at least one order of the window not wholly refunded; **revenue** is the
window's orders paid minus refunded (refunds counted whenever they came). The launch draws the
holdout and the variants among the members no guard rail refused (``launch.decided``), so each
variant's group and the holdout are random parts of the same eligible members: like is compared
with like. Members a guard rail skipped are in no group.

**Cost** is what the tenant's ``campaigns.economics`` prices the messages sent at, the points
granted (at their checkout value) and the amount off of the campaign's coupons redeemed.
"""

from dataclasses import astuple, dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, case, func, literal, select
from sqlalchemy.orm import Session

from memberops.activity.models import Order, OrderStatus
from memberops.campaigns import economics, service
from memberops.campaigns.effect_schemas import CampaignResults, GroupResults, UpliftRead
from memberops.campaigns.models import Campaign, CampaignRecipient, Outcome
from memberops.campaigns.uplift import CONFIDENCE, Group, Uplift, compare, roi, winner
from memberops.kernel.errors import Conflict
from memberops.loyalty.coupons.models import (
    Coupon,
    CouponKind,
    CouponSource,
    CouponStatus,
    CouponTemplate,
)
from memberops.messaging.models import ChannelName, LinkClick, Message, MessageStatus
from memberops.tenancy.access import Principal

HOLDOUT = "holdout"
ALL = "all"
#: The group key of a recipient: its variant's id, or 0 for the holdout.
HOLDOUT_KEY = 0


class CampaignNotLaunched(Conflict):
    """The campaign has not been launched: it has no recipients and no attribution window yet
    (its forecast is ``POST /campaigns/{id}/forecast``)."""

    code = "campaigns.not_launched"
    title = "Campaign not launched"


@dataclass(frozen=True)
class Counts:
    """One group's figures as read from the database, before any statistics."""

    members: int = 0
    sent: int = 0
    delivered: int = 0
    clicked: int = 0
    converted: int = 0
    revenue_cents: int = 0
    cost_cents: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))

    @property
    def group(self) -> Group:
        return Group(self.members, self.converted, self.revenue_cents)


def window(campaign: Campaign) -> tuple[datetime, datetime]:
    """The attribution window: from the launch, ``attribution_days`` long (needs a launch)."""
    assert campaign.launched_at is not None
    return campaign.launched_at, campaign.launched_at + timedelta(days=campaign.attribution_days)


def _orders(campaign: Campaign) -> Select[int, int, int]:
    """Per recipient with orders in the window: kept orders and paid minus refunded."""
    start, end = window(campaign)
    kept = case((Order.status != OrderStatus.refunded.value, 1), else_=0)
    recipients = select(CampaignRecipient.member_id).where(
        CampaignRecipient.tenant_id == campaign.tenant_id,
        CampaignRecipient.campaign_id == campaign.id,
    )
    return (
        select(
            Order.member_id,
            func.sum(kept).label("kept"),
            func.sum(Order.amount_cents - Order.refunded_cents).label("revenue"),
        )
        .where(Order.tenant_id == campaign.tenant_id, Order.member_id.in_(recipients))
        .where(Order.paid_at >= start, Order.paid_at < end)
        .group_by(Order.member_id)
    )


def _redemptions(campaign: Campaign, template: CouponTemplate | None) -> Select[int, int]:
    """Per recipient: what the campaign's redeemed coupons took off, as the till computed it
    (``coupons.redemption``); the campaign's coupons are those keyed ``campaign:<id>:…``
    (``offers``)."""
    if template is not None and template.kind == CouponKind.percent_off:
        off = (
            func.coalesce(Coupon.order_amount_cents, 0) * (template.percent_off or 0) + 50
        ) // 100
    else:
        off = literal(int(economics.coupon_face_cents(template, 0)))
    return (
        select(Coupon.member_id, func.sum(off).label("off"))
        .where(Coupon.tenant_id == campaign.tenant_id)
        .where(Coupon.source == CouponSource.campaign.value)
        .where(Coupon.dedupe_key.startswith(f"campaign:{campaign.id}:", autoescape=True))
        .where(Coupon.status == CouponStatus.redeemed.value)
        .group_by(Coupon.member_id)
    )


def read_counts(session: Session, principal: Principal, campaign: Campaign) -> dict[int, Counts]:
    """Each group's counts (variant id, or 0 for the holdout) in one query; skipped members,
    who have no variant, are left out."""
    rules = economics.load_economics(session, principal)
    price = {channel.value: rules.message_cents(channel.value) for channel in ChannelName}
    points = economics.points_cents(session, principal, campaign)
    orders = _orders(campaign).subquery("o")
    template = economics.offer_template(session, principal, campaign)
    coupons = _redemptions(campaign, template).subquery("c")
    clicked = select(LinkClick.message_id).where(LinkClick.tenant_id == campaign.tenant_id)
    messaged = CampaignRecipient.outcome.in_([Outcome.sent.value, Outcome.deferred.value])
    message_price = case(
        *((CampaignRecipient.channel == name, literal(cents)) for name, cents in price.items()),
        else_=literal(0),
    )
    cost = (
        case((messaged, message_price), else_=0)
        + case((CampaignRecipient.offer_granted_at.is_not(None), points), else_=0)
        + func.coalesce(coupons.c.off, 0)
    )
    holdout = CampaignRecipient.outcome == Outcome.holdout.value
    key = case((holdout, HOLDOUT_KEY), else_=CampaignRecipient.variant_id)
    query = (
        select(
            key,
            func.count(),
            func.sum(case((messaged, 1), else_=0)),
            func.sum(case((Message.status == MessageStatus.delivered.value, 1), else_=0)),
            func.sum(case((Message.id.in_(clicked), 1), else_=0)),
            func.sum(case((orders.c.kept > 0, 1), else_=0)),
            func.coalesce(func.sum(orders.c.revenue), 0),
            func.coalesce(func.sum(cost), 0),
        )
        .select_from(CampaignRecipient)
        .outerjoin(Message, Message.id == CampaignRecipient.message_id)
        .outerjoin(orders, orders.c.member_id == CampaignRecipient.member_id)
        .outerjoin(coupons, coupons.c.member_id == CampaignRecipient.member_id)
        .where(CampaignRecipient.tenant_id == campaign.tenant_id)
        .where(CampaignRecipient.campaign_id == campaign.id)
        .where(key.is_not(None))
        .group_by(key)
    )
    return {row[0]: Counts(*(int(v) for v in row[1:])) for row in session.execute(query)}


def results(session: Session, principal: Principal, campaign: Campaign) -> CampaignResults:
    """The campaign's results now; a campaign not launched has none."""
    if campaign.launched_at is None:
        raise CampaignNotLaunched(
            f"Campaign {campaign.id} has not been launched.", status=str(campaign.status)
        )
    variants = service.variants_of(session, principal, campaign.id)
    counts = read_counts(session, principal, campaign)
    holdout = counts.get(HOLDOUT_KEY, Counts())
    by_name = {v.name: counts.get(v.id, Counts()) for v in variants}
    overall = sum(by_name.values(), Counts())
    start, end = window(campaign)
    return CampaignResults(
        campaign_id=str(campaign.id),
        window_start=start,
        window_end=end,
        confidence=CONFIDENCE,
        measurable="yes" if holdout.members else "no_holdout",
        variants=[_group(v.name, str(v.id), by_name[v.name], holdout) for v in variants],
        overall=_group(ALL, None, overall, holdout),
        holdout=_group(HOLDOUT, None, holdout, None),
        winner=winner({name: c.group for name, c in by_name.items()}, holdout.group),
    )


def _group(
    name: str, variant_id: str | None, counts: Counts, holdout: Counts | None
) -> GroupResults:
    uplift = compare(counts.group, holdout.group) if holdout is not None else None
    return GroupResults(
        name=name,
        variant_id=variant_id,
        members=counts.members,
        sent=counts.sent,
        delivered=counts.delivered,
        clicked=counts.clicked,
        converted=counts.converted,
        conversion_rate=counts.group.rate,
        revenue=counts.revenue_cents,
        cost=counts.cost_cents,
        uplift=None if uplift is None else uplift_read(uplift),
        roi=None if uplift is None else roi(uplift.incremental_revenue_cents, counts.cost_cents),
    )


def uplift_read(uplift: Uplift) -> UpliftRead:
    """An uplift as the API answers it (the campaigns' results and the journeys' report)."""
    return UpliftRead(
        difference=uplift.difference,
        low=uplift.low,
        high=uplift.high,
        relative=uplift.relative,
        significant=uplift.significant,
        incremental_conversions=uplift.incremental_conversions,
        incremental_revenue=uplift.incremental_revenue_cents,
    )

"""The figures a watch reads, each one set-based query, as scaled integers (hundredths of a
percent, cents, members)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from memberops.activity.models import Order
from memberops.crowds import service as crowds
from memberops.crowds.models import Crowd
from memberops.insights.lifecycle.models import MemberStage, Stage
from memberops.loyalty.coupons.models import Coupon, CouponStatus
from memberops.tenancy.access import Principal, tenant_scope
from memberops.watches.models import Figure, Watch

#: A share as an integer: hundredths of a percent.
SHARE_SCALE = 10_000
#: How far back the redemption rate looks at issued coupons.
REDEMPTION_DAYS = 30


def _share(part: int, whole: int) -> int:
    return (part * SHARE_SCALE + whole // 2) // whole if whole else 0


def dormant_share(session: Session, principal: Principal) -> int:
    """Members in the dormant stage among the members with a stage (insights' lifecycle)."""
    dormant = func.sum(case((MemberStage.stage == Stage.dormant, 1), else_=0))
    query = select(func.count(), dormant).where(MemberStage.tenant_id == principal.tenant_id)
    whole, part = session.execute(query).one()
    return _share(int(part or 0), int(whole or 0))


def daily_gmv(session: Session, principal: Principal, now: datetime) -> int:
    """Cents paid, less refunds, on the last whole day in the tenant's timezone."""
    zone = ZoneInfo(principal.timezone)
    today = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    start = (today - timedelta(days=1)).astimezone(now.tzinfo)
    query = select(func.coalesce(func.sum(Order.amount_cents - Order.refunded_cents), 0)).where(
        Order.tenant_id == principal.tenant_id,
        Order.paid_at >= start,
        Order.paid_at < today.astimezone(now.tzinfo),
    )
    return int(session.scalar(query) or 0)


def redemption_rate(session: Session, principal: Principal, now: datetime) -> int:
    """Coupons issued in the last 30 days that were redeemed, among all issued then."""
    redeemed = func.sum(case((Coupon.status == CouponStatus.redeemed, 1), else_=0))
    query = select(func.count(), redeemed).where(
        Coupon.tenant_id == principal.tenant_id,
        Coupon.issued_at >= now - timedelta(days=REDEMPTION_DAYS),
    )
    whole, part = session.execute(query).one()
    return _share(int(part or 0), int(whole or 0))


def crowd_size(session: Session, principal: Principal, crowd_id: int) -> int:
    crowd = session.scalar(tenant_scope(principal, Crowd).where(Crowd.id == crowd_id))
    if crowd is None:  # a crowd deleted after the watch was made
        return 0
    return crowds.counted(session, principal, crowd).size


def value_of(session: Session, principal: Principal, watch: Watch, now: datetime) -> int:
    figure = Figure(watch.figure)
    if figure == Figure.dormant_share:
        return dormant_share(session, principal)
    if figure == Figure.daily_gmv:
        return daily_gmv(session, principal, now)
    if figure == Figure.redemption_rate:
        return redemption_rate(session, principal, now)
    assert watch.crowd_id is not None
    return crowd_size(session, principal, watch.crowd_id)

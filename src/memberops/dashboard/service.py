"""The overview, assembled from the figure groups of ``queries.py`` as of one instant, so
every figure on the page describes the same moment."""

from sqlalchemy.orm import Session

from memberops.dashboard import queries
from memberops.dashboard.periods import Bucket, periods
from memberops.dashboard.schemas import (
    Buyers,
    Interest,
    Overview,
    Side,
    Trend,
    TrendPoint,
    Value,
)
from memberops.kernel import clock
from memberops.tenancy.access import Principal

#: The trend range the overview shows unless asked otherwise.
DEFAULT_DAYS = 90


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _side(orders: int, cents: int) -> Side:
    return Side(orders=orders, gmv=cents, average_order_value=cents // orders if orders else None)


def _buyers(figures: queries.BuyerFigures) -> Buyers:
    return Buyers(
        buyers_365d=figures.buyers,
        active_30d=figures.active,
        dormant=figures.dormant,
        repeat_buyers_365d=figures.repeat_buyers,
        repurchase_rate=_rate(figures.repeat_buyers, figures.buyers),
    )


def _interest(figures: queries.InterestFigures) -> Interest:
    return Interest(
        interested_30d=figures.interested,
        prospects_30d=figures.prospects,
        shop_favourites_30d=figures.shop_favourites,
        item_favourites_30d=figures.item_favourites,
        cart_adders_30d=figures.cart_adders,
    )


def _value(figures: queries.ValueFigures) -> Value:
    total = figures.member_cents + figures.customer_cents
    return Value(
        members=_side(figures.member_orders, figures.member_cents),
        customers=_side(figures.customer_orders, figures.customer_cents),
        member_gmv_share=_rate(figures.member_cents, total),
    )


def trend(session: Session, principal: Principal, days: int, bucket: Bucket) -> Trend:
    """Net sales, purchases and new members per local day (or week) of the last ``days``."""
    buckets = periods(clock.now(), principal.timezone, days, bucket)
    rows = queries.trend(session, principal, buckets)
    points = [
        TrendPoint(
            start=period.first_day,
            orders=row.orders,
            gmv=row.cents,
            new_members=row.new_members,
            new_registered=row.new_registered,
        )
        for period, row in zip(buckets, rows, strict=True)
    ]
    return Trend(days=days, bucket=bucket, points=points)


def overview(
    session: Session, principal: Principal, days: int = DEFAULT_DAYS, bucket: Bucket = Bucket.day
) -> Overview:
    """Seed 003's figures as of now for the principal's tenant, with a ``days``-long trend."""
    now = clock.now()
    return Overview(
        as_of=now,
        timezone=principal.timezone,
        has_orders=queries.has_orders(session, principal),
        buyers=_buyers(queries.buyer_figures(session, principal, now)),
        interest=_interest(queries.interest_figures(session, principal, now)),
        value=_value(queries.value_figures(session, principal, now)),
        trend=trend(session, principal, days, bucket),
    )

"""The overview's figures, one set-based query per figure group, scoped to the principal's
tenant and computed as of a given instant (the caller passes ``clock.now()``).

Definitions (seed 003, SPEC §3/§4), windows rolling and inclusive at their start:

- a **purchase** is an order not fully refunded (``status != 'refunded'``); a partial refund
  leaves it a purchase. Net sales (``GMV`` here) are paid minus refunded, on the day paid.
- **buyers** (成交客户): members with a purchase in the last 365 days; **active** (活跃): of
  them, those whose latest such purchase is in the last 30 days; **dormant** (沉睡): the rest.
  Both are counted over the same per-buyer rows, so active + dormant = buyers.
- **repeat buyers**: buyers with two or more purchases in the 365 days (repurchase rate =
  repeat buyers / buyers).
- **interested** (兴趣客户): members with a ``favorite_store``, ``favorite_item``, ``cart_add`` or
  ``order_placed`` (unpaid) event in the last 30 days and no purchase in those 30 days;
  **prospects** are the part of them with no purchase ever (SPEC §4's ``prospect`` stage).
- **shop favourites / item favourites / cart adders**: members with such an event in 30 days,
  whether or not they bought.
- **registered members vs customer records**: ``members.is_registered``; purchases, net sales
  and average order value (net sales / purchases) over the 365 days.

Indexes: ``orders (tenant_id, paid_at)``, ``orders (tenant_id, member_id, paid_at)`` for the
per-member "bought recently" probes, ``events (tenant_id, type, occurred_at)`` and
``members (tenant_id, created_at)``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session

from memberops.activity.models import Event, EventType, Order, OrderStatus
from memberops.dashboard.periods import Period, bucket_table
from memberops.members.models import Member, MemberStatus
from memberops.tenancy.access import Principal, tenant_scope

YEAR = timedelta(days=365)
MONTH = timedelta(days=30)
INTEREST_EVENTS = (
    EventType.favorite_store,
    EventType.favorite_item,
    EventType.cart_add,
    EventType.order_placed,
)
KEPT = Order.status != OrderStatus.refunded
NET = Order.amount_cents - Order.refunded_cents


def _count_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True)
class BuyerFigures:
    buyers: int
    active: int
    dormant: int
    repeat_buyers: int


def buyer_figures(session: Session, principal: Principal, now: datetime) -> BuyerFigures:
    """Buyers in 365 days split by their latest purchase, from one row per buyer."""
    per_buyer = (
        tenant_scope(principal, Order)
        .with_only_columns(
            Order.member_id,
            func.max(Order.paid_at).label("last_at"),
            func.count().label("purchases"),
        )
        .where(KEPT, Order.paid_at >= now - YEAR, Order.paid_at <= now)
        .group_by(Order.member_id)
        .subquery("per_buyer")
    )
    recent = per_buyer.c.last_at >= now - MONTH
    row = session.execute(
        select(
            func.count(),
            _count_if(recent),
            _count_if(~recent),
            _count_if(per_buyer.c.purchases >= 2),
        ).select_from(per_buyer)
    ).one()
    return BuyerFigures(*(int(value) for value in row))


@dataclass(frozen=True)
class InterestFigures:
    interested: int
    prospects: int
    shop_favourites: int
    item_favourites: int
    cart_adders: int


def _purchased(since: datetime | None, until: datetime, member_id: Any) -> Any:
    """Whether the member has a purchase in ``[since, until]`` (ever up to ``until`` when
    ``since`` is None): a probe on ``orders (tenant_id, member_id, paid_at)``."""
    window = Order.paid_at <= until if since is None else Order.paid_at.between(since, until)
    return exists().where(
        Order.tenant_id == Event.tenant_id, Order.member_id == member_id, KEPT, window
    )


def interest_figures(session: Session, principal: Principal, now: datetime) -> InterestFigures:
    """Members who showed interest in the last 30 days: one row per member with a flag per
    kind of interest and whether they bought, then counted."""
    since = now - MONTH

    def did(kind: EventType) -> Any:
        return func.max(case((Event.type == kind, 1), else_=0))

    per_member = (
        tenant_scope(principal, Event)
        .with_only_columns(
            Event.member_id,
            did(EventType.favorite_store).label("shop"),
            did(EventType.favorite_item).label("item"),
            did(EventType.cart_add).label("cart"),
            case((_purchased(since, now, Event.member_id), 0), else_=1).label("no_recent"),
            case((_purchased(None, now, Event.member_id), 0), else_=1).label("never"),
        )
        .where(Event.type.in_(INTEREST_EVENTS), Event.occurred_at.between(since, now))
        .group_by(Event.tenant_id, Event.member_id)
        .subquery("interest")
    )
    c = per_member.c
    row = session.execute(
        select(
            _count_if(c.no_recent == 1),
            _count_if(and_(c.no_recent == 1, c.never == 1)),
            _count_if(c.shop == 1),
            _count_if(c.item == 1),
            _count_if(c.cart == 1),
        ).select_from(per_member)
    ).one()
    return InterestFigures(*(int(value) for value in row))


@dataclass(frozen=True)
class ValueFigures:
    """Purchases and net sales (cents) of registered members and of customer records."""

    member_orders: int
    member_cents: int
    customer_orders: int
    customer_cents: int


def value_figures(session: Session, principal: Principal, now: datetime) -> ValueFigures:
    """Registered members against customer records over 365 days, one grouped query."""
    query = (
        tenant_scope(principal, Order)
        .join(Member, and_(Member.id == Order.member_id, Member.tenant_id == Order.tenant_id))
        .with_only_columns(Member.is_registered, _count_if(KEPT), func.coalesce(func.sum(NET), 0))
        .where(Order.paid_at >= now - YEAR, Order.paid_at <= now)
        .group_by(Member.is_registered)
    )
    found = {
        bool(registered): (int(n), int(cents)) for registered, n, cents in session.execute(query)
    }
    member, customer = found.get(True, (0, 0)), found.get(False, (0, 0))
    return ValueFigures(*member, *customer)


@dataclass(frozen=True)
class TrendRow:
    orders: int
    cents: int
    new_members: int
    new_registered: int


def trend(session: Session, principal: Principal, buckets: list[Period]) -> list[TrendRow]:
    """Purchases and net sales by the day (or week) paid, and member records created (those not
    merged into another, i.e. distinct people; and of them the registered), per bucket: two
    queries joining the rows to the bucket table."""
    table = bucket_table(buckets)
    in_bucket = and_(Order.paid_at >= table.c.start, Order.paid_at < table.c.end)
    sales = (
        select(table.c.n, _count_if(KEPT), func.coalesce(func.sum(NET), 0))
        .select_from(table)
        .outerjoin(Order, and_(Order.tenant_id == principal.tenant_id, in_bucket))
        .group_by(table.c.n)
        .order_by(table.c.n)
    )
    created = and_(Member.created_at >= table.c.start, Member.created_at < table.c.end)
    joined = (
        select(table.c.n, func.count(Member.id), _count_if(Member.is_registered))
        .select_from(table)
        .outerjoin(
            Member,
            and_(
                Member.tenant_id == principal.tenant_id,
                Member.status != MemberStatus.merged,
                created,
            ),
        )
        .group_by(table.c.n)
        .order_by(table.c.n)
    )
    members = list(session.execute(joined))
    return [
        TrendRow(int(orders), int(cents), int(m[1]), int(m[2]))
        for (_, orders, cents), m in zip(session.execute(sales), members, strict=True)
    ]


def has_orders(session: Session, principal: Principal) -> bool:
    """Whether the tenant has any order at all (the overview's empty state otherwise)."""
    return bool(session.scalar(select(exists(tenant_scope(principal, Order)))))

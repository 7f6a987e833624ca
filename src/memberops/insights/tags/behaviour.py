"""The behaviour tags as SQL: for each, one ``SELECT id`` of the active members it holds as of a
moment, from orders, their lines and events in the window before that moment (orders and
events after it are ignored, so a past date gives the tags as they were), and from
``member_stats`` for the price-tolerance pair (the top-price and special-price spend the stats
keep, as of their own ``as_of``).

An order counts when it is not wholly refunded (a partial refund keeps it; its value is paid
minus refunded), as everywhere in activity. Shares are compared as integers
(``discounted * 10000 >= 8000 * orders``); the definitions in words are ``catalogue``'s.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Select,
    and_,
    case,
    distinct,
    exists,
    false,
    func,
    or_,
    select,
    true,
)

from memberops.activity.models import Event, EventType, MemberStats, Order, OrderLine, OrderStatus
from memberops.insights.tags.rules import BehaviourRules, GiftSeason, parse_day
from memberops.members.models import Member, MemberStatus

SCALE = 10_000


@dataclass(frozen=True)
class Moment:
    """What every behaviour query is computed for: a tenant (and its timezone, for gift
    seasons), the evaluation time, the rules, and optionally only some members."""

    tenant_id: int
    timezone: str
    as_of: datetime
    rules: BehaviourRules
    member_ids: list[int] | None = None
    #: ``order_figures`` already worked out (a temporary table), for a whole-tenant refresh
    #: whose six order-based tags would otherwise each aggregate every order twice.
    figures: FromClause | None = None

    @property
    def since(self) -> datetime:
        return self.as_of - timedelta(days=self.rules.window_days)

    def members(self, column: Any) -> ColumnElement[bool]:
        return column.in_(self.member_ids) if self.member_ids is not None else true()


def _scaled(share: Decimal) -> int:
    return int(share * SCALE)


def _local_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone).astimezone(UTC)


def _occurrences(season: GiftSeason, first_year: int, last_year: int) -> list[tuple[date, date]]:
    """The (first, last) local days the season covers in these years (a recurring 02-29 only
    in leap years)."""
    years = [0] if len(season.start) == 10 else range(first_year - 1, last_year + 1)
    found = []
    for year in years:
        try:
            start, end = parse_day(season.start, year), parse_day(season.end, year)
            if end < start:
                end = parse_day(season.end, year + 1)
        except ValueError:
            continue
        found.append((start, end))
    return found


def season_ranges(moment: Moment) -> list[tuple[datetime, datetime]]:
    """The gift seasons overlapping the window, as UTC ``[start, end)`` instants of local
    days: a few dozen at most, joined as ORs (SQLite has no time zones)."""
    zone = ZoneInfo(moment.timezone)
    first, last = moment.since.astimezone(zone).year, moment.as_of.astimezone(zone).year
    ranges = []
    for season in moment.rules.gift_seasons:
        for start, end in _occurrences(season, first, last):
            low, high = _local_day(start, zone), _local_day(end + timedelta(days=1), zone)
            if high > moment.since and low <= moment.as_of:
                ranges.append((low, high))
    return ranges


def _line_exists(moment: Moment, flag: Any) -> ColumnElement[bool]:
    return exists().where(
        OrderLine.tenant_id == moment.tenant_id, OrderLine.order_id == Order.id, flag.is_(True)
    )


def order_figures(moment: Moment) -> Any:
    """The moment's figures table when worked out already, else :func:`order_figures_query`
    as a subquery."""
    if moment.figures is not None:
        return moment.figures
    return order_figures_query(moment).subquery("figures")


def order_figures_query(moment: Moment) -> Select[Any]:
    """Per member with a kept order paid up to the moment: orders ever, and over the window
    orders, discounted and promotion orders, spend, promotion spend, distinct addresses, gift
    orders, orders with a new product; and the last purchase."""
    net = Order.amount_cents - Order.refunded_cents
    window = Order.paid_at >= moment.since
    in_season = or_(
        false(), *(and_(Order.paid_at >= a, Order.paid_at < b) for a, b in season_ranges(moment))
    )
    gift = or_(_line_exists(moment, OrderLine.is_gift_wrap), in_season)

    def counted(*tests: Any) -> Any:
        return func.sum(case((and_(window, *tests), 1), else_=0))

    def summed(value: Any, *tests: Any) -> Any:
        return func.sum(case((and_(window, *tests), value), else_=0))

    discounted = or_(Order.is_promotion, Order.amount_cents < Order.list_amount_cents)
    return (
        select(
            Order.member_id,
            func.count().label("orders_ever"),
            counted().label("orders"),
            counted(discounted).label("discounted"),
            counted(Order.is_promotion).label("promotions"),
            summed(net).label("spend"),
            summed(net, Order.is_promotion).label("promotion_spend"),
            func.count(distinct(case((window, Order.address_key)))).label("addresses"),
            counted(gift).label("gifts"),
            counted(_line_exists(moment, OrderLine.is_new_product)).label("novel"),
            func.max(Order.paid_at).label("last_paid"),
        )
        .where(
            Order.tenant_id == moment.tenant_id,
            Order.status != OrderStatus.refunded,
            Order.paid_at <= moment.as_of,
            moment.members(Order.member_id),
        )
        .group_by(Order.member_id)
    )


def _event_figures(moment: Moment) -> Any:
    voices = (EventType.review, EventType.survey_answer)

    def counted(test: Any) -> Any:
        return func.sum(case((test, 1), else_=0))

    return (
        select(
            Event.member_id,
            counted(Event.type == EventType.competition_entry).label("entries"),
            counted(Event.type.in_(voices)).label("voices"),
        )
        .where(
            Event.tenant_id == moment.tenant_id,
            Event.type.in_((EventType.competition_entry, *voices)),
            Event.occurred_at >= moment.since,
            Event.occurred_at <= moment.as_of,
            moment.members(Event.member_id),
        )
        .group_by(Event.member_id)
        .subquery("voices")
    )


def _active(moment: Moment, member_id: Any, *tests: Any) -> Select[int]:
    """``member_id`` (as ``id``) where ``tests`` hold, for active members only."""
    return (
        select(member_id.label("id"))
        .join(Member, and_(Member.tenant_id == moment.tenant_id, Member.id == member_id))
        .where(Member.status == MemberStatus.active, *tests)
    )


def discount_driven(moment: Moment) -> Select[int]:
    r, f = moment.rules, order_figures(moment)
    return _active(
        moment,
        f.c.member_id,
        f.c.orders >= r.discount_min_orders,
        f.c.discounted * SCALE >= f.c.orders * _scaled(r.discount_share),
    )


def stock_up(moment: Moment) -> Select[int]:
    r, f = moment.rules, order_figures(moment)
    return _active(
        moment,
        f.c.member_id,
        f.c.orders.between(1, r.stock_up_max_orders),
        f.c.orders_ever >= r.stock_up_min_orders,
        f.c.spend >= f.c.orders * r.high_order_value,
    )


def promotion_driven(moment: Moment) -> Select[int]:
    r, f = moment.rules, order_figures(moment)
    return _active(
        moment,
        f.c.member_id,
        f.c.orders >= r.promotion_min_orders,
        f.c.promotions >= 1,
        f.c.promotions * SCALE >= f.c.orders * _scaled(r.promotion_share),
        f.c.promotion_spend >= f.c.promotions * r.high_order_value,
    )


def novelty_seeker(moment: Moment) -> Select[int]:
    f = order_figures(moment)
    return _active(moment, f.c.member_id, f.c.novel >= moment.rules.novelty_min_orders)


def gift_giver(moment: Moment) -> Select[int]:
    r, f = moment.rules, order_figures(moment)
    return _active(
        moment,
        f.c.member_id,
        f.c.addresses >= r.gift_min_addresses,
        f.c.gifts >= r.gift_min_orders,
    )


def herd(moment: Moment) -> Select[int]:
    """Cart adds after the member's last purchase (and within ``herd_days``): only buyers
    have a last purchase, so "bought at least once" holds by the join."""
    f = order_figures(moment)
    since = moment.as_of - timedelta(days=moment.rules.herd_days)
    carts = (
        select(Event.member_id)
        .join(f, f.c.member_id == Event.member_id)
        .where(
            Event.tenant_id == moment.tenant_id,
            Event.type == EventType.cart_add,
            Event.occurred_at >= since,
            Event.occurred_at <= moment.as_of,
            Event.occurred_at > f.c.last_paid,
            moment.members(Event.member_id),
        )
        .group_by(Event.member_id)
        .having(func.count() >= moment.rules.herd_min_carts)
        .subquery("carts")
    )
    return _active(moment, carts.c.member_id)


def honour(moment: Moment) -> Select[int]:
    e = _event_figures(moment)
    return _active(moment, e.c.member_id, e.c.entries >= moment.rules.honour_min_entries)


def circle(moment: Moment) -> Select[int]:
    e = _event_figures(moment)
    return _active(moment, e.c.member_id, e.c.voices >= moment.rules.circle_min_events)


def _price_share(moment: Moment, spend: Any, share: Decimal) -> Select[int]:
    return _active(
        moment,
        MemberStats.member_id,
        MemberStats.tenant_id == moment.tenant_id,
        moment.members(MemberStats.member_id),
        MemberStats.kept_orders >= moment.rules.price_min_orders,
        MemberStats.lines_cents > 0,
        spend * SCALE >= MemberStats.lines_cents * _scaled(share),
    )


def price_tolerance_high(moment: Moment) -> Select[int]:
    return _price_share(moment, MemberStats.top_price_cents, moment.rules.price_high_share)


def price_tolerance_low(moment: Moment) -> Select[int]:
    return _price_share(moment, MemberStats.special_price_cents, moment.rules.price_low_share)


#: The tags that read ``order_figures``.
FROM_ORDERS = frozenset(
    {"discount_driven", "stock_up", "promotion_driven", "novelty_seeker", "herd", "gift_giver"}
)
#: Each behaviour tag's query, by the code ``catalogue`` gives it.
QUERIES: dict[str, Callable[[Moment], Select[int]]] = {
    "discount_driven": discount_driven,
    "stock_up": stock_up,
    "promotion_driven": promotion_driven,
    "novelty_seeker": novelty_seeker,
    "herd": herd,
    "gift_giver": gift_giver,
    "honour": honour,
    "circle": circle,
    "price_tolerance_high": price_tolerance_high,
    "price_tolerance_low": price_tolerance_low,
}

"""The condition fields activity owns: a member's purchase and behaviour figures, read from
``member_stats`` (SPEC §3; seed 004's behaviour conditions: bought / visited / carted in the
last N days or not, orders in two years, non-refunded orders, cumulative spend, order value).

Every field reads the stored stats row through one outer join, so a tree naming ten of them
joins once. Windows (``*_365d``, ``*_2y``) and the top-price share are as of the row's
``as_of`` (its member's last write or the last rebuild, see ``stats``). A member without a row
has no orders: counts and sums are 0 for it; averages, shares and times are unset.

``events.*`` are the last time of an event kind that ``member_stats`` does not keep — messages
delivered and clicked (SPEC §7: campaigns received / clicked), reviews, check-ins — read from
the events themselves (one indexed ``MAX`` per member).
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table, and_, func, select

from memberops.activity.models import Event, EventType, MemberStats
from memberops.activity.money import to_cents
from memberops.conditions.registry import Field, FieldSql, Join, Kind, Scope, register

_STATS: Table = MemberStats.__table__  # type: ignore[assignment]


def _join(scope: Scope) -> Join:
    on = and_(_STATS.c.tenant_id == scope.tenant_id, _STATS.c.member_id == scope.member.c.id)
    return Join("member_stats", _STATS, on)


def _sql(
    column: str, denominator: str | None = None, *, zero: bool = False
) -> Callable[[Scope], FieldSql]:
    """A stats column (0 for members without a row when ``zero``), over ``denominator``."""

    def sql(scope: Scope) -> FieldSql:
        over = None if denominator is None else _STATS.c[denominator]
        return FieldSql(_STATS.c[column], over, (_join(scope),), missing=0 if zero else None)

    return sql


def _last_event(kind: EventType) -> Callable[[Scope], FieldSql]:
    def sql(scope: Scope) -> FieldSql:
        last: Any = (
            select(func.max(Event.occurred_at))
            .where(Event.tenant_id == scope.tenant_id, Event.member_id == scope.member.c.id)
            .where(Event.type == kind.value)
            .scalar_subquery()
        )
        return FieldSql(last)

    return sql


def _field(name: str, kind: Kind, zh: str, en: str, sql: Callable[[Scope], FieldSql]) -> Field:
    parse = to_cents if kind == Kind.money else None
    return Field(f"stats.{name}", kind, {"zh-CN": zh, "en": en}, sql, parse=parse)


def _event(kind: EventType, zh: str, en: str) -> Field:
    labels = {"zh-CN": zh, "en": en}
    return Field(f"events.last_{kind.value}_at", Kind.datetime, labels, _last_event(kind))


def _count(name: str, zh: str, en: str) -> Field:
    return _field(name, Kind.int, zh, en, _sql(name, zero=True))


def _money(name: str, column: str, zh: str, en: str) -> Field:
    return _field(name, Kind.money, zh, en, _sql(column, zero=True))


def _time(name: str, zh: str, en: str) -> Field:
    return _field(name, Kind.datetime, zh, en, _sql(name))


FIELDS = (
    _count("orders_count", "累计订单数", "Orders"),
    _count("kept_orders", "无退款订单数", "Orders not refunded"),
    _money("spend", "spend_cents", "累计消费金额", "Total spend"),
    _count("orders_365d", "近365天订单数", "Orders, last 365 days"),
    _money("spend_365d", "spend_365d_cents", "近365天消费金额", "Spend, last 365 days"),
    _count("orders_2y", "近两年订单数", "Orders, last 2 years"),
    _money("spend_2y", "spend_2y_cents", "近两年消费金额", "Spend, last 2 years"),
    _field(
        "average_order_value",
        Kind.money,
        "客单价",
        "Average order value",
        _sql("spend_cents", "kept_orders"),
    ),
    _money("max_order", "max_order_cents", "最大单笔消费", "Largest order"),
    _field(
        "discount_share",
        Kind.ratio,
        "折扣订单占比",
        "Share of orders discounted",
        _sql("discounted_orders", "orders_count"),
    ),
    _field(
        "special_price_share",
        Kind.ratio,
        "特价商品消费占比",
        "Share of spend on special-price items",
        _sql("special_price_cents", "lines_cents"),
    ),
    _field(
        "top_price_share",
        Kind.ratio,
        "最高单价商品消费占比",
        "Share of spend on top-priced items",
        _sql("top_price_cents", "lines_cents"),
    ),
    _count("shipping_addresses", "收货地址数", "Shipping addresses"),
    _count("refunds_count", "退款次数", "Refunds"),
    _time("first_order_at", "首次购买时间", "First order"),
    _time("last_order_at", "最近购买时间", "Last order"),
    _time("last_visit_at", "最近访问时间", "Last visit"),
    _time("last_cart_at", "最近加购时间", "Last cart add"),
    _time("last_favorite_at", "最近收藏时间", "Last favourite"),
    _time("last_follow_at", "关注公众号时间", "Followed the official account"),
    _event(EventType.message_delivered, "最近收到营销消息时间", "Last message received"),
    _event(EventType.message_clicked, "最近点击营销消息时间", "Last message clicked"),
    _event(EventType.review, "最近评价时间", "Last review"),
    _event(EventType.check_in, "最近签到时间", "Last check-in"),
)


def register_fields() -> None:
    register(*FIELDS)

"""member_stats, computed by one set-based query (``INSERT … SELECT … GROUP BY``).

The same query serves the bulk rebuild (a whole tenant) and each write (one or two members):
:func:`refresh` deletes the rows of the members given and inserts them again from
:func:`stats_query`. There is no second, incremental formula that could drift from the rebuild.

Definitions (all money in cents, orders counted once each):

- ``orders_count``: every order; ``kept_orders``: orders not fully refunded.
- ``spend_cents``: paid minus refunded over all orders; average order value is
  ``spend_cents / kept_orders``; ``max_order_cents``: the largest paid-minus-refunded order.
- windows: orders (not fully refunded) and spend with ``paid_at`` on or after ``as_of`` minus
  365 days, and minus 730 days ("2 years").
- ``discounted_orders``: orders flagged ``is_promotion`` or paid below their list amount.
- ``lines_cents``: unit price × quantity over the lines of kept orders;
  ``special_price_cents``: the part of it on lines sold at least 5 % below list price
  (:data:`SPECIAL_PRICE_PERCENT`); ``top_price_cents``: the part on the shop's highest-priced
  items — SKUs in the top decile (``NTILE(10)``) of the tenant's SKUs ranked by their highest
  list price.
- ``shipping_addresses``: distinct normalised shipping addresses; ``refunds_count``: refunds.
- last visit / cart / favourite (item or store) / follow: the latest such event.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    true,
    union,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from memberops.activity.models import (
    Event,
    EventType,
    MemberStats,
    Order,
    OrderLine,
    OrderStatus,
    Refund,
)
from memberops.kernel import clock
from memberops.kernel.db import UTCDateTime, is_postgresql

#: A line is "special price" when sold at least this many percent below its list price.
SPECIAL_PRICE_PERCENT = 5
WINDOW_1Y = timedelta(days=365)
WINDOW_2Y = timedelta(days=730)


def _members(column: Any, tenant_id: int, member_ids: list[int] | None) -> ColumnElement[bool]:
    condition = column.table.c.tenant_id == tenant_id
    return condition if member_ids is None else and_(condition, column.in_(member_ids))


def _order_figures(tenant_id: int, member_ids: list[int] | None, as_of: datetime) -> Any:
    kept = Order.status != OrderStatus.refunded
    net = Order.amount_cents - Order.refunded_cents

    def window(since: datetime, value: Any) -> Any:
        return func.sum(case((and_(kept, Order.paid_at >= since), value), else_=0))

    discounted = or_(Order.is_promotion, Order.amount_cents < Order.list_amount_cents)
    return (
        select(
            Order.member_id,
            func.min(Order.paid_at).label("first_order_at"),
            func.max(Order.paid_at).label("last_order_at"),
            func.count().label("orders_count"),
            func.sum(case((kept, 1), else_=0)).label("kept_orders"),
            func.sum(net).label("spend_cents"),
            func.max(net).label("max_order_cents"),
            window(as_of - WINDOW_1Y, 1).label("orders_365d"),
            window(as_of - WINDOW_1Y, net).label("spend_365d_cents"),
            window(as_of - WINDOW_2Y, 1).label("orders_2y"),
            window(as_of - WINDOW_2Y, net).label("spend_2y_cents"),
            func.sum(case((discounted, 1), else_=0)).label("discounted_orders"),
            func.count(Order.address_key.distinct()).label("shipping_addresses"),
        )
        .where(_members(Order.member_id, tenant_id, member_ids))
        .group_by(Order.member_id)
        .subquery("o")
    )


def _top_skus(tenant_id: int) -> Any:
    """The tenant's SKUs in the top decile by their highest list price."""
    prices = (
        select(OrderLine.sku, func.max(OrderLine.list_price_cents).label("price"))
        .where(OrderLine.tenant_id == tenant_id)
        .group_by(OrderLine.sku)
        .subquery("prices")
    )
    decile = func.ntile(10).over(order_by=(prices.c.price.desc(), prices.c.sku))
    ranked = select(prices.c.sku, decile.label("decile")).subquery("ranked")
    return select(ranked.c.sku).where(ranked.c.decile == 1)


def _line_figures(tenant_id: int, member_ids: list[int] | None) -> Any:
    value = OrderLine.unit_price_cents * OrderLine.quantity
    special = OrderLine.unit_price_cents * 100 <= OrderLine.list_price_cents * (
        100 - SPECIAL_PRICE_PERCENT
    )
    top = OrderLine.sku.in_(_top_skus(tenant_id))
    return (
        select(
            OrderLine.member_id,
            func.sum(value).label("lines_cents"),
            func.sum(case((special, value), else_=0)).label("special_price_cents"),
            func.sum(case((top, value), else_=0)).label("top_price_cents"),
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(_members(OrderLine.member_id, tenant_id, member_ids))
        .where(Order.status != OrderStatus.refunded)
        .group_by(OrderLine.member_id)
        .subquery("l")
    )


def _refund_figures(tenant_id: int, member_ids: list[int] | None) -> Any:
    return (
        select(Refund.member_id, func.count().label("refunds_count"))
        .where(_members(Refund.member_id, tenant_id, member_ids))
        .group_by(Refund.member_id)
        .subquery("r")
    )


def _event_figures(tenant_id: int, member_ids: list[int] | None) -> Any:
    def latest(*types: EventType) -> Any:
        return func.max(case((Event.type.in_(types), Event.occurred_at)))

    return (
        select(
            Event.member_id,
            latest(EventType.store_visit).label("last_visit_at"),
            latest(EventType.cart_add).label("last_cart_at"),
            latest(EventType.favorite_item, EventType.favorite_store).label("last_favorite_at"),
            latest(EventType.follow_official_account).label("last_follow_at"),
        )
        .where(_members(Event.member_id, tenant_id, member_ids))
        .group_by(Event.member_id)
        .subquery("e")
    )


#: Columns that count or sum: 0 (not null) for a member with events but no orders.
_ZERO_WHEN_MISSING = (
    "orders_count",
    "kept_orders",
    "spend_cents",
    "max_order_cents",
    "orders_365d",
    "spend_365d_cents",
    "orders_2y",
    "spend_2y_cents",
    "discounted_orders",
    "shipping_addresses",
)
#: The latest-event columns, as :func:`_event_figures` names them.
STATS_EVENT_COLUMNS = ("last_visit_at", "last_cart_at", "last_favorite_at", "last_follow_at")


def stats_query(
    tenant_id: int, as_of: datetime, member_ids: list[int] | None = None
) -> Select[Any]:
    """One row per member with an order or an event, in ``MemberStats`` column order; all the
    tenant's members when ``member_ids`` is None."""
    ids = union(
        select(Order.member_id).where(_members(Order.member_id, tenant_id, member_ids)),
        select(Event.member_id).where(_members(Event.member_id, tenant_id, member_ids)),
    ).subquery("ids")
    o = _order_figures(tenant_id, member_ids, as_of)
    lines = _line_figures(tenant_id, member_ids)
    r = _refund_figures(tenant_id, member_ids)
    e = _event_figures(tenant_id, member_ids)
    columns: dict[str, Any] = {
        "tenant_id": literal(tenant_id),
        "member_id": ids.c.member_id,
        "as_of": literal(as_of, UTCDateTime()),
        "first_order_at": o.c.first_order_at,
        "last_order_at": o.c.last_order_at,
        **{name: func.coalesce(o.c[name], 0) for name in _ZERO_WHEN_MISSING},
        "lines_cents": func.coalesce(lines.c.lines_cents, 0),
        "special_price_cents": func.coalesce(lines.c.special_price_cents, 0),
        "top_price_cents": func.coalesce(lines.c.top_price_cents, 0),
        "refunds_count": func.coalesce(r.c.refunds_count, 0),
        **{name: e.c[name] for name in STATS_EVENT_COLUMNS},
    }
    return (
        select(*(value.label(name) for name, value in columns.items()))
        .select_from(ids)
        .outerjoin(o, o.c.member_id == ids.c.member_id)
        .outerjoin(lines, lines.c.member_id == ids.c.member_id)
        .outerjoin(r, r.c.member_id == ids.c.member_id)
        .outerjoin(e, e.c.member_id == ids.c.member_id)
        .where(true())  # SQLite needs a WHERE to parse INSERT … SELECT … ON CONFLICT
    )


_DEFERRED = "memberops.activity.stats_deferred"


@contextmanager
def deferred(session: Session, tenant_id: int, into: set[int] | None = None) -> Iterator[None]:
    """Within the block, writes note whose stats changed instead of refreshing each time; the
    block ends with one refresh of all of them, in the same transaction.

    For bulk loads (the demo merchant, file imports): one set-based refresh per batch instead of
    one per order, with the same query, so the rows are exactly what per-write refreshes give.
    Given ``into``, the members are added to it and not refreshed: a long import refreshes them
    once at its end (:func:`refresh_many`), since each refresh ranks every SKU of the tenant.
    """
    pending: set[int] = set()
    session.info[_DEFERRED] = pending
    try:
        yield
    finally:
        del session.info[_DEFERRED]
    if into is not None:
        into.update(pending)
    elif pending:
        refresh(session, tenant_id, sorted(pending))


def refresh(session: Session, tenant_id: int, member_ids: list[int] | None = None) -> None:
    """Recompute the stats rows of ``member_ids`` (every member of the tenant when None) as of
    now, in the caller's transaction.

    Writers hold the members' row locks (``lock_members``) first, so two writes for one member
    refresh one after the other, the second seeing the first's rows. The rows are deleted (so a
    member left without activity, merged away, has none) and inserted again; the insert is an
    upsert so that a whole-tenant rebuild racing with a write cannot fail on the primary key
    (the member's next write or the next rebuild then corrects a row the race left stale)."""
    pending: set[int] | None = session.info.get(_DEFERRED)
    if pending is not None and member_ids is not None:
        pending.update(member_ids)
        return
    query = stats_query(tenant_id, clock.now(), member_ids)
    target = delete(MemberStats).where(MemberStats.tenant_id == tenant_id)
    if member_ids is not None:
        target = target.where(MemberStats.member_id.in_(member_ids))
    session.execute(target)
    names = [column.name for column in query.selected_columns]
    dialect = postgresql if is_postgresql(session) else sqlite
    insert = dialect.insert(MemberStats).from_select(names, query)
    keys = ("tenant_id", "member_id")
    session.execute(
        insert.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: insert.excluded[name] for name in names if name not in keys},
        )
    )


#: Above this many members, :func:`refresh_many` rebuilds the whole tenant in one statement
#: rather than refreshing them a slice at a time (each slice ranks every SKU again).
REBUILD_ABOVE = 20_000
#: Members per targeted refresh: their ids appear five times in the query's IN lists.
_REFRESH_SLICE = 1_000


def refresh_many(session: Session, tenant_id: int, member_ids: set[int]) -> None:
    """Refresh ``member_ids`` in slices, or the whole tenant when they are many."""
    if len(member_ids) > REBUILD_ABOVE:
        refresh(session, tenant_id)
        return
    ordered = sorted(member_ids)
    for start in range(0, len(ordered), _REFRESH_SLICE):
        refresh(session, tenant_id, ordered[start : start + _REFRESH_SLICE])


def current_stats(session: Session, tenant_id: int, member_id: int) -> dict[str, Any] | None:
    """One member's figures computed now (windows as of this moment), or None without any
    order or event; what ``GET /members/{id}`` shows."""
    row = session.execute(stats_query(tenant_id, clock.now(), [member_id])).mappings().first()
    return None if row is None else dict(row)

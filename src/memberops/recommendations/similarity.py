"""The rebuild: co-purchase neighbours and product figures of one tenant, set-based.

1. The goods lines of the window: lines of orders paid in ``[until - window_days, until)`` and
   not wholly refunded, whose category is not excluded (charges).
2. Each member's basket: their ``basket_items`` most recently bought distinct SKUs of those
   lines (``ROW_NUMBER`` per member), into a temporary table.
3. Pairs: the basket joined to itself on the member, counted per (sku, neighbour) with at
   least ``min_support`` members; the score is the cosine similarity of the two SKUs' buyer
   sets, support / √(baskets holding one × baskets holding the other); each SKU keeps its
   ``neighbours`` best (``ROW_NUMBER`` per SKU, ties by SKU) — one ``INSERT … SELECT``.
4. Figures: per SKU of the window, its latest name and category, distinct buyers, units, its
   first sale ever (before ``until``) and whether a line was flagged new — one ``INSERT …
   SELECT``.

Nothing here loops over rows in Python, so the same statements run on a warehouse engine.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Float,
    Index,
    Select,
    Table,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session
from sqlalchemy.schema import DropTable

from memberops.activity.models import Order, OrderLine, OrderStatus
from memberops.kernel.db import UTCDateTime, is_postgresql
from memberops.recommendations.models import ProductFigures, ProductNeighbour
from memberops.recommendations.rules import RecommendationRules

BASKETS = "recommendation_baskets"


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild wrote."""

    products: int
    neighbours: int

    def describe(self) -> str:
        return f"{self.products} products, {self.neighbours} co-purchase neighbours"


def goods(tenant_id: int, rules: RecommendationRules) -> Select[int, str]:
    """Order lines of the tenant's goods (charges left out), joined to their orders; callers
    add the columns and the time window they need."""
    line, order = OrderLine, Order
    return (
        select(line.member_id, line.sku)
        .join(order, order.id == line.order_id)
        .where(line.tenant_id == tenant_id, order.tenant_id == tenant_id)
        .where(or_(line.category.is_(None), line.category.not_in(rules.excluded_categories)))
    )


def _window(tenant_id: int, rules: RecommendationRules, until: datetime) -> Select[int, str]:
    since = until - timedelta(days=rules.window_days)
    return goods(tenant_id, rules).where(
        Order.paid_at >= since, Order.paid_at < until, Order.status != OrderStatus.refunded
    )


@contextmanager
def _baskets(
    session: Session, tenant_id: int, rules: RecommendationRules, until: datetime
) -> Iterator[Table]:
    """Step 2, as a temporary table dropped when the block ends."""
    bought = (
        _window(tenant_id, rules, until)
        .add_columns(
            func.row_number()
            .over(
                partition_by=OrderLine.member_id,
                order_by=(func.max(Order.paid_at).desc(), OrderLine.sku),
            )
            .label("recency")
        )
        .group_by(OrderLine.member_id, OrderLine.sku)
        .subquery()
    )
    rows = select(bought.c.member_id, bought.c.sku).where(bought.c.recency <= rules.basket_items)
    create = rows.into(BASKETS, temporary=True)
    session.execute(create)
    table = create.table
    Index(f"ix_{BASKETS}", table.c.member_id, table.c.sku).create(session.connection())
    session.execute(text(f"ANALYZE {BASKETS}"))  # no autovacuum analyses a temporary table
    try:
        yield table
    finally:
        session.execute(DropTable(table, if_exists=True))


def _neighbours(baskets: Table, rules: RecommendationRules) -> Select[str, str, int, float]:
    """Step 3's pairs with their support and cosine score (before the cut to the best)."""
    one, other = baskets.alias("one"), baskets.alias("other")
    pairs = (
        select(one.c.sku, other.c.sku.label("neighbour_sku"), func.count().label("support"))
        .join(other, and_(other.c.member_id == one.c.member_id, other.c.sku != one.c.sku))
        .group_by(one.c.sku, other.c.sku)
        .having(func.count() >= rules.min_support)
        .subquery("pairs")
    )
    sizes = select(baskets.c.sku, func.count().label("baskets")).group_by(baskets.c.sku)
    mine, theirs = sizes.subquery("mine"), sizes.subquery("theirs")
    score = cast(pairs.c.support, Float) / func.sqrt(cast(mine.c.baskets * theirs.c.baskets, Float))
    return (
        select(pairs.c.sku, pairs.c.neighbour_sku, pairs.c.support, score.label("score"))
        .join(mine, mine.c.sku == pairs.c.sku)
        .join(theirs, theirs.c.sku == pairs.c.neighbour_sku)
    )


def _insert_neighbours(
    session: Session, tenant_id: int, baskets: Table, rules: RecommendationRules, now: datetime
) -> None:
    scored = _neighbours(baskets, rules).subquery("scored")
    ranked = select(
        scored,
        func.row_number()
        .over(partition_by=scored.c.sku, order_by=(scored.c.score.desc(), scored.c.neighbour_sku))
        .label("rank"),
    ).subquery("ranked")
    rows = select(
        literal(tenant_id).label("tenant_id"),
        ranked.c.sku,
        ranked.c.neighbour_sku,
        ranked.c.rank,
        ranked.c.score,
        ranked.c.support,
        literal(now, UTCDateTime()).label("computed_at"),
    ).where(ranked.c.rank <= rules.neighbours)
    names = ["tenant_id", "sku", "neighbour_sku", "rank", "score", "support", "computed_at"]
    session.execute(insert(ProductNeighbour).from_select(names, rows))


def _insert_figures(
    session: Session, tenant_id: int, rules: RecommendationRules, until: datetime
) -> None:
    line = OrderLine
    window = (
        _window(tenant_id, rules, until)
        .add_columns(line.name, line.category, line.quantity, line.is_new_product, Order.paid_at)
        .add_columns(
            func.row_number()
            .over(partition_by=line.sku, order_by=(Order.paid_at.desc(), line.id.desc()))
            .label("latest")
        )
        .subquery("window")
    )
    first = (
        goods(tenant_id, rules)
        .with_only_columns(line.sku, func.min(Order.paid_at).label("first_sold_at"))
        .where(Order.paid_at < until)
        .group_by(line.sku)
        .subquery("first")
    )
    w = window.c
    rows = (
        select(
            literal(tenant_id).label("tenant_id"),
            w.sku,
            func.max(case((w.latest == 1, w.name))).label("name"),
            func.max(case((w.latest == 1, w.category))).label("category"),
            func.count(w.member_id.distinct()).label("buyers"),
            func.sum(w.quantity).label("units"),
            func.min(first.c.first_sold_at).label("first_sold_at"),
            (func.max(case((w.is_new_product, 1), else_=0)) == 1).label("new_product"),
            literal(until, UTCDateTime()).label("computed_at"),
        )
        .join(first, first.c.sku == w.sku)
        .group_by(w.sku)
    )
    names = [
        "tenant_id",
        "sku",
        "name",
        "category",
        "buyers",
        "units",
        "first_sold_at",
        "new_product",
        "computed_at",
    ]
    session.execute(insert(ProductFigures).from_select(names, rows))


def rebuild(
    session: Session, tenant_id: int, rules: RecommendationRules, until: datetime
) -> Rebuilt:
    """Replace the tenant's neighbours and figures by those of the window ending at ``until``."""
    if is_postgresql(session):  # the pair count sorts a few million rows in memory
        session.execute(text("SET LOCAL work_mem = '256MB'"))
    for table in (ProductNeighbour, ProductFigures):
        session.execute(delete(table).where(table.tenant_id == tenant_id))
    with _baskets(session, tenant_id, rules, until) as baskets:
        _insert_neighbours(session, tenant_id, baskets, rules, until)
    _insert_figures(session, tenant_id, rules, until)
    counted = [
        session.scalar(select(func.count()).select_from(table).where(table.tenant_id == tenant_id))
        for table in (ProductFigures, ProductNeighbour)
    ]
    return Rebuilt(products=counted[0] or 0, neighbours=counted[1] or 0)

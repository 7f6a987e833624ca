"""Candidate lists read from the rebuilt tables, each leaving out what the member bought (any
SKU of an order line of theirs paid before ``as_of``), set-based for many members at once (the
benchmark evaluates thousands of members with one statement per list): SKUs bought together
with theirs, and the window's top sellers — all, of some categories, or new arrivals. Also a
member's favourite categories and the behaviour tags they hold."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    FromClause,
    Index,
    Select,
    Table,
    and_,
    func,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session
from sqlalchemy.schema import DropTable

from memberops.activity.models import Order, OrderLine
from memberops.insights.tags.models import MemberTag, Tag
from memberops.members.models import Member
from memberops.recommendations.models import ProductFigures, ProductNeighbour
from memberops.recommendations.rules import RecommendationRules

#: The behaviour tags (insights/tags) that add a list of their own.
NOVELTY_SEEKER, HERD = "novelty_seeker", "herd"
BOUGHT = "recommendation_bought"


@dataclass(frozen=True)
class Candidate:
    """One SKU suggested to one member and how strongly (a summed similarity, or buyers)."""

    member_id: int
    sku: str
    score: float


def _lines(tenant_id: int, member_ids: Sequence[int], as_of: datetime) -> CTE:
    """The members' order lines paid before ``as_of``, worked out once (``MATERIALIZED``):
    inlined, SQLite would read them through the SKU index to skip a sort, scanning the
    tenant's every line."""
    lines = (
        select(OrderLine.member_id, OrderLine.sku, OrderLine.category)
        .add_columns((OrderLine.unit_price_cents * OrderLine.quantity).label("spend"))
        .join(Order, Order.id == OrderLine.order_id)
        .where(OrderLine.tenant_id == tenant_id, OrderLine.member_id.in_(member_ids))
        .where(Order.paid_at < as_of)
    )
    return lines.cte("member_lines").prefix_with("MATERIALIZED")


def bought_by(tenant_id: int, member_ids: Sequence[int], as_of: datetime) -> CTE:
    """Each SKU each member bought before ``as_of``, once: for a few members."""
    lines = _lines(tenant_id, member_ids, as_of)
    return select(lines.c.member_id, lines.c.sku).distinct().cte("bought")


@contextmanager
def many_bought(
    session: Session, tenant_id: int, member_ids: Sequence[int], as_of: datetime
) -> Iterator[Table]:
    """:func:`bought_by` as a temporary table with its index, dropped when the block ends: for
    thousands of members, whose lists leave out what each bought by an anti-join that SQLite
    would otherwise run as a scan per candidate."""
    lines = _lines(tenant_id, member_ids, as_of)
    create = select(lines.c.member_id, lines.c.sku).distinct().into(BOUGHT, temporary=True)
    session.execute(create)
    table = create.table
    # by SKU first: the join to the neighbours and the anti-join both look a SKU up
    Index(f"ix_{BOUGHT}", table.c.sku, table.c.member_id).create(session.connection())
    session.execute(text(f"ANALYZE {BOUGHT}"))
    try:
        yield table
    finally:
        session.execute(DropTable(table, if_exists=True))


def _best(session: Session, candidates: Select[Any], limit: int) -> dict[int, list[Candidate]]:
    """The ``limit`` best rows of each member (score down, SKU up), in that order."""
    rows = candidates.subquery("candidates")
    place = func.row_number().over(
        partition_by=rows.c.member_id, order_by=(rows.c.score.desc(), rows.c.sku)
    )
    numbered = select(rows, place.label("place")).subquery("numbered")
    n = numbered.c
    query = select(n.member_id, n.sku, n.score).where(n.place <= limit)
    found: dict[int, list[Candidate]] = {}
    for member_id, sku, score in session.execute(query.order_by(n.member_id, n.place)):
        found.setdefault(member_id, []).append(Candidate(member_id, sku, float(score)))
    return found


def co_purchased(
    session: Session, tenant_id: int, bought: FromClause, limit: int
) -> dict[int, list[Candidate]]:
    """Per member of ``bought`` (:func:`bought_by`), the SKUs closest to what they bought:
    each neighbour's scores summed over the member's SKUs it neighbours, best first."""
    mine = bought.alias("mine")
    near = ProductNeighbour
    owned = and_(mine.c.member_id == bought.c.member_id, mine.c.sku == near.neighbour_sku)
    candidates = (
        select(
            bought.c.member_id,
            near.neighbour_sku.label("sku"),
            func.sum(near.score).label("score"),
        )
        .join(near, and_(near.tenant_id == tenant_id, near.sku == bought.c.sku))
        .outerjoin(mine, owned)  # an anti-join
        .where(mine.c.sku.is_(None))
        .group_by(bought.c.member_id, near.neighbour_sku)
    )
    return _best(session, candidates, limit)


def top_sellers(
    session: Session,
    tenant_id: int,
    member_ids: Sequence[int],
    bought: FromClause,
    limit: int,
    among: ColumnElement[bool] | None = None,
) -> dict[int, list[Candidate]]:
    """Per member, the window's SKUs (``among`` narrows them) by buyers, best first, leaving
    out what ``bought`` says they bought. Only the first ``limit`` + (most SKUs any of these
    members bought) can be needed, so the members are crossed with those alone."""
    per_member = (
        select(func.count().label("n")).select_from(bought).group_by(bought.c.member_id)
    ).subquery()
    widest = session.scalar(select(func.coalesce(func.max(per_member.c.n), 0))) or 0
    figures = ProductFigures
    popular = (
        select(figures.sku, figures.buyers)
        .where(figures.tenant_id == tenant_id, true() if among is None else among)
        .order_by(figures.buyers.desc(), figures.sku)
        .limit(limit + widest)
        .subquery("popular")
    )
    members = (
        select(Member.id)
        .where(Member.tenant_id == tenant_id, Member.id.in_(member_ids))
        .subquery("chosen")
    )
    owned = and_(bought.c.member_id == members.c.id, bought.c.sku == popular.c.sku)
    candidates = (
        select(
            members.c.id.label("member_id"),
            popular.c.sku,
            popular.c.buyers.label("score"),
        )
        .select_from(members.join(popular, true()).outerjoin(bought, owned))
        .where(bought.c.sku.is_(None))
    )
    return _best(session, candidates, limit)


def new_arrivals(as_of: datetime, rules: RecommendationRules) -> ColumnElement[bool]:
    """The products flagged new, or first sold within ``new_days`` of ``as_of``."""
    recent = ProductFigures.first_sold_at >= as_of - timedelta(days=rules.new_days)
    return or_(ProductFigures.new_product, recent)


def favourite_categories(
    session: Session, tenant_id: int, member_id: int, as_of: datetime, rules: RecommendationRules
) -> list[str]:
    """The member's ``top_categories`` categories by what they spent on them, most first
    (charges' categories left out)."""
    lines = _lines(tenant_id, [member_id], as_of)
    category = lines.c.category
    query = (
        select(category)
        .where(category.is_not(None), category.not_in(rules.excluded_categories))
        .group_by(category)
        .order_by(func.sum(lines.c.spend).desc(), category)
        .limit(rules.top_categories)
    )
    return [c for c in session.scalars(query) if c is not None]


def behaviour_tags(session: Session, tenant_id: int, member_id: int) -> set[str]:
    """Which of :data:`NOVELTY_SEEKER` and :data:`HERD` the member holds (active tags)."""
    query = (
        select(Tag.code)
        .join(MemberTag, and_(MemberTag.tag_id == Tag.id, MemberTag.tenant_id == tenant_id))
        .where(Tag.tenant_id == tenant_id, Tag.active, MemberTag.member_id == member_id)
        .where(Tag.code.in_([NOVELTY_SEEKER, HERD]))
    )
    return set(session.scalars(query))


def products(session: Session, tenant_id: int, skus: Sequence[str]) -> dict[str, ProductFigures]:
    """The figures (name, category) of these SKUs."""
    query = select(ProductFigures).where(
        ProductFigures.tenant_id == tenant_id, ProductFigures.sku.in_(skus)
    )
    return {row.sku: row for row in session.scalars(query)}

"""Recommendations for one member, and the rebuild that feeds them.

:func:`blend` takes a few lists, each ``limit`` long and none holding what the member bought
— bought together with theirs (always), top sellers of their favourite categories (when they
have bought any), new arrivals (when they hold ``novelty_seeker``), the tenant's top sellers
(when they hold ``herd``) — and deals from them in that order, one item from each in turn,
skipping an item already dealt, until ``limit``; a list still short is filled with top sellers.
So a member with no history gets the shop's top sellers, and every item says why it is there.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.members.service import get_member
from memberops.recommendations import queries
from memberops.recommendations.models import ProductFigures
from memberops.recommendations.queries import HERD, NOVELTY_SEEKER, Candidate
from memberops.recommendations.rules import RecommendationRules
from memberops.recommendations.schemas import Reason, RecommendationsRead, RecommendedItem
from memberops.recommendations.similarity import Rebuilt
from memberops.recommendations.similarity import rebuild as rebuild_tables
from memberops.tenancy.access import Permission, Principal
from memberops.tenancy.sections import load_section

#: Items a message's ``recommended_products`` lists.
MESSAGE_ITEMS = 5

Dealt = list[tuple[Reason, Candidate]]


def rebuild(session: Session, principal: Principal, until: datetime | None = None) -> Rebuilt:
    """Rebuild the tenant's neighbours and product figures from the window ending ``until``
    (now)."""
    principal.require(Permission.insights_manage)
    rules = load_section(session, principal.tenant_id, RecommendationRules)
    return rebuild_tables(session, principal.tenant_id, rules, until or clock.now())


def _lists(
    session: Session,
    tenant_id: int,
    member_id: int,
    limit: int,
    as_of: datetime,
    rules: RecommendationRules,
) -> list[tuple[Reason, list[Candidate]]]:
    ids = [member_id]
    bought = queries.bought_by(tenant_id, ids, as_of)
    lists = [(Reason.bought_together, queries.co_purchased(session, tenant_id, bought, limit))]
    categories = queries.favourite_categories(session, tenant_id, member_id, as_of, rules)
    if categories:
        among = ProductFigures.category.in_(categories)
        found = queries.top_sellers(session, tenant_id, ids, bought, limit, among)
        lists.append((Reason.favourite_category, found))
    tags = queries.behaviour_tags(session, tenant_id, member_id)
    if NOVELTY_SEEKER in tags:
        new = queries.new_arrivals(as_of, rules)
        found = queries.top_sellers(session, tenant_id, ids, bought, limit, new)
        lists.append((Reason.new_arrival, found))
    if HERD in tags:
        found = queries.top_sellers(session, tenant_id, ids, bought, limit)
        lists.append((Reason.top_seller, found))
    return [(reason, found.get(member_id, [])) for reason, found in lists]


def deal(lists: Sequence[tuple[Reason, Sequence[Candidate]]], limit: int) -> Dealt:
    """One item from each list in turn, skipping SKUs already dealt, until ``limit``."""
    dealt: Dealt = []
    seen: set[str] = set()
    for turn in range(max((len(found) for _, found in lists), default=0)):
        for reason, found in lists:
            if turn < len(found) and found[turn].sku not in seen and len(dealt) < limit:
                dealt.append((reason, found[turn]))
                seen.add(found[turn].sku)
    return dealt


def blend(
    session: Session,
    tenant_id: int,
    member_id: int,
    limit: int,
    as_of: datetime,
    rules: RecommendationRules | None = None,
) -> list[RecommendedItem]:
    """The member's list (see the module docstring), at most ``limit`` items, under the
    tenant's ``rules`` (read here unless a caller blending for many members read them once).
    Four to twelve queries: the lists (two for each list of top sellers), the behaviour tags,
    the filler, the products' names."""
    rules = load_section(session, tenant_id, RecommendationRules) if rules is None else rules
    dealt = deal(_lists(session, tenant_id, member_id, limit, as_of, rules), limit)
    if len(dealt) < limit:
        bought = queries.bought_by(tenant_id, [member_id], as_of)
        filler = queries.top_sellers(session, tenant_id, [member_id], bought, 2 * limit)
        seen = {c.sku for _, c in dealt}
        fresh = [c for c in filler.get(member_id, []) if c.sku not in seen]
        dealt += [(Reason.top_seller, c) for c in fresh[: limit - len(dealt)]]
    figures = queries.products(session, tenant_id, [c.sku for _, c in dealt])
    return [
        RecommendedItem(
            sku=c.sku,
            name=figures[c.sku].name,
            category=figures[c.sku].category,
            reason=reason,
            score=round(c.score, 6),
        )
        for reason, c in dealt
        if c.sku in figures
    ]


def computed_at(session: Session, tenant_id: int) -> datetime | None:
    """When the tenant's product figures were last rebuilt as of."""
    query = select(func.max(ProductFigures.computed_at)).where(
        ProductFigures.tenant_id == tenant_id
    )
    return session.scalar(query)


def recommend(
    session: Session, principal: Principal, member_id: int, limit: int
) -> RecommendationsRead:
    """The member's recommendations now (``limit`` at most)."""
    principal.require(Permission.members_read)
    get_member(session, principal, member_id)
    items = blend(session, principal.tenant_id, member_id, limit, clock.now())
    return RecommendationsRead(
        member_id=str(member_id),
        computed_at=computed_at(session, principal.tenant_id),
        items=items,
    )


def product_names(
    session: Session, tenant_id: int, member_ids: Sequence[int]
) -> dict[int, list[str]]:
    """Per member, the names of their first :data:`MESSAGE_ITEMS` recommendations: messaging's
    ``recommended_products`` template field (registered by ``wiring``), asked for a campaign's
    chunk of members at once. Each member is still blended on their own (:func:`blend`'s
    queries each); the rules are read once for all."""
    now = clock.now()
    rules = load_section(session, tenant_id, RecommendationRules)
    return {
        member_id: [
            item.name for item in blend(session, tenant_id, member_id, MESSAGE_ITEMS, now, rules)
        ]
        for member_id in member_ids
    }

"""The ladder as SQL: each level's rank (its index on the ladder, the first level 0) worked out
in the database from a member's figures, so a whole tenant is ranked by one query (analytics
are set-based, DESIGN.md) and the one-member path runs the very same expressions."""

from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, null, or_, true

from memberops.activity.models import MemberStats
from memberops.loyalty.tiers.rules import TierLadder

#: The figures a tier is decided on: rolling-365-day spend (paid minus refunded, cents) and
#: orders not fully refunded, as of the member's stats row; 0 for a member without one.
SPEND = func.coalesce(MemberStats.spend_365d_cents, 0)
ORDERS = func.coalesce(MemberStats.orders_365d, 0)


def _met(spend: int | None, orders: int | None) -> ColumnElement[bool]:
    """Spend OR orders at or above the figures given; a figure left out is never met."""
    tests = [SPEND >= spend] if spend is not None else []
    if orders is not None:
        tests.append(ORDERS >= orders)
    return or_(*tests) if tests else true()


def qualified_rank(ladder: TierLadder) -> ColumnElement[Any]:
    """The highest level whose qualify spend OR orders the member meets."""
    whens = [
        (_met(level.qualify_spend, level.qualify_orders), rank)
        for rank, level in reversed(list(enumerate(ladder.levels)))
        if rank > 0
    ]
    return case(*whens, else_=0) if whens else literal(0)


def current_rank(ladder: TierLadder, tier: Any) -> ColumnElement[Any]:
    """The rank of the stored tier code; NULL when the ladder no longer has that code (or the
    member has no tier row)."""
    ranks = {level.code: rank for rank, level in enumerate(ladder.levels)}
    return case(ranks, value=tier, else_=null())


def kept_rank(ladder: TierLadder, current: ColumnElement[Any]) -> ColumnElement[Any]:
    """The highest level at or below ``current`` whose retention the member meets (its
    retain figures, or its qualify figures when it has none); the first level otherwise."""
    whens = []
    for rank, level in reversed(list(enumerate(ladder.levels))):
        if rank == 0:
            continue
        keep = (level.retain_spend, level.retain_orders)
        if keep == (None, None):
            keep = (level.qualify_spend, level.qualify_orders)
        whens.append((and_(current >= rank, _met(*keep)), rank))
    return case(*whens, else_=0) if whens else literal(0)

"""Period-end reviews: the only way down the ladder.

A member whose ``period_ends_at`` has come is reviewed on its stats refreshed as of the review
(``activity.stats.refresh_many``, so the rolling 365 days end now, not at its last activity):

- it keeps its level when it meets that level's retention (retain spend OR orders, or the
  qualify figures of a level without retain figures): a ``renewal``;
- otherwise it moves down to the highest lower level whose retention it meets, the first level
  when none: a ``downgrade``;
- a member that qualifies for a higher level than it holds (stats changed by a history load
  not yet evaluated) is upgraded instead, with a period starting now.

A renewed or downgraded member's next period follows the one that ended (so a review run a
day late shifts nothing), or starts now when that one would already be over too. A renewal
keeps ``since``; a move sets it to now. Every reviewed member gets a ``tier_changes`` row.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row
from sqlalchemy.orm import Session

from memberops.activity import stats
from memberops.kernel import clock
from memberops.loyalty.tiers.changes import Move, write_moves
from memberops.loyalty.tiers.models import MemberTier, TierChangeKind
from memberops.loyalty.tiers.ranks import kept_rank
from memberops.loyalty.tiers.rules import TierLadder
from memberops.loyalty.tiers.service import CHUNK, ladder, standing
from memberops.members.models import Member
from memberops.members.service import lock_members
from memberops.tenancy.access import Principal


def review_due(session: Session, principal: Principal) -> int:
    """Review every member whose tier period has ended; returns how many were reviewed."""
    tenant_id, now = principal.tenant_id, clock.now()
    rules = ladder(session, tenant_id)
    base = standing(rules, tenant_id).where(MemberTier.period_ends_at <= now)
    due = list(session.scalars(base.with_only_columns(Member.id).order_by(Member.id)))
    if not due:
        return 0
    for start in range(0, len(due), CHUNK):  # members before their stats: the one lock order
        lock_members(session, principal, due[start : start + CHUNK])
    stats.refresh_many(session, tenant_id, set(due))
    current = base.selected_columns.current
    query = base.add_columns(
        MemberTier.since,
        MemberTier.period_ends_at,
        kept_rank(rules, current).label("kept"),
    )
    reviewed = 0
    for start in range(0, len(due), CHUNK):
        ids = due[start : start + CHUNK]
        rows = session.execute(query.where(Member.id.in_(ids))).all()
        reviewed += write_moves(session, tenant_id, [_decide(rules, row, now) for row in rows])
    return reviewed


def _next_end(rules: TierLadder, ended: datetime, now: datetime) -> datetime:
    period = timedelta(days=rules.period_days)
    return ended + period if ended + period > now else now + period


def _decide(rules: TierLadder, row: Row[Any], now: datetime) -> Move:
    fresh_period = now + timedelta(days=rules.period_days)
    if row.current is None:
        kind, rank, since, ends = TierChangeKind.rules, row.qualified, now, fresh_period
    else:
        rank = max(row.kept, row.qualified)
        if rank > row.current:
            kind, since, ends = TierChangeKind.upgrade, now, fresh_period
        elif rank < row.current:
            kind, since, ends = (
                TierChangeKind.downgrade,
                now,
                _next_end(rules, row.period_ends_at, now),
            )
        else:
            kind, since, ends = (
                TierChangeKind.renewal,
                row.since,
                _next_end(rules, row.period_ends_at, now),
            )
    return Move(
        member_id=row.member_id,
        from_tier=row.tier,
        to_tier=rules.levels[rank].code,
        kind=kind,
        since=since,
        period_ends_at=ends,
        spend_365d_cents=row.spend,
        orders_365d=row.orders,
    )

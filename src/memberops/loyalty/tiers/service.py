"""Verbs of the tiers room: read the ladder and a member's level, change the ladder, and place
and upgrade members (:func:`evaluate_members`). Period-end reviews are in ``review``.

Which figures count: ``member_stats.spend_365d_cents`` (paid minus refunded over the orders not
fully refunded, paid in the 365 days before the row's ``as_of``) and ``orders_365d`` (those
orders). Every write path refreshes its member's row before publishing ``OrderPaid`` /
``OrderRefunded``, and bulk loads refresh theirs before ``HistoryLoaded``: such callers pass
``stats_fresh=True``. Any other caller gets the rows refreshed as of now first, so windows
that have moved since a member's last activity never count orders that have left them.

Callers own the transaction. Locks follow the one order members → member_stats → tier rows
(PostgreSQL's foreign-key checks make any write of a member's rows wait on a locked member,
so a lock taken out of order deadlocks with that member's next order): members about to move
are locked with ``lock_members`` and read again under the lock before they are written, and
members whose stats are refreshed here are locked before the refresh. An order of the same
member then waits for a bulk evaluation, or the other way round, each deciding on what the
other stored.
"""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from memberops.activity import stats
from memberops.activity.models import MemberStats
from memberops.kernel import clock
from memberops.loyalty.tiers.changes import Move, write_moves
from memberops.loyalty.tiers.models import MemberTier, TierChangeKind
from memberops.loyalty.tiers.ranks import ORDERS, SPEND, current_rank, qualified_rank
from memberops.loyalty.tiers.rules import TierLadder, TierLevel
from memberops.members.models import Member, MemberStatus
from memberops.members.service import lock_members
from memberops.tenancy.access import Principal
from memberops.tenancy.sections import load_section, save_section

#: Members decided and written per round (a bounded lock set and IN list).
CHUNK = 1_000


def ladder(session: Session, tenant_id: int) -> TierLadder:
    """The tenant's ladder (SPEC's default until changed)."""
    return load_section(session, tenant_id, TierLadder)


def current_level(session: Session, principal: Principal, member_id: int) -> TierLevel:
    """The member's level now: its stored tier, or the ladder's first level when it has none
    yet (never evaluated) or holds a code the ladder no longer has."""
    rules = ladder(session, principal.tenant_id)
    code = session.scalar(
        select(MemberTier.tier).where(
            MemberTier.tenant_id == principal.tenant_id, MemberTier.member_id == member_id
        )
    )
    found = None if code is None else rules.level(code)
    return rules.levels[0] if found is None else found


def save_ladder(session: Session, principal: Principal, rules: TierLadder) -> int:
    """Store the tenant's new ladder (audited) and re-evaluate every member against it;
    returns how many members changed level."""
    save_section(session, principal, rules)
    return evaluate_members(session, principal)


def standing(rules: TierLadder, tenant_id: int) -> Select[Any]:
    """Each active or erased member of the tenant with its stored tier, that tier's rank, the
    rank it qualifies for and the figures that decided it (merged-away members keep their
    rows as they are and are left out)."""
    current = current_rank(rules, MemberTier.tier)
    return (
        select(
            Member.id.label("member_id"),
            MemberTier.tier,
            current.label("current"),
            qualified_rank(rules).label("qualified"),
            SPEND.label("spend"),
            ORDERS.label("orders"),
        )
        .select_from(Member)
        .outerjoin(
            MemberTier,
            and_(MemberTier.tenant_id == Member.tenant_id, MemberTier.member_id == Member.id),
        )
        .outerjoin(
            MemberStats,
            and_(MemberStats.tenant_id == Member.tenant_id, MemberStats.member_id == Member.id),
        )
        .where(Member.tenant_id == tenant_id, Member.status != MemberStatus.merged)
    )


def _to_move(rules: TierLadder, row: Row[Any]) -> Move:
    now = clock.now()
    if row.tier is None:
        kind = TierChangeKind.joined
    elif row.current is None:
        kind = TierChangeKind.rules
    else:
        kind = TierChangeKind.upgrade
    return Move(
        member_id=row.member_id,
        from_tier=row.tier,
        to_tier=rules.levels[row.qualified].code,
        kind=kind,
        since=now,
        period_ends_at=now + timedelta(days=rules.period_days),
        spend_365d_cents=row.spend,
        orders_365d=row.orders,
    )


def evaluate_members(
    session: Session,
    principal: Principal,
    member_ids: list[int] | None = None,
    *,
    stats_fresh: bool = False,
    upgrades_only: bool = False,
) -> int:
    """Place and upgrade ``member_ids`` (every member of the tenant when None); returns how
    many moved. A member without a tier row joins at the level it qualifies for; one below
    its qualified level is upgraded at once; one whose code the ladder lost moves to its
    qualified level. Nobody is moved down here: that happens only in a period-end review.
    A new level's period starts now.

    ``upgrades_only`` moves only members who qualify above the level they hold (the first
    level when they have none), so a merge and its undo leave members who gained nothing
    exactly as they were."""
    tenant_id = principal.tenant_id
    rules = ladder(session, tenant_id)
    if not stats_fresh:
        for ids in _candidates(session, standing(rules, tenant_id), member_ids):
            lock_members(session, principal, ids)  # before their stats: the one lock order
        if member_ids is None:
            stats.refresh(session, tenant_id)
        else:
            stats.refresh_many(session, tenant_id, set(member_ids))
    query = standing(rules, tenant_id)
    current, qualified = query.selected_columns.current, query.selected_columns.qualified
    movable = qualified > func.coalesce(current, 0)
    if not upgrades_only:
        movable = or_(MemberTier.tier.is_(None), current.is_(None), qualified > current)
    query = query.where(movable)
    moved = 0
    for ids in _candidates(session, query, member_ids):
        lock_members(session, principal, ids)
        rows = session.execute(query.where(Member.id.in_(ids))).all()
        moved += write_moves(session, tenant_id, [_to_move(rules, row) for row in rows])
    return moved


def _candidates(
    session: Session, query: Select[Any], member_ids: list[int] | None
) -> Iterator[list[int]]:
    """Ids of the members ``query`` selects, :data:`CHUNK` at a time in id order: read in
    rounds from the table when ``member_ids`` is None, else among those given."""
    ids_only = query.with_only_columns(Member.id).order_by(Member.id)
    if member_ids is not None:
        given = sorted(set(member_ids))
        for start in range(0, len(given), CHUNK):
            chunk = given[start : start + CHUNK]
            found = list(session.scalars(ids_only.where(Member.id.in_(chunk))))
            if found:
                yield found
        return
    after = 0
    while found := list(session.scalars(ids_only.where(Member.id > after).limit(CHUNK))):
        yield found
        after = found[-1]

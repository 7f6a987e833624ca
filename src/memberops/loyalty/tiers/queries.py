"""Reads of the tiers room for the API, the member detail, the export and the console: a
member's level and history, and members per level."""

from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from memberops.kernel.pagination import newest_first
from memberops.loyalty.tiers.models import MemberTier, TierChange
from memberops.loyalty.tiers.schemas import (
    Distribution,
    LevelCount,
    LevelRead,
    TierChangeRead,
)
from memberops.loyalty.tiers.service import ladder
from memberops.members.models import Member, MemberStatus
from memberops.tenancy.access import Principal, tenant_scope


def level_of(session: Session, principal: Principal, member_id: int) -> LevelRead:
    """The member's level with its dates and benefits (the first level, undated, when the
    member has no tier row or a code the ladder lost)."""
    rules = ladder(session, principal.tenant_id)
    row = session.scalar(
        tenant_scope(principal, MemberTier)
        .where(MemberTier.member_id == member_id)
        .execution_options(populate_existing=True)
    )
    level = None if row is None else rules.level(row.tier)
    if row is None or level is None:
        base = rules.levels[0]
        return LevelRead(
            code=base.code, name=base.name, since=None, period_ends_at=None, benefits=base.benefits
        )
    return LevelRead(
        code=level.code,
        name=level.name,
        since=row.since,
        period_ends_at=row.period_ends_at,
        benefits=level.benefits,
    )


def history(
    session: Session, principal: Principal, member_id: int, before_id: int | None, limit: int
) -> list[TierChange]:
    """The member's tier changes, newest first (by id), after the cursor."""
    query = tenant_scope(principal, TierChange).where(TierChange.member_id == member_id)
    return list(session.scalars(newest_first(query, TierChange.id, before_id, limit)))


def read_change(change: TierChange) -> TierChangeRead:
    return TierChangeRead(
        from_tier=change.from_tier,
        to_tier=change.to_tier,
        kind=change.kind,
        spend_365d=change.spend_365d_cents,
        orders_365d=change.orders_365d,
        changed_at=change.changed_at,
    )


def distribution(session: Session, principal: Principal) -> Distribution:
    """How many members (merged-away ones left out) hold each level, by one GROUP BY."""
    rules = ladder(session, principal.tenant_id)
    code = func.coalesce(MemberTier.tier, rules.levels[0].code)
    rows = session.execute(
        select(code, func.count())
        .select_from(Member)
        .outerjoin(
            MemberTier,
            and_(MemberTier.tenant_id == Member.tenant_id, MemberTier.member_id == Member.id),
        )
        .where(Member.tenant_id == principal.tenant_id, Member.status != MemberStatus.merged)
        .group_by(code)
    )
    counts: dict[str, int] = dict(rows.all())
    levels = [
        LevelCount(code=level.code, name=level.name, members=counts.get(level.code, 0))
        for level in rules.levels
    ]
    return Distribution(levels=levels, total=sum(counts.values()))


def tier_section(session: Session, principal: Principal, member_id: int) -> Any:
    """``tier`` in ``GET /members/{id}``: the level now with its dates and benefits."""
    return level_of(session, principal, member_id).model_dump(mode="json")


def tier_export(session: Session, principal: Principal, member_id: int) -> Any:
    """``tier`` in a member export: the level now and every change, oldest first."""
    changes = tenant_scope(principal, TierChange).where(TierChange.member_id == member_id)
    return {
        "level": tier_section(session, principal, member_id),
        "history": [
            read_change(c).model_dump(mode="json")
            for c in session.scalars(changes.order_by(TierChange.id))
        ],
    }

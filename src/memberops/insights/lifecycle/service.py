"""Computing lifecycle stages: one query gives every member's stage as of a moment; a refresh
writes the stages that changed, one ``stage_changes`` row and one ``StageChanged`` each.

The query reads kept orders (not wholly refunded) paid up to the moment and interest events
(favourite, cart, unpaid order) within the interest window, so a refund can move a member back
and an as-of date in the past gives that day's stages. ``reactivated``: the member's first
order of the active window came more than ``active_days`` after the order before it, so it
was dormant or churned when it bought again.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from memberops.activity.models import Event, EventType, Order, OrderStatus
from memberops.insights.lifecycle.events import StageChanged
from memberops.insights.lifecycle.models import MemberStage, Stage, StageChange
from memberops.insights.rules import LayeringRules
from memberops.insights.sql import DAY_SECONDS, epoch_seconds
from memberops.kernel import clock
from memberops.kernel.db import is_postgresql
from memberops.kernel.events import publish
from memberops.members.models import Member, MemberStatus
from memberops.tenancy.sections import load_section

#: Events that show interest without an order (seed 003's 兴趣客户).
INTEREST = (
    EventType.favorite_item,
    EventType.favorite_store,
    EventType.cart_add,
    EventType.order_placed,
)


@dataclass(frozen=True)
class StagesOutcome:
    """What a refresh did: rows written (a new stage or flag) and moves between stages."""

    changed: int
    moved: int


def _kept_orders(tenant_id: int, as_of: datetime) -> list[Any]:
    return [
        Order.tenant_id == tenant_id,
        Order.status != OrderStatus.refunded,
        Order.paid_at <= as_of,
    ]


def _order_figures(
    tenant_id: int, as_of: datetime, active_since: datetime, member_ids: list[int] | None
) -> Any:
    """First, last and first-within-the-active-window kept order per member (only the given
    members' orders are read when there are some: a live order recomputes one member)."""
    recent = case((Order.paid_at >= active_since, Order.paid_at))
    query = (
        select(
            Order.member_id,
            func.min(Order.paid_at).label("first_at"),
            func.max(Order.paid_at).label("last_at"),
            func.min(recent).label("first_recent_at"),
        )
        .where(*_kept_orders(tenant_id, as_of))
        .group_by(Order.member_id)
    )
    if member_ids is not None:
        query = query.where(Order.member_id.in_(member_ids))
    return query.subquery("figures")


def _interested(tenant_id: int, as_of: datetime, since: datetime) -> Any:
    return exists().where(
        Event.tenant_id == tenant_id,
        Event.member_id == Member.id,
        Event.type.in_([kind.value for kind in INTEREST]),
        Event.occurred_at >= since,
        Event.occurred_at <= as_of,
    )


def _reactivated(session: Session, tenant_id: int, as_of: datetime, figures: Any, gap: int) -> Any:
    before = aliased(Order)
    previous = (
        select(func.max(before.paid_at))
        .where(
            before.tenant_id == tenant_id,
            before.member_id == figures.c.member_id,
            before.status != OrderStatus.refunded,
            before.paid_at < figures.c.first_recent_at,
        )
        .scalar_subquery()
    )
    came_back = epoch_seconds(session, figures.c.first_recent_at) - epoch_seconds(session, previous)
    return case((came_back > gap, True), else_=False)


def stage_query(
    session: Session,
    tenant_id: int,
    as_of: datetime,
    rules: LayeringRules,
    member_ids: list[int] | None = None,
) -> Select[Any]:
    """(member_id, stage, reactivated) of the tenant's active members as of ``as_of``."""

    def since(days: int) -> datetime:
        return as_of - timedelta(days=days)

    figures = _order_figures(tenant_id, as_of, since(rules.active_days), member_ids)
    stage = case(
        (
            figures.c.first_at.is_(None),
            case(
                (_interested(tenant_id, as_of, since(rules.interest_days)), Stage.prospect.value),
                else_=Stage.unengaged.value,
            ),
        ),
        (figures.c.first_at >= since(rules.new_days), Stage.new.value),
        (figures.c.last_at >= since(rules.active_days), Stage.active.value),
        (figures.c.last_at >= since(rules.churn_days), Stage.dormant.value),
        else_=Stage.churned.value,
    )
    gap = rules.active_days * DAY_SECONDS
    query = (
        select(
            Member.id.label("member_id"),
            stage.label("stage"),
            _reactivated(session, tenant_id, as_of, figures, gap).label("reactivated"),
        )
        .outerjoin(figures, figures.c.member_id == Member.id)
        .where(Member.tenant_id == tenant_id, Member.status == MemberStatus.active)
    )
    if member_ids is not None:
        query = query.where(Member.id.in_(member_ids))
    return query


def _changes(session: Session, tenant_id: int, computed: Any) -> list[Any]:
    """The computed rows that differ from the stored ones, with the stored stage."""
    stored = aliased(MemberStage)
    query = (
        select(computed.c.member_id, stored.stage, computed.c.stage, computed.c.reactivated)
        .outerjoin(
            stored,
            and_(stored.tenant_id == tenant_id, stored.member_id == computed.c.member_id),
        )
        .where(
            (stored.stage.is_(None))
            | (stored.stage != computed.c.stage)
            | (stored.reactivated != computed.c.reactivated)
        )
        .order_by(computed.c.member_id)
    )
    return list(session.execute(query))


def _write(session: Session, tenant_id: int, changes: list[Any], now: datetime) -> None:
    """Upsert the changed stages (``since`` kept when only the flag moved) and log the moves."""
    moves = [
        {"tenant_id": tenant_id, "member_id": member_id, "from_stage": old, "to_stage": new}
        | {"changed_at": now}
        for member_id, old, new, _ in changes
        if old != new
    ]
    if moves:
        session.execute(insert(StageChange), moves)
    rows = [
        {"tenant_id": tenant_id, "member_id": member_id, "stage": new, "reactivated": flag}
        | {"since": now, "computed_at": now}
        for member_id, _, new, flag in changes
    ]
    dialect = postgresql if is_postgresql(session) else sqlite
    statement = dialect.insert(MemberStage)
    table = MemberStage.__table__
    kept_since = case((table.c.stage == statement.excluded.stage, table.c.since), else_=now)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["tenant_id", "member_id"],
            set_={
                "stage": statement.excluded.stage,
                "reactivated": statement.excluded.reactivated,
                "since": kept_since,
                "computed_at": statement.excluded.computed_at,
            },
        ),
        rows,
    )


def _forget_inactive(session: Session, tenant_id: int, member_ids: list[int] | None) -> None:
    """Drop the stages of members merged away or erased (they have none now)."""
    gone = select(Member.id).where(
        Member.tenant_id == tenant_id, Member.status != MemberStatus.active
    )
    target = delete(MemberStage).where(
        MemberStage.tenant_id == tenant_id, MemberStage.member_id.in_(gone)
    )
    if member_ids is not None:
        target = target.where(MemberStage.member_id.in_(member_ids))
    session.execute(target)


#: Members per targeted refresh: their ids appear in two IN lists of one statement.
SLICE = 1_000


def refresh_stages(
    session: Session,
    tenant_id: int,
    member_ids: list[int] | None = None,
    as_of: datetime | None = None,
) -> StagesOutcome:
    """Compute the stages of ``member_ids`` (the whole tenant when None; given ones in slices
    of :data:`SLICE`) as of ``as_of`` (now), store those that changed and publish
    ``StageChanged`` for each move; in the caller's transaction."""
    if member_ids is None or len(member_ids) <= SLICE:
        return _refresh(session, tenant_id, member_ids, as_of)
    ordered = sorted(set(member_ids))
    outcomes = [
        _refresh(session, tenant_id, ordered[start : start + SLICE], as_of)
        for start in range(0, len(ordered), SLICE)
    ]
    return StagesOutcome(sum(o.changed for o in outcomes), sum(o.moved for o in outcomes))


def _refresh(
    session: Session, tenant_id: int, member_ids: list[int] | None, as_of: datetime | None
) -> StagesOutcome:
    now = clock.now()
    rules = load_section(session, tenant_id, LayeringRules)
    computed = stage_query(session, tenant_id, as_of or now, rules, member_ids).subquery()
    changes = _changes(session, tenant_id, computed)
    _forget_inactive(session, tenant_id, member_ids)
    if changes:
        _write(session, tenant_id, changes, now)
    moved = 0
    for member_id, old, new, flag in changes:
        if old != new:
            moved += 1
            publish(session, StageChanged(tenant_id, member_id, old, Stage(new), flag))
    return StagesOutcome(changed=len(changes), moved=moved)


def stage_counts(session: Session, tenant_id: int) -> dict[Stage, tuple[int, int]]:
    """Members per stored stage and how many of them are reactivated."""
    flagged = func.sum(case((MemberStage.reactivated, 1), else_=0))
    query = (
        select(MemberStage.stage, func.count(), flagged)
        .where(MemberStage.tenant_id == tenant_id)
        .group_by(MemberStage.stage)
    )
    found = {Stage(stage): (int(n), int(r or 0)) for stage, n, r in session.execute(query)}
    return {stage: found.get(stage, (0, 0)) for stage in Stage}

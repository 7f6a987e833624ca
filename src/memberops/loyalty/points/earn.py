"""Earning on a paid order and taking it back on a refund.

Points for an order = floor(paid yuan × points_per_yuan × tier multiplier × member-day
multiplier × channel multiplier × the largest running campaign multiplier × the multipliers
rooms above register, such as a valid benefit card's (:func:`register_multiplier`), judged at
the order's ``paid_at``), then capped:
``max_points_per_order`` for the order, ``max_points_per_day`` for what the member's orders paid
on the same local day (tenant timezone) earned together. The member day and the campaigns are
judged on the order's ``paid_at``; the tier is the member's level as the order is recorded
(after tiers has re-evaluated it, so the qualifying order earns at its new level).

The first-order bonus is a separate ``bonus`` entry on the member's first earning order, outside
the caps (they limit multiplied earning; a fixed bonus is bounded by its own setting). A lot's
``earned_at`` is when the points were credited, not ``paid_at``: expiry counts from earning, and
an order synchronised late must not arrive with points already expired.

A refund brings the points reversed for its order to floor(earned × refunded / paid); the first
bonus is taken back too once the order is fully refunded (a bought-and-returned order is no first
purchase), and is not granted again. Points come from the order's own lots first (so the rest
keep their expiry), then oldest expiry first; what the lots cannot cover becomes debt.
"""

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_FLOOR, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from memberops.activity.models import Order
from memberops.kernel import clock
from memberops.loyalty.points import ledger
from memberops.loyalty.points.models import EntryKind, PointsAccount, PointsEntry
from memberops.loyalty.points.rules import EarnRules
from memberops.loyalty.tiers.service import current_level
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.sections import load_section

#: A member's further points multiplier at a moment (``paid_at``), beside the tier's.
Multiplier = Callable[[Session, Principal, int, datetime], Decimal]
_MULTIPLIERS: list[Multiplier] = []


def register_multiplier(source: Multiplier) -> None:
    """Multiply every order's points by ``source``'s figure too: how a room above points (the
    benefit cards) adds a multiplier without points importing it. Registering twice is
    harmless."""
    if source not in _MULTIPLIERS:
        _MULTIPLIERS.append(source)


def _member_multiplier(session: Session, principal: Principal, order: Order) -> Decimal:
    """The tier's multiplier times every registered one, for the order's member."""
    multiplier = current_level(session, principal, order.member_id).benefits.points_multiplier
    for source in _MULTIPLIERS:
        multiplier *= source(session, principal, order.member_id, order.paid_at)
    return multiplier


def order_points(order: Order, rules: EarnRules, tier_multiplier: Decimal, timezone: str) -> int:
    """The order's points before caps (see the module docstring)."""
    local_day = order.paid_at.astimezone(ZoneInfo(timezone)).day
    member_day = rules.member_day_multiplier if local_day == rules.member_day else Decimal(1)
    channel = rules.channel_multipliers.get(order.channel, Decimal(1))
    running = [c.multiplier for c in rules.campaigns if c.applies(order.paid_at, order.channel)]
    campaign = max(running, default=Decimal(1))
    yuan = Decimal(order.amount_cents) / 100
    exact = yuan * rules.points_per_yuan * tier_multiplier * member_day * channel * campaign
    return int(exact.to_integral_value(rounding=ROUND_FLOOR))


def _local_day_bounds(moment: datetime, timezone: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(timezone)
    day = moment.astimezone(zone).date()
    start, end = (datetime.combine(d, time(), zone) for d in (day, day + timedelta(days=1)))
    return start.astimezone(UTC), end.astimezone(UTC)


def _earned_that_day(session: Session, principal: Principal, order: Order) -> int:
    """What the member's orders paid on ``order``'s local day have earned so far."""
    start, end = _local_day_bounds(order.paid_at, principal.timezone)
    query = (
        select(func.coalesce(func.sum(PointsEntry.points), 0))
        .join(Order, Order.id == PointsEntry.order_id)
        .where(
            PointsEntry.tenant_id == principal.tenant_id,
            PointsEntry.member_id == order.member_id,
            PointsEntry.kind == EntryKind.earn,
            Order.paid_at >= start,
            Order.paid_at < end,
        )
    )
    return int(session.scalar(query) or 0)


def _capped(
    session: Session, principal: Principal, order: Order, rules: EarnRules, points: int
) -> int:
    if rules.max_points_per_order is not None:
        points = min(points, rules.max_points_per_order)
    if rules.max_points_per_day is not None:
        left = rules.max_points_per_day - _earned_that_day(session, principal, order)
        points = min(points, max(left, 0))
    return points


def _has_earned(session: Session, principal: Principal, member_id: int) -> bool:
    query = select(PointsEntry.id).where(
        PointsEntry.tenant_id == principal.tenant_id,
        PointsEntry.member_id == member_id,
        PointsEntry.kind == EntryKind.earn,
    )
    return session.scalar(query.limit(1)) is not None


def _get_order(session: Session, principal: Principal, order_id: int) -> Order:
    return session.scalars(tenant_scope(principal, Order).where(Order.id == order_id)).one()


def earn_for_order(session: Session, principal: Principal, order_id: int) -> int:
    """Credit a newly paid order's points (and the first-order bonus); returns the points
    credited. Happens once per order (``earn:order:{id}``)."""
    order = _get_order(session, principal, order_id)
    ledger.lock_account(session, principal, order.member_id)
    if ledger.dedupe_used(session, principal, f"earn:order:{order.id}"):
        return 0
    rules = load_section(session, principal.tenant_id, EarnRules)
    multiplier = _member_multiplier(session, principal, order)
    first = not _has_earned(session, principal, order.member_id)
    points = _capped(
        session, principal, order, rules, order_points(order, rules, multiplier, principal.timezone)
    )
    credited = 0
    if points > 0:
        key = f"earn:order:{order.id}"
        credited += _credit(session, principal, order, EntryKind.earn, points, rules, key)
    if first and points > 0 and rules.first_order_bonus > 0:
        bonus, key = rules.first_order_bonus, f"bonus:first-order:{order.member_id}"
        credited += _credit(session, principal, order, EntryKind.bonus, bonus, rules, key)
    return credited


def _credit(
    session: Session,
    principal: Principal,
    order: Order,
    kind: EntryKind,
    points: int,
    rules: EarnRules,
    dedupe_key: str,
) -> int:
    entry = ledger.post_once(
        session,
        principal,
        order.member_id,
        kind,
        points,
        dedupe_key=dedupe_key,
        order_id=order.id,
        reference=f"order:{order.external_id}",
        reason="first order" if kind is EntryKind.bonus else None,
    )
    if entry is None:
        return 0
    ledger.add_lot(session, principal, entry, rules.expiry_months, order.id)
    return points


def _sum_for_order(session: Session, principal: Principal, order_id: int, kind: EntryKind) -> int:
    query = select(func.coalesce(func.sum(PointsEntry.points), 0)).where(
        PointsEntry.tenant_id == principal.tenant_id,
        PointsEntry.order_id == order_id,
        PointsEntry.kind == kind,
    )
    return int(session.scalar(query) or 0)


def reversal_due(session: Session, principal: Principal, order: Order) -> int:
    """How many more points the order's refunds take back (see the module docstring)."""
    if order.amount_cents <= 0:
        return 0
    earned = _sum_for_order(session, principal, order.id, EntryKind.earn)
    target = earned * order.refunded_cents // order.amount_cents
    if order.refunded_cents >= order.amount_cents:
        target += _sum_for_order(session, principal, order.id, EntryKind.bonus)
    reversed_so_far = -_sum_for_order(session, principal, order.id, EntryKind.reverse)
    return target - reversed_so_far


def reverse_for_refund(
    session: Session, principal: Principal, order_id: int, refund_id: int
) -> int:
    """Take back what a refund of the order reverses; returns the points taken back. Happens
    once per refund (``reverse:refund:{id}``)."""
    order = _get_order(session, principal, order_id)
    ledger.lock_account(session, principal, order.member_id)
    ledger.expire_member(session, principal, order.member_id)
    points = reversal_due(session, principal, order)
    if points <= 0:
        return 0
    entry = ledger.post_once(
        session,
        principal,
        order.member_id,
        EntryKind.reverse,
        -points,
        dedupe_key=f"reverse:refund:{refund_id}",
        order_id=order.id,
        reference=f"order:{order.external_id}",
        reason="refund",
    )
    if entry is None:
        return 0
    short = points - ledger.take_from_lots(session, principal, order.member_id, points, order.id)
    if short:
        session.execute(
            update(PointsAccount)
            .where(
                PointsAccount.tenant_id == principal.tenant_id,
                PointsAccount.member_id == order.member_id,
            )
            .values(debt=PointsAccount.debt + short, updated_at=clock.now())
            .execution_options(synchronize_session=False)
        )
    return points

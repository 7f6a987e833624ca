"""Reads: a member's points (balance, lots, history) and the tenant's points liability."""

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, String, and_, cast, func, literal, select, union_all
from sqlalchemy.orm import Session

from memberops.activity.models import Order
from memberops.kernel import clock
from memberops.kernel.db import UTCDateTime
from memberops.kernel.pagination import cut_page, newest_first
from memberops.loyalty.points import ledger
from memberops.loyalty.points.expiry import expire_due, expiring_soon
from memberops.loyalty.points.models import PointsAccount, PointsEntry, PointsLot
from memberops.loyalty.points.rules import EarnRules
from memberops.loyalty.points.schemas import (
    LiabilityMonth,
    LiabilityRead,
    LotRead,
    PointsRead,
)
from memberops.loyalty.points.service import points_value_cents, read_entry
from memberops.members.service import get_member
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.sections import load_section

#: Spendable lots shown with a member's points (a year of daily orders fits).
LOTS_SHOWN = 500


def _lots(session: Session, principal: Principal, member_id: int) -> list[LotRead]:
    query = tenant_scope(principal, PointsLot).where(
        PointsLot.member_id == member_id,
        PointsLot.remaining > 0,
        PointsLot.expires_at > clock.now(),
    )
    lots = session.scalars(query.order_by(PointsLot.expires_at, PointsLot.id).limit(LOTS_SHOWN))
    return [
        LotRead(
            id=str(lot.id),
            points=lot.points,
            remaining=lot.remaining,
            earned_at=lot.earned_at,
            expires_at=lot.expires_at,
        )
        for lot in lots
    ]


def read_points(
    session: Session, principal: Principal, member_id: int, before_id: int | None, limit: int
) -> PointsRead:
    """The member's points now. Due lots are expired first (the one write a read makes, only
    when a lot is due), so the balance shown is the sum of the ledger and all of it spendable."""
    get_member(session, principal, member_id)
    expire_due(session, principal, [member_id])
    account = session.scalar(
        tenant_scope(principal, PointsAccount).where(PointsAccount.member_id == member_id)
    )
    query = (
        select(PointsEntry, Order.external_id)
        .outerjoin(Order, Order.id == PointsEntry.order_id)
        .where(PointsEntry.tenant_id == principal.tenant_id, PointsEntry.member_id == member_id)
    )
    rows = list(session.execute(newest_first(query, PointsEntry.id, before_id, limit + 1)))
    page = cut_page([entry for entry, _ in rows], limit)
    orders = {entry.id: external_id for entry, external_id in rows}
    rules = load_section(session, principal.tenant_id, EarnRules)
    return PointsRead(
        member_id=str(member_id),
        balance=account.balance if account else 0,
        debt=account.debt if account else 0,
        expiring_soon=expiring_soon(session, principal, member_id, rules.expiring_soon_days),
        lots=_lots(session, principal, member_id),
        history=[read_entry(entry, orders[entry.id]) for entry in page.items],
        next_cursor=page.next_cursor,
    )


def points_section(session: Session, principal: Principal, member_id: int) -> Any:
    """``points`` in ``GET /members/{id}``: the balance (due lots expired first, as in
    :func:`read_points`) and what expires within the rules' ``expiring_soon_days`` (as days,
    not an instant, so the section does not change with the clock alone)."""
    expire_due(session, principal, [member_id])
    rules = load_section(session, principal.tenant_id, EarnRules)
    soon = expiring_soon(session, principal, member_id, rules.expiring_soon_days)
    balance = ledger.balance_of(session, principal, member_id)
    expiring = soon.model_dump(mode="json", exclude={"until"})
    return {"balance": balance, "expiring_soon": {**expiring, "days": rules.expiring_soon_days}}


def points_export(session: Session, principal: Principal, member_id: int) -> Any:
    """``points`` of a member export: the balance and every entry, oldest first."""
    query = (
        select(PointsEntry, Order.external_id)
        .outerjoin(Order, Order.id == PointsEntry.order_id)
        .where(PointsEntry.tenant_id == principal.tenant_id, PointsEntry.member_id == member_id)
    )
    entries = [
        read_entry(entry, external_id).model_dump(mode="json")
        for entry, external_id in session.execute(query.order_by(PointsEntry.id))
    ]
    return {"balance": ledger.balance_of(session, principal, member_id), "entries": entries}


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_table(first: date, last: date, timezone: str) -> Any:
    """``(n, month, start, end)`` rows, one per local month from ``first``'s to ``last``'s, with
    bounds as UTC instants: a derived table of literal rows (SQLite has no time zones, so the
    boundaries are computed here and the grouping stays in SQL)."""
    zone = ZoneInfo(timezone)
    starts = [first.replace(day=1)]
    while starts[-1] < last.replace(day=1):
        starts.append(_next_month(starts[-1]))
    bounds = [
        datetime.combine(d, time(), zone).astimezone(UTC)
        for d in [*starts, _next_month(starts[-1])]
    ]
    rows = [
        select(
            cast(literal(n), Integer).label("n"),
            cast(literal(d.strftime("%Y-%m")), String).label("month"),
            literal(bounds[n], UTCDateTime()).label("start"),
            literal(bounds[n + 1], UTCDateTime()).label("end"),
        )
        for n, d in enumerate(starts)
    ]
    return union_all(*rows).subquery("months")


def liability(session: Session, principal: Principal) -> LiabilityRead:
    """Outstanding points (what unexpired lots hold), their worth at checkout, by local month
    of expiry, and the debts refunds left (owed to the merchant, not by it), as of now."""
    now = clock.now()
    rules = load_section(session, principal.tenant_id, EarnRules)
    unexpired = and_(
        PointsLot.tenant_id == principal.tenant_id,
        PointsLot.remaining > 0,
        PointsLot.expires_at > now,
    )
    last = session.scalar(select(func.max(PointsLot.expires_at)).where(unexpired))
    debt = session.scalar(
        select(func.coalesce(func.sum(PointsAccount.debt), 0)).where(
            PointsAccount.tenant_id == principal.tenant_id
        )
    )
    months: list[LiabilityMonth] = []
    if last is not None:
        zone = ZoneInfo(principal.timezone)
        table = month_table(
            now.astimezone(zone).date(), last.astimezone(zone).date(), principal.timezone
        )
        query = (
            select(table.c.month, func.sum(PointsLot.remaining))
            .join(
                PointsLot,
                and_(PointsLot.expires_at >= table.c.start, PointsLot.expires_at < table.c.end),
            )
            .where(unexpired)
            .group_by(table.c.n, table.c.month)
            .order_by(table.c.n)
        )
        months = [
            LiabilityMonth(
                month=month, points=int(points), value=points_value_cents(int(points), rules)
            )
            for month, points in session.execute(query)
        ]
    total = sum(m.points for m in months)
    return LiabilityRead(
        as_of=now,
        points=total,
        value=points_value_cents(total, rules),
        debt_points=int(debt or 0),
        points_per_yuan_redeemed=rules.points_per_yuan_redeemed,
        by_expiry_month=months,
    )

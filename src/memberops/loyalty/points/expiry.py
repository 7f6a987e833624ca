"""Expiry: the job that expires due lots, the reminder of points about to expire, and who has
points expiring soon.

A lot expires ``expiry_months`` calendar months after its points were credited; its remaining
points leave the balance through one ``expire`` entry (``expire:lot:{id}``, so never twice).
Every spending verb also expires the member's due lots first, so points past their expiry are
never spendable even when the job is late.

The reminder (:func:`remind_expiring`, in the daily job) publishes one ``PointsExpiring`` per
member and local day of expiry within the rules' ``expiry_reminder_days``: whole local days,
so a day's lots are all in the window from the first run that sees the day.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.events import publish
from memberops.loyalty.points import ledger
from memberops.loyalty.points.events import PointsExpiring
from memberops.loyalty.points.models import PointsLot
from memberops.loyalty.points.schemas import ExpiringSoon
from memberops.tenancy.access import Principal, local_today


def expire_due(session: Session, principal: Principal, member_ids: list[int] | None = None) -> int:
    """Expire every due lot of the tenant (or of ``member_ids``); returns the points expired.
    Members are taken in id order (the lock order), one account lock at a time."""
    query = select(PointsLot.member_id).where(
        PointsLot.tenant_id == principal.tenant_id,
        PointsLot.remaining > 0,
        PointsLot.expires_at <= clock.now(),
    )
    if member_ids is not None:
        query = query.where(PointsLot.member_id.in_(member_ids))
    expired = 0
    for member_id in session.scalars(query.distinct().order_by(PointsLot.member_id)).all():
        ledger.lock_account(session, principal, member_id)
        expired += ledger.expire_member(session, principal, member_id)
    return expired


def _unexpired_before(principal: Principal, until: datetime) -> list[ColumnElement[bool]]:
    return [
        PointsLot.tenant_id == principal.tenant_id,
        PointsLot.remaining > 0,
        PointsLot.expires_at > clock.now(),
        PointsLot.expires_at <= until,
    ]


def expiring_soon(
    session: Session, principal: Principal, member_id: int, days: int
) -> ExpiringSoon:
    """The member's points expiring within ``days`` and when the first of them do."""
    until = clock.now() + timedelta(days=days)
    query = select(func.coalesce(func.sum(PointsLot.remaining), 0), func.min(PointsLot.expires_at))
    points, first = session.execute(
        query.where(*_unexpired_before(principal, until), PointsLot.member_id == member_id)
    ).one()
    return ExpiringSoon(points=int(points), until=until, first_expires_at=first)


@dataclass(frozen=True)
class Expiring:
    """A member with points expiring soon; ``id`` is the member's (the page key)."""

    id: int
    points: int
    first_expires_at: datetime


def expiring(
    session: Session, principal: Principal, days: int, after_member: int | None, limit: int
) -> tuple[datetime, list[Expiring]]:
    """Members with points expiring within ``days``, by member id after ``after_member``:
    the horizon and up to ``limit`` members."""
    until = clock.now() + timedelta(days=days)
    query = select(
        PointsLot.member_id, func.sum(PointsLot.remaining), func.min(PointsLot.expires_at)
    ).where(*_unexpired_before(principal, until))
    if after_member is not None:
        query = query.where(PointsLot.member_id > after_member)
    rows = session.execute(
        query.group_by(PointsLot.member_id).order_by(PointsLot.member_id).limit(limit)
    )
    return until, [Expiring(member, int(points), first) for member, points, first in rows]


def remind_expiring(session: Session, principal: Principal, days: int) -> int:
    """Publish ``PointsExpiring`` for each member and local day of expiry from today through
    ``days`` days ahead (the tenant's timezone) with unexpired points; how many were published.
    Members are taken in id order, each member's days in order."""
    zone = ZoneInfo(principal.timezone)
    last_day = local_today(principal) + timedelta(days=days)
    until = datetime.combine(last_day + timedelta(days=1), time(), zone)
    rows = session.execute(
        select(PointsLot.member_id, PointsLot.remaining, PointsLot.expires_at)
        .where(*_unexpired_before(principal, until), PointsLot.expires_at < until)
        .order_by(PointsLot.member_id, PointsLot.expires_at, PointsLot.id)
    ).all()
    found: dict[tuple[int, date], tuple[int, datetime]] = {}
    for member_id, remaining, expires_at in rows:
        day = expires_at.astimezone(zone).date()
        points, first = found.get((member_id, day), (0, expires_at))
        found[member_id, day] = (points + remaining, first)
    for (member_id, day), (points, first) in found.items():
        event = PointsExpiring(principal.tenant_id, member_id, points, first, day)
        publish(session, event)
    return len(found)

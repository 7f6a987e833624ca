"""Verbs of the check-in room: check a member in for today (in the tenant's timezone), read
their standing and the month's calendar, and the member-detail section.

One check-in per member and local day: the member row is locked first (``lock_members``, the
one lock order: members → points_accounts → coupon_templates → coupons), so two concurrent
check-ins of a member run one after the other and the second answers the first's row; the
unique key (tenant, member, local_date) backs that up. Rewards are granted with dedupe keys
naming the member and the day, so they too happen once. Callers own the transaction.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.errors import Conflict
from memberops.kernel.events import publish
from memberops.loyalty.checkin.errors import CheckInDisabled
from memberops.loyalty.checkin.events import CheckedIn
from memberops.loyalty.checkin.models import CheckIn
from memberops.loyalty.checkin.rules import CheckInRules
from memberops.loyalty.checkin.schemas import CheckInDay, CheckInRead, CheckInStatus
from memberops.loyalty.coupons import service as coupons
from memberops.loyalty.coupons.errors import TemplateNotFound
from memberops.loyalty.coupons.models import Coupon, CouponSource
from memberops.loyalty.coupons.templates import NamedTemplate, require_templates
from memberops.loyalty.points import service as points
from memberops.members.service import get_member, lock_members, refuse_inactive
from memberops.tenancy.access import Principal, local_today, tenant_scope
from memberops.tenancy.sections import load_section, save_section


def _on(session: Session, principal: Principal, member_id: int, day: date) -> CheckIn | None:
    return session.scalar(
        tenant_scope(principal, CheckIn).where(
            CheckIn.member_id == member_id, CheckIn.local_date == day
        )
    )


def _coupon_codes(session: Session, principal: Principal, rows: list[CheckIn]) -> dict[int, str]:
    ids = [row.coupon_id for row in rows if row.coupon_id is not None]
    if not ids:
        return {}
    query = select(Coupon.id, Coupon.code).where(
        Coupon.tenant_id == principal.tenant_id, Coupon.id.in_(ids)
    )
    return {coupon_id: code for coupon_id, code in session.execute(query)}  # noqa: C416


def _read(session: Session, principal: Principal, row: CheckIn, created: bool) -> CheckInRead:
    codes = _coupon_codes(session, principal, [row])
    return CheckInRead(
        member_id=str(row.member_id),
        local_date=row.local_date,
        streak=row.streak,
        points=row.points,
        coupon_code=codes.get(row.coupon_id) if row.coupon_id else None,
        checked_in_at=row.checked_in_at,
        created=created,
    )


def _issue_coupon(
    session: Session, principal: Principal, member_id: int, template_id: int, key: str
) -> Coupon | None:
    """The day's coupon, or None when its template cannot issue now (out of stock, inactive,
    ended, limit reached): the check-in still counts and earns its points. A savepoint undoes
    whatever the refused issue had written."""
    try:
        with session.begin_nested():
            return coupons.issue_coupon(
                session,
                principal,
                member_id,
                template_id,
                source=CouponSource.check_in,
                dedupe_key=key,
            )
    except (Conflict, TemplateNotFound):
        return None


def check_in(session: Session, principal: Principal, member_id: int) -> CheckInRead:
    """Check the member in for today (local): a new row with its streak and rewards
    (``created`` true), or today's existing row again (``created`` false)."""
    (member,) = lock_members(session, principal, [member_id])
    refuse_inactive(member, "check that member in instead")
    rules = load_section(session, principal.tenant_id, CheckInRules)
    if not rules.enabled:
        raise CheckInDisabled("Check-in is switched off for this tenant.")
    today = local_today(principal)
    existing = _on(session, principal, member_id, today)
    if existing is not None:
        return _read(session, principal, existing, created=False)
    yesterday = _on(session, principal, member_id, today - timedelta(days=1))
    streak = 1 if yesterday is None else yesterday.streak + 1
    row = CheckIn(
        tenant_id=principal.tenant_id,
        member_id=member_id,
        local_date=today,
        streak=streak,
        points=0,
        checked_in_at=clock.now(),
    )
    reward = rules.reward_for(streak)
    key = f"checkin:{member_id}:{today.isoformat()}"
    if reward is not None and reward.points > 0:
        # None would mean the key had already granted them: either way they are granted once.
        points.grant_bonus(
            session, principal, member_id, reward.points, dedupe_key=key, reason="check_in"
        )
        row.points = reward.points
    if reward is not None and reward.coupon_template_id is not None:
        coupon = _issue_coupon(session, principal, member_id, reward.coupon_template_id, key)
        row.coupon_id = None if coupon is None else coupon.id
    session.add(row)
    session.flush()
    publish(session, CheckedIn(principal.tenant_id, member_id, today, streak))
    return _read(session, principal, row, created=True)


def _last(session: Session, principal: Principal, member_id: int) -> CheckIn | None:
    query = tenant_scope(principal, CheckIn).where(CheckIn.member_id == member_id)
    return session.scalar(query.order_by(CheckIn.local_date.desc()).limit(1))


def current_streak(last: CheckIn | None, today: date) -> int:
    """The streak still alive today: the last check-in's, unless it is before yesterday."""
    if last is None or last.local_date < today - timedelta(days=1):
        return 0
    return last.streak


def month_bounds(month: str | None, today: date) -> tuple[date, date]:
    """[first day, first day of the next month) of ``month`` (YYYY-MM; today's when None)."""
    first = today.replace(day=1) if month is None else date.fromisoformat(f"{month}-01")
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following


def check_in_status(
    session: Session, principal: Principal, member_id: int, month: str | None = None
) -> CheckInStatus:
    """The member's streak today, whether they checked in today, what the next check-in
    earns, and the check-ins of ``month`` (YYYY-MM, this local month when None)."""
    get_member(session, principal, member_id)
    today = local_today(principal)
    last = _last(session, principal, member_id)
    streak = current_streak(last, today)
    first, following = month_bounds(month, today)
    rows = list(
        session.scalars(
            tenant_scope(principal, CheckIn)
            .where(
                CheckIn.member_id == member_id,
                CheckIn.local_date >= first,
                CheckIn.local_date < following,
            )
            .order_by(CheckIn.local_date)
        )
    )
    codes = _coupon_codes(session, principal, rows)
    rules = load_section(session, principal.tenant_id, CheckInRules)
    return CheckInStatus(
        member_id=str(member_id),
        today=today,
        streak=streak,
        last_date=None if last is None else last.local_date,
        checked_in_today=last is not None and last.local_date == today,
        next_reward=rules.reward_for(streak + 1) if rules.enabled else None,
        month=first.strftime("%Y-%m"),
        days=[
            CheckInDay(
                local_date=row.local_date,
                streak=row.streak,
                points=row.points,
                coupon_code=codes.get(row.coupon_id) if row.coupon_id else None,
            )
            for row in rows
        ],
    )


def check_in_section(session: Session, principal: Principal, member_id: int) -> Any:
    """``check_in`` of ``GET /members/{id}``: the live streak and the last check-in's day;
    None for a member who never checked in."""
    last = _last(session, principal, member_id)
    if last is None:
        return None
    today = local_today(principal)
    return {
        "streak": current_streak(last, today),
        "last_date": last.local_date.isoformat(),
        "checked_in_today": last.local_date == today,
    }


def check_ins_export(session: Session, principal: Principal, member_id: int) -> Any:
    """``check_ins`` of a member's data export: every check-in, oldest first."""
    query = tenant_scope(principal, CheckIn).where(CheckIn.member_id == member_id)
    rows = list(session.scalars(query.order_by(CheckIn.local_date)))
    codes = _coupon_codes(session, principal, rows)
    return [
        {
            "local_date": row.local_date.isoformat(),
            "streak": row.streak,
            "points": row.points,
            "coupon_code": codes.get(row.coupon_id) if row.coupon_id else None,
            "checked_in_at": row.checked_in_at.isoformat(),
        }
        for row in rows
    ]


def save_rules(session: Session, principal: Principal, rules: CheckInRules) -> CheckInRules:
    """Store the tenant's check-in rules (audited) once every coupon they name exists."""
    named: list[NamedTemplate] = [
        (("schedule", i, "coupon_template_id"), reward.coupon_template_id)
        for i, reward in enumerate(rules.schedule)
        if reward.coupon_template_id is not None
    ]
    require_templates(session, principal, named)
    return save_section(session, principal, rules)

"""Entries no event announces — birthdays, inactivity, points about to expire, a crowd's members,
the monthly member day, a fixed date, a cart left without a purchase — found by a worker pass,
one set-based ``INSERT … SELECT`` per journey (``entry``).

Each active journey with such a trigger is checked at most every :data:`CHECK_EVERY`, so a
birthday at 09:00 enters its members within that much after 09:00 local time. The occurrence
each selects — the birthday's year, the last activity's time, the soonest expiry, ``crowd`` —
is the entry key of an ``every_time`` journey, so a pass repeated the same day enters nobody
twice, and a member who lapses again (or earns points that expire later) enters again.
"""

import logging
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter
from sqlalchemy import Select, String, and_, case, cast, func, literal, or_, select, update
from sqlalchemy.orm import Session

from memberops.activity.models import Event, EventType, MemberStats, Order
from memberops.conditions.compiler import compile_condition, parse_condition
from memberops.crowds.service import get_crowd, member_ids
from memberops.journeys.definition import (
    SCHEDULED,
    BirthdayTrigger,
    CartTrigger,
    CrowdTrigger,
    FixedDateTrigger,
    InactiveTrigger,
    MemberDayTrigger,
    PointsExpiringTrigger,
    Trigger,
)
from memberops.journeys.entry import enter_selected
from memberops.journeys.models import Journey, JourneyStatus
from memberops.journeys.service import get_version
from memberops.kernel.errors import DomainError
from memberops.loyalty.perks.service import birthday_days
from memberops.loyalty.points.models import PointsLot
from memberops.loyalty.points.rules import EarnRules
from memberops.members.models import Member, MemberStatus
from memberops.tenancy import service as tenancy
from memberops.tenancy.access import Principal
from memberops.tenancy.models import Role, Tenant
from memberops.tenancy.sections import load_section

log = logging.getLogger("memberops.journeys")
Entrants = Select[int, str]
#: How often one journey's scheduled trigger is checked.
CHECK_EVERY = timedelta(minutes=15)
#: How long after its moment a fixed date or an abandoned cart is still entered (a worker that
#: was down catches up; an old cart or a past date never enters anyone at activation).
CATCH_UP = timedelta(days=1)
_TRIGGER: TypeAdapter[Any] = TypeAdapter(Trigger)


def _active(principal: Principal) -> Any:
    return and_(Member.tenant_id == principal.tenant_id, Member.status == MemberStatus.active)


def birthdays(principal: Principal, trigger: BirthdayTrigger, now: datetime) -> Entrants | None:
    """Members whose birthday is ``days_before`` days ahead, once it is ``at`` locally."""
    local = now.astimezone(ZoneInfo(principal.timezone))
    if local.time() < trigger.at:
        return None
    day = local.date() + timedelta(days=trigger.days_before)
    on_day = [
        and_(func.extract("month", Member.birthday) == m, func.extract("day", Member.birthday) == d)
        for m, d in birthday_days(day)
    ]
    occurrence = literal(f"birthday:{day.year}")
    return select(Member.id, occurrence).where(_active(principal), or_(*on_day))


def inactive(principal: Principal, trigger: InactiveTrigger, now: datetime) -> Entrants:
    """Members with an order or a visit once, and none in the last ``days`` days."""
    cutoff = now - timedelta(days=trigger.days)
    order, visit = MemberStats.last_order_at, MemberStats.last_visit_at
    last = case(
        (visit.is_(None), order), (order.is_(None), visit), (order > visit, order), else_=visit
    )
    occurrence = literal("inactive:") + cast(last, String)
    return (
        select(MemberStats.member_id, occurrence)
        .join(
            Member,
            and_(Member.tenant_id == MemberStats.tenant_id, Member.id == MemberStats.member_id),
        )
        .where(_active(principal), MemberStats.tenant_id == principal.tenant_id)
        .where(or_(order.is_not(None), visit.is_not(None)))
        .where(or_(order.is_(None), order <= cutoff), or_(visit.is_(None), visit <= cutoff))
    )


def expiring(principal: Principal, trigger: PointsExpiringTrigger, now: datetime) -> Entrants:
    """Members with points left in a lot that expires within ``within_days`` days."""
    until = now + timedelta(days=trigger.within_days)
    occurrence = literal("expiring:") + cast(func.min(PointsLot.expires_at), String)
    return (
        select(PointsLot.member_id, occurrence)
        .join(
            Member, and_(Member.tenant_id == PointsLot.tenant_id, Member.id == PointsLot.member_id)
        )
        .where(_active(principal), PointsLot.tenant_id == principal.tenant_id)
        .where(PointsLot.remaining > 0, PointsLot.expires_at > now, PointsLot.expires_at <= until)
        .group_by(PointsLot.member_id)
    )


def in_crowd(session: Session, principal: Principal, trigger: CrowdTrigger) -> Entrants:
    """The crowd's members now."""
    crowd = get_crowd(session, principal, trigger.crowd_id)
    return member_ids(session, principal, crowd).add_columns(literal("crowd"))


def _holding(
    session: Session, principal: Principal, condition: dict[str, Any] | None, now: datetime
) -> Select[int]:
    """The active members the condition holds for now (all active members without one)."""
    if condition is None:
        return select(Member.id).where(_active(principal))
    parsed = parse_condition(condition, at=("trigger", "condition"))
    return compile_condition(session, principal.tenant_id, parsed, as_of=now)


def member_day(
    session: Session, principal: Principal, trigger: MemberDayTrigger, now: datetime
) -> Entrants | None:
    """On the member day (the trigger's, or the tenant's ``member_day``), from ``at`` locally
    to the day's end: the members the condition holds for, once per month."""
    day = trigger.day or load_section(session, principal.tenant_id, EarnRules).member_day
    local = now.astimezone(ZoneInfo(principal.timezone))
    if day is None or local.day != day or local.time() < trigger.at:
        return None
    occurrence = literal(f"member_day:{local:%Y-%m}")
    return _holding(session, principal, trigger.condition, now).add_columns(occurrence)


def fixed_date(
    session: Session, principal: Principal, trigger: FixedDateTrigger, now: datetime
) -> Entrants | None:
    """From ``at`` (local) for :data:`CATCH_UP`: the members the condition holds for."""
    moment = trigger.at.replace(tzinfo=ZoneInfo(principal.timezone))
    if not moment <= now < moment + CATCH_UP:
        return None
    occurrence = literal(f"date:{trigger.at.isoformat()}")
    return _holding(session, principal, trigger.condition, now).add_columns(occurrence)


def abandoned_carts(principal: Principal, trigger: CartTrigger, now: datetime) -> Entrants:
    """Members whose latest cart add (of the last ``hours`` + :data:`CATCH_UP`) is ``hours``
    old or older, with no order paid since it: one occurrence per latest cart add."""
    due = now - timedelta(hours=trigger.hours)
    latest = (
        select(Event.member_id, func.max(Event.occurred_at).label("at"))
        .where(Event.tenant_id == principal.tenant_id, Event.type == EventType.cart_add)
        .where(Event.occurred_at > due - CATCH_UP)
        .group_by(Event.member_id)
        .subquery("carts")
    )
    bought = (
        select(Order.id)
        .where(Order.tenant_id == principal.tenant_id, Order.member_id == latest.c.member_id)
        .where(Order.paid_at >= latest.c.at)
        .exists()
    )
    occurrence = literal("cart:") + cast(latest.c.at, String)
    return (
        select(latest.c.member_id, occurrence)
        .join(
            Member, and_(Member.tenant_id == principal.tenant_id, Member.id == latest.c.member_id)
        )
        .where(Member.status == MemberStatus.active, latest.c.at <= due, ~bought)
    )


def entrants(
    session: Session, principal: Principal, trigger: Any, now: datetime
) -> Entrants | None:
    if isinstance(trigger, MemberDayTrigger):
        return member_day(session, principal, trigger, now)
    if isinstance(trigger, FixedDateTrigger):
        return fixed_date(session, principal, trigger, now)
    if isinstance(trigger, CartTrigger):
        return abandoned_carts(principal, trigger, now)
    if isinstance(trigger, BirthdayTrigger):
        return birthdays(principal, trigger, now)
    if isinstance(trigger, InactiveTrigger):
        return inactive(principal, trigger, now)
    if isinstance(trigger, PointsExpiringTrigger):
        return expiring(principal, trigger, now)
    assert isinstance(trigger, CrowdTrigger)
    return in_crowd(session, principal, trigger)


def due_journeys(session: Session, now: datetime) -> list[tuple[int, int]]:
    """(journey, tenant) of the active scheduled journeys not checked for ``CHECK_EVERY``."""
    query = (
        select(Journey.id, Journey.tenant_id)
        .where(Journey.status == JourneyStatus.active, Journey.trigger_type.in_(SCHEDULED))
        .where(_stale(now))
        .order_by(Journey.id)
    )
    return [(j, t) for j, t in session.execute(query)]


def _stale(now: datetime) -> Any:
    checked = Journey.entries_checked_at
    return or_(checked.is_(None), checked <= now - CHECK_EVERY)


def check(session: Session, journey_id: int, tenant_id: int, now: datetime) -> int:
    """Enter the journey's members now selected, in the caller's transaction (one per journey:
    ``jobs.enter_scheduled``); how many. A journey another worker just checked is left alone;
    one whose check fails (its crowd was deleted) is tried again at its next check."""
    claimed = session.scalar(
        update(Journey)
        .where(Journey.id == journey_id, Journey.status == JourneyStatus.active, _stale(now))
        .values(entries_checked_at=now)
        .returning(Journey.id)
    )
    if claimed is None:
        return 0
    journey = session.get_one(Journey, journey_id)
    tenant = session.get_one(Tenant, tenant_id)
    principal = tenancy.principal_for(tenant, Role.admin, "journeys")
    trigger = _TRIGGER.validate_python(get_version(session, journey, journey.version).trigger)
    try:
        with session.begin_nested():
            rows = entrants(session, principal, trigger, now)
            return 0 if rows is None else enter_selected(session, journey, rows, now)
    except DomainError:
        log.exception("journey %s: scheduled entries failed", journey_id)
        return 0

"""Verbs of the perks room: the new-member pack, the birthday gifts of the day and the
member day's exclusive coupons, each given once per member and period (``perk_grants``'
unique key), and the member-detail section. Callers own the transaction.

Points go through ``points.grant_bonus`` and coupons through ``coupons.issue_coupon``, each
with a dedupe key naming the perk, the member and the period, so a retried grant gives
nothing twice. A pack or a gift skips a coupon whose template cannot issue now (out of stock,
inactive, ended, limit reached, missing) rather than failing a registration or the daily job; a
member-day claim, which a member asks for, is refused with the coupon's reason instead.
"""

import calendar
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import exists, extract, or_, select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.errors import Conflict
from memberops.loyalty.coupons import service as coupons
from memberops.loyalty.coupons.errors import TemplateNotFound
from memberops.loyalty.coupons.models import Coupon, CouponSource
from memberops.loyalty.coupons.templates import require_templates
from memberops.loyalty.perks.errors import NoMemberDayAccess, NoMemberDayOffer, NotMemberDay
from memberops.loyalty.perks.models import PerkGrant, PerkKind
from memberops.loyalty.perks.rules import Gift, PerkRules
from memberops.loyalty.perks.schemas import PerkGrantRead
from memberops.loyalty.points import service as points
from memberops.loyalty.points.rules import EarnRules
from memberops.loyalty.tiers import service as tiers
from memberops.members.models import Member, MemberStatus
from memberops.members.service import lock_members, refuse_inactive
from memberops.tenancy.access import Principal, local_today, tenant_scope
from memberops.tenancy.sections import load_section, save_section

ONCE = "once"
_SOURCES = {
    PerkKind.new_member_pack: CouponSource.new_member_pack,
    PerkKind.birthday_gift: CouponSource.birthday,
    PerkKind.member_day: CouponSource.member_day,
}
#: Members locked and gifted per round of the birthday job (a bounded lock set and IN list).
CHUNK = 500


def read_grant(grant: PerkGrant, created: bool = False) -> PerkGrantRead:
    return PerkGrantRead(
        member_id=str(grant.member_id),
        kind=grant.kind,
        period=grant.period,
        points=grant.points,
        coupon_codes=list(grant.coupon_codes),
        granted_at=grant.granted_at,
        created=created,
    )


def _granted(
    session: Session, principal: Principal, member_id: int, kind: PerkKind, period: str
) -> PerkGrant | None:
    return session.scalar(
        tenant_scope(principal, PerkGrant).where(
            PerkGrant.member_id == member_id, PerkGrant.kind == kind, PerkGrant.period == period
        )
    )


def _coupon(
    session: Session,
    principal: Principal,
    member_id: int,
    template_id: int,
    kind: PerkKind,
    key: str,
) -> Coupon:
    return coupons.issue_coupon(
        session, principal, member_id, template_id, source=_SOURCES[kind], dedupe_key=key
    )


def _lenient_coupon(
    session: Session,
    principal: Principal,
    member_id: int,
    template_id: int,
    kind: PerkKind,
    key: str,
) -> Coupon | None:
    """The coupon, or None when its template refuses now or no longer exists (a tier's
    birthday coupons are not checked against the templates); a savepoint undoes the attempt."""
    try:
        with session.begin_nested():
            return _coupon(session, principal, member_id, template_id, kind, key)
    except (Conflict, TemplateNotFound):
        return None


def give(
    session: Session,
    principal: Principal,
    member_id: int,
    kind: PerkKind,
    period: str,
    gift: Gift,
    *,
    strict: bool = False,
) -> PerkGrant:
    """Grant ``gift`` to a member (already locked, with no grant of ``kind`` for ``period``)
    and record it; ``strict`` refuses with a coupon's error instead of skipping the coupon."""
    key = f"perk:{kind}:{member_id}:{period}"
    if gift.points > 0:
        points.grant_bonus(
            session, principal, member_id, gift.points, dedupe_key=key, reason=str(kind)
        )
    issue = _coupon if strict else _lenient_coupon
    codes = []
    for template_id in gift.coupon_template_ids:
        coupon = issue(session, principal, member_id, template_id, kind, f"{key}:{template_id}")
        if coupon is not None:
            codes.append(coupon.code)
    grant = PerkGrant(
        tenant_id=principal.tenant_id,
        member_id=member_id,
        kind=kind,
        period=period,
        points=gift.points,
        coupon_codes=codes,
        granted_at=clock.now(),
    )
    session.add(grant)
    session.flush()
    return grant


def _empty(gift: Gift) -> bool:
    return gift.points == 0 and not gift.coupon_template_ids


def grant_new_member_pack(
    session: Session, principal: Principal, member_id: int
) -> PerkGrant | None:
    """The new-member pack (开卡礼包) of the tenant's perk rules, once ever per member; None
    when the pack is empty, the member is not active or already had it."""
    (member,) = lock_members(session, principal, [member_id])
    pack = load_section(session, principal.tenant_id, PerkRules).new_member_pack
    if member.status != MemberStatus.active or _empty(pack):
        return None
    if _granted(session, principal, member_id, PerkKind.new_member_pack, ONCE) is not None:
        return None
    return give(session, principal, member_id, PerkKind.new_member_pack, ONCE, pack)


def birthday_days(today: date) -> list[tuple[int, int]]:
    """The (month, day) birthdays celebrated on ``today``: its own, and on Feb 28 of a year
    without Feb 29 also the Feb 29 birthdays (so those members get a gift every year)."""
    days = [(today.month, today.day)]
    if (today.month, today.day) == (2, 28) and not calendar.isleap(today.year):
        days.append((2, 29))
    return days


def _birthdays_due(session: Session, principal: Principal, today: date) -> list[int]:
    """Active members whose birthday is ``today`` and who had no birthday gift this year."""
    on_day = [
        (extract("month", Member.birthday) == month) & (extract("day", Member.birthday) == day)
        for month, day in birthday_days(today)
    ]
    gifted = exists().where(
        PerkGrant.tenant_id == principal.tenant_id,
        PerkGrant.member_id == Member.id,
        PerkGrant.kind == PerkKind.birthday_gift,
        PerkGrant.period == str(today.year),
    )
    query = (
        select(Member.id)
        .where(Member.tenant_id == principal.tenant_id, Member.status == MemberStatus.active)
        .where(Member.birthday.is_not(None), or_(*on_day), ~gifted)
        .order_by(Member.id)
    )
    return list(session.scalars(query))


def _birthday_gift(
    session: Session, principal: Principal, rules: PerkRules, member_id: int
) -> Gift:
    """The tenant's birthday gift plus what the member's tier gives on a birthday."""
    benefits = tiers.current_level(session, principal, member_id).benefits
    return Gift(
        points=rules.birthday_gift.points + benefits.birthday_points,
        coupon_template_ids=[
            *rules.birthday_gift.coupon_template_ids,
            *benefits.birthday_coupon_template_ids,
        ],
    )


def _gift_birthdays(
    session: Session, principal: Principal, member_ids: Iterable[int], period: str
) -> int:
    rules = load_section(session, principal.tenant_id, PerkRules)
    given = 0
    for member in lock_members(session, principal, member_ids):
        # Read again under the lock: another run may have gifted, or a merge moved, the member.
        if member.status != MemberStatus.active:
            continue
        if _granted(session, principal, member.id, PerkKind.birthday_gift, period) is not None:
            continue
        gift = _birthday_gift(session, principal, rules, member.id)
        if not _empty(gift):
            give(session, principal, member.id, PerkKind.birthday_gift, period, gift)
            given += 1
    return given


def grant_birthdays(session: Session, principal: Principal) -> int:
    """Give today's birthday gifts (today in the tenant's timezone), once per member and local
    year; returns how many members got one. Feb 29 birthdays are celebrated on Feb 28 in
    years without Feb 29. Members whose tier and the tenant's rules give nothing get no row,
    so a gift set later that day still reaches them."""
    today = local_today(principal)
    due = _birthdays_due(session, principal, today)
    return sum(
        _gift_birthdays(session, principal, due[start : start + CHUNK], str(today.year))
        for start in range(0, len(due), CHUNK)
    )


def claim_member_day_coupons(
    session: Session, principal: Principal, member_id: int
) -> PerkGrantRead:
    """On the member day (会员日, ``EarnRules.member_day`` of the month, local), a member whose
    tier has ``member_day_access`` gets the tenant's member-day coupons, once per month; a
    second claim that month answers the first grant again (``created`` false)."""
    (member,) = lock_members(session, principal, [member_id])
    refuse_inactive(member, "that member claims instead")
    today = local_today(principal)
    member_day = load_section(session, principal.tenant_id, EarnRules).member_day
    if member_day is None or today.day != member_day:
        raise NotMemberDay(
            "Member-day coupons are claimed on the member day only.", member_day=member_day
        )
    period = today.strftime("%Y-%m")
    existing = _granted(session, principal, member_id, PerkKind.member_day, period)
    if existing is not None:
        return read_grant(existing)
    level = tiers.current_level(session, principal, member_id)
    if not level.benefits.member_day_access:
        raise NoMemberDayAccess(f"The {level.code} tier has no member-day access.", tier=level.code)
    templates = load_section(session, principal.tenant_id, PerkRules).member_day_coupon_template_ids
    if not templates:
        raise NoMemberDayOffer("No member-day coupons are set in the perk rules.")
    gift = Gift(coupon_template_ids=templates)
    grant = give(session, principal, member_id, PerkKind.member_day, period, gift, strict=True)
    return read_grant(grant, created=True)


def grants_of(session: Session, principal: Principal, member_id: int) -> list[PerkGrant]:
    query = tenant_scope(principal, PerkGrant).where(PerkGrant.member_id == member_id)
    return list(session.scalars(query.order_by(PerkGrant.id)))


def perks_export(session: Session, principal: Principal, member_id: int) -> Any:
    """``perks`` of a member's data export: every grant, oldest first."""
    grants = grants_of(session, principal, member_id)
    return [read_grant(g).model_dump(mode="json", exclude={"created"}) for g in grants]


def perks_section(session: Session, principal: Principal, member_id: int) -> Any:
    """``perks`` of ``GET /members/{id}``: every perk granted, oldest first (None if none)."""
    return perks_export(session, principal, member_id) or None


def _named_templates(rules: PerkRules) -> list[tuple[list[str | int], int]]:
    """(location in the body, template id) of every coupon template the rules name."""
    lists: list[tuple[list[str | int], list[int]]] = [
        (["new_member_pack", "coupon_template_ids"], rules.new_member_pack.coupon_template_ids),
        (["birthday_gift", "coupon_template_ids"], rules.birthday_gift.coupon_template_ids),
        (["member_day_coupon_template_ids"], rules.member_day_coupon_template_ids),
    ]
    return [([*loc, i], t) for loc, ids in lists for i, t in enumerate(ids)]


def save_rules(session: Session, principal: Principal, rules: PerkRules) -> PerkRules:
    """Store the tenant's perk rules (audited) once every coupon template they name exists."""
    require_templates(session, principal, _named_templates(rules))
    return save_section(session, principal, rules)

"""Verbs of the coupons room: issue a coupon to a member, find one by its code, expire the ones
past their validity. Templates are in ``templates``, redemption in ``redemption``, reading a
member's coupons in ``queries``.

Issuing takes, in the one lock order (members → points_accounts → coupon_templates →
coupons): the member's row lock (so the per-member limit and a dedupe key are decided one
request at a time per member), the points spent for an exchange, the template's stock by one
guarded update (``issued = issued + 1 WHERE stock IS NULL OR issued < stock``: never past the
stock, also concurrently), then the coupon row. Callers own the transaction.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.loyalty.coupons.errors import (
    CouponNotFound,
    LimitReached,
    MemberInactive,
    NoMemberDayAccess,
    NotExchangeable,
    NotMemberDay,
    OutOfStock,
    TemplateEnded,
    TemplateInactive,
    TierExcluded,
)
from memberops.loyalty.coupons.models import Coupon, CouponSource, CouponStatus, CouponTemplate
from memberops.loyalty.coupons.templates import get_template
from memberops.loyalty.points import service as points
from memberops.loyalty.points.rules import EarnRules
from memberops.loyalty.tiers import service as tiers
from memberops.members.models import Member, MemberStatus
from memberops.members.service import lock_members
from memberops.tenancy.access import Principal, local_today, tenant_scope
from memberops.tenancy.sections import load_section
from memberops.tenancy.service import audit

#: Code characters: base32 without 0/O and 1/I, so a code read aloud or typed is unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
#: 12 characters = 60 random bits: unguessable, and a collision (retried) all but impossible.
CODE_LENGTH = 12
_CODE_ATTEMPTS = 3
#: Sources that are a person's decision, written to the audit log (the others are automatic).
_AUDITED = frozenset({CouponSource.operator, CouponSource.api})


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def get_coupon(session: Session, principal: Principal, code: str) -> Coupon:
    """The tenant's coupon with this code as stored now (codes are read case-insensitively)."""
    coupon = session.scalar(
        tenant_scope(principal, Coupon)
        .where(Coupon.code == code.upper())
        .execution_options(populate_existing=True)
    )
    if coupon is None:
        raise CouponNotFound(f"No coupon {code!r} in this tenant.", coupon_code=code)
    return coupon


def _by_dedupe_key(session: Session, principal: Principal, key: str) -> Coupon | None:
    return session.scalar(tenant_scope(principal, Coupon).where(Coupon.dedupe_key == key))


def _check_member(member: Member) -> None:
    if member.status != MemberStatus.active:
        merged_into = None if member.merged_into_id is None else str(member.merged_into_id)
        raise MemberInactive(
            f"Member {member.id} is {member.status}; coupons go to active members.",
            member_id=str(member.id),
            member_status=str(member.status),
            merged_into=merged_into,
        )


def _check_template(template: CouponTemplate) -> None:
    if not template.active:
        raise TemplateInactive(f"Template {template.id} is inactive.", template_id=str(template.id))
    if template.valid_until is not None and template.valid_until <= clock.now():
        raise TemplateEnded(
            f"Template {template.id}'s coupons were valid until {template.valid_until}.",
            template_id=str(template.id),
            valid_until=template.valid_until.isoformat(),
        )


def _check_tier(
    session: Session, principal: Principal, template: CouponTemplate, member_id: int
) -> None:
    """Tier exclusivity and the member day: only read the member's level when they matter."""
    if not template.tiers and not template.member_day_only:
        return
    level = tiers.current_level(session, principal, member_id)
    if template.tiers and level.code not in template.tiers:
        raise TierExcluded(
            f"Template {template.id} is for tiers {', '.join(template.tiers)}; member"
            f" {member_id} is {level.code}.",
            tier=level.code,
            tiers=template.tiers,
        )
    if template.member_day_only:
        member_day = load_section(session, principal.tenant_id, EarnRules).member_day
        if member_day is None or local_today(principal).day != member_day:
            raise NotMemberDay(
                f"Template {template.id} is issued only on the member day.",
                member_day=member_day,
            )
        if not level.benefits.member_day_access:
            raise NoMemberDayAccess(f"Tier {level.code} has no member-day access.", tier=level.code)


def _check_limit(
    session: Session, principal: Principal, template: CouponTemplate, member_id: int
) -> None:
    """Under the member's row lock: how many coupons of the template the member holds."""
    if template.per_member_limit is None:
        return
    held = session.scalar(
        select(func.count()).where(
            Coupon.tenant_id == principal.tenant_id,
            Coupon.member_id == member_id,
            Coupon.template_id == template.id,
        )
    )
    if (held or 0) >= template.per_member_limit:
        raise LimitReached(
            f"Member {member_id} already holds {held} coupon(s) of template {template.id}.",
            limit=template.per_member_limit,
        )


def _take_stock(session: Session, template: CouponTemplate) -> None:
    taken = session.execute(
        update(CouponTemplate)
        .where(
            CouponTemplate.tenant_id == template.tenant_id,
            CouponTemplate.id == template.id,
            or_(CouponTemplate.stock.is_(None), CouponTemplate.issued < CouponTemplate.stock),
        )
        .values(issued=CouponTemplate.issued + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 0:  # type: ignore[attr-defined]
        raise OutOfStock(
            f"Template {template.id} has issued its whole stock ({template.stock}).",
            template_id=str(template.id),
            stock=template.stock,
        )


def _window(template: CouponTemplate) -> tuple[datetime, datetime]:
    """The coupon's validity: the template's fixed window, or ``valid_days`` from now. (A
    template has one or the other, so there is nothing to clamp.)"""
    if template.valid_days is not None:
        now = clock.now()
        return now, now + timedelta(days=template.valid_days)
    assert template.valid_from is not None
    assert template.valid_until is not None
    return template.valid_from, template.valid_until


def _pay(
    session: Session, principal: Principal, template: CouponTemplate, member_id: int, code: str
) -> None:
    """Take the template's price in points from the member (an exchange)."""
    if template.points_price is None:
        raise NotExchangeable(
            f"Template {template.id} has no points price.", template_id=str(template.id)
        )
    points.spend(
        session,
        principal,
        member_id,
        template.points_price,
        reason=f"coupon exchange: {template.name}",
        reference=f"coupon:{code}",
    )


def _store(
    session: Session,
    principal: Principal,
    template: CouponTemplate,
    member_id: int,
    source: CouponSource,
    dedupe_key: str | None,
) -> Coupon:
    """Pay (an exchange), take one from the stock and write the coupon, in lock order."""
    code = _new_code()
    if source == CouponSource.points:
        _pay(session, principal, template, member_id, code)
    _take_stock(session, template)
    valid_from, valid_until = _window(template)
    coupon = Coupon(
        tenant_id=principal.tenant_id,
        template_id=template.id,
        member_id=member_id,
        code=code,
        status=CouponStatus.issued,
        source=source,
        dedupe_key=dedupe_key,
        issued_at=clock.now(),
        valid_from=valid_from,
        valid_until=valid_until,
    )
    session.add(coupon)
    session.flush()
    return coupon


def issue_coupon(
    session: Session,
    principal: Principal,
    member_id: int,
    template_id: int,
    *,
    source: CouponSource,
    dedupe_key: str | None = None,
) -> Coupon:
    """Issue one coupon of the template to the member, or return the coupon issued before
    under ``dedupe_key`` (whatever its template and member: keys should name both).

    ``source=CouponSource.points`` is an exchange: the member pays the template's
    ``points_price`` (``points.insufficient`` when short). Refusals (409) change nothing:
    inactive or ended template, out of stock, per-member limit, tier exclusivity, member day.
    """
    member = lock_members(session, principal, [member_id])[0]
    if dedupe_key is not None and (found := _by_dedupe_key(session, principal, dedupe_key)):
        return found
    template = get_template(session, principal, template_id)
    _check_member(member)
    _check_template(template)
    _check_tier(session, principal, template, member_id)
    _check_limit(session, principal, template, member_id)
    for attempt in range(_CODE_ATTEMPTS):
        try:
            with session.begin_nested():
                coupon = _store(session, principal, template, member_id, source, dedupe_key)
            break
        except IntegrityError:  # the dedupe key was just used, or (never yet) a code collided
            if dedupe_key is not None and (found := _by_dedupe_key(session, principal, dedupe_key)):
                return found
            if attempt == _CODE_ATTEMPTS - 1:
                raise
    if source in _AUDITED:
        after = {"template_id": template.id, "member_id": member_id, "source": str(source)}
        audit(session, principal, "coupon.issue", ("coupon", coupon.code), None, after)
    return coupon


def expire_due(session: Session, principal: Principal) -> int:
    """Mark the tenant's issued coupons past ``valid_until`` expired (one update); returns how
    many. Redemption already refuses them before this runs; this makes the state explicit."""
    expired = session.execute(
        update(Coupon)
        .where(
            Coupon.tenant_id == principal.tenant_id,
            Coupon.status == CouponStatus.issued,
            Coupon.valid_until <= clock.now(),
        )
        .values(status=CouponStatus.expired)
        .execution_options(synchronize_session=False)
    )
    return int(expired.rowcount)  # type: ignore[attr-defined]

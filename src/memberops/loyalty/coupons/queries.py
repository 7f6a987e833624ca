"""Reading coupons: a member's list, the ``coupons`` section of ``GET /members/{id}`` and of
the member export, and the status a reader sees.

A coupon past its ``valid_until`` that is still ``issued`` reads as ``expired`` everywhere,
before the expiry job (``service.expire_due``) has marked it, so what a member is shown never
depends on when the job last ran.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from memberops.kernel import clock
from memberops.kernel.pagination import newest_first
from memberops.loyalty.coupons.models import Coupon, CouponStatus, CouponTemplate
from memberops.loyalty.coupons.schemas import CouponRead
from memberops.tenancy.access import Principal, tenant_scope

#: How many of a member's usable coupons the member detail lists, soonest expiry first.
EXPIRING_SHOWN = 5


def status_is(status: CouponStatus, now: datetime) -> ColumnElement[bool]:
    """Coupons a reader sees in ``status`` at ``now``."""
    past = Coupon.valid_until <= now
    if status == CouponStatus.issued:
        return and_(Coupon.status == CouponStatus.issued, ~past)
    if status == CouponStatus.expired:
        return or_(
            Coupon.status == CouponStatus.expired,
            and_(Coupon.status == CouponStatus.issued, past),
        )
    return Coupon.status == status


def status_of(coupon: Coupon, now: datetime) -> CouponStatus:
    if coupon.status == CouponStatus.issued and coupon.valid_until <= now:
        return CouponStatus.expired
    return coupon.status


def list_member_coupons(
    session: Session,
    principal: Principal,
    member_id: int,
    status: CouponStatus | None,
    before_id: int | None,
    limit: int,
) -> list[Coupon]:
    """A member's coupons, newest first (by id), after the cursor, in ``status`` as a reader
    sees it."""
    query = tenant_scope(principal, Coupon).where(Coupon.member_id == member_id)
    if status is not None:
        query = query.where(status_is(status, clock.now()))
    return list(session.scalars(newest_first(query, Coupon.id, before_id, limit)))


def read_coupons(
    session: Session, principal: Principal, coupons: Sequence[Coupon]
) -> list[CouponRead]:
    """The API's view of coupons, with their templates' names and kinds (one query)."""
    ids = {c.template_id for c in coupons}
    templates = {
        t.id: t
        for t in session.scalars(
            tenant_scope(principal, CouponTemplate).where(CouponTemplate.id.in_(ids))
        )
    }
    now = clock.now()
    return [
        CouponRead(
            code=c.code,
            member_id=str(c.member_id),
            template_id=str(c.template_id),
            name=templates[c.template_id].name,
            kind=templates[c.template_id].kind,
            status=status_of(c, now),
            source=c.source,
            issued_at=c.issued_at,
            valid_from=c.valid_from,
            valid_until=c.valid_until,
            redeemed_at=c.redeemed_at,
            order_id=c.order_external_id,
            order_amount=c.order_amount_cents,
        )
        for c in coupons
    ]


def _counts(session: Session, principal: Principal, member_id: int) -> dict[str, int]:
    now = clock.now()
    shown = case(
        (status_is(CouponStatus.expired, now), literal(CouponStatus.expired.value)),
        else_=Coupon.status,
    )
    rows = session.execute(
        select(shown, func.count())
        .where(Coupon.tenant_id == principal.tenant_id, Coupon.member_id == member_id)
        .group_by(shown)
    )
    counts = {str(status): 0 for status in CouponStatus}
    counts.update({str(status): int(n) for status, n in rows})
    return counts


def coupons_section(session: Session, principal: Principal, member_id: int) -> Any:
    """``GET /members/{id}``'s ``coupons``: how many the member holds in each status and the
    usable ones expiring soonest."""
    usable = (
        tenant_scope(principal, Coupon)
        .where(Coupon.member_id == member_id, status_is(CouponStatus.issued, clock.now()))
        .order_by(Coupon.valid_until, Coupon.id)
        .limit(EXPIRING_SHOWN)
    )
    expiring = read_coupons(session, principal, list(session.scalars(usable)))
    return {
        **_counts(session, principal, member_id),
        "expiring": [c.model_dump(mode="json") for c in expiring],
    }


def coupons_export(session: Session, principal: Principal, member_id: int) -> Any:
    """Every coupon of the member, for the member's data export."""
    query = tenant_scope(principal, Coupon).where(Coupon.member_id == member_id)
    coupons = list(session.scalars(query.order_by(Coupon.id)))
    return [c.model_dump(mode="json") for c in read_coupons(session, principal, coupons)]

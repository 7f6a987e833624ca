"""Redeeming a coupon against an order: at most once, idempotent per order.

The coupon turns ``redeemed`` by one guarded update (``WHERE status = 'issued'``): of any
number of concurrent requests exactly one changes the row; the others find it redeemed and
answer as a replay (the same order) or 409 ``coupons.already_redeemed`` (another order). Only
the winner then counts the redemption on its template (``redeemed = redeemed + 1``). A
redemption locks the coupon row and then its template's; nothing locks a template and then
waits on an existing coupon, so this cannot deadlock with issuing (template, then a new row).

What a coupon gives on an order: ``amount_off`` its amount (never more than the order);
``percent_off`` the order amount × percent / 100 in cents, half a cent rounded up (in the
member's favour: 20 % of 0.05 yuan is 0.01); ``free_shipping`` and ``gift`` nothing off, with
``free_shipping`` / ``gift`` saying what they give instead.

The request that uses the coupon publishes ``CouponRedeemed`` in its transaction; a replay
(the same order again) publishes nothing.
"""

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from memberops.activity.money import to_yuan
from memberops.kernel import clock
from memberops.kernel.events import publish
from memberops.loyalty.coupons.errors import (
    AlreadyRedeemed,
    CouponExpired,
    NotYetValid,
    ThresholdNotMet,
    WrongChannel,
    WrongStore,
)
from memberops.loyalty.coupons.events import CouponRedeemed
from memberops.loyalty.coupons.models import Coupon, CouponKind, CouponStatus, CouponTemplate
from memberops.loyalty.coupons.schemas import RedeemRequest, Redemption
from memberops.loyalty.coupons.service import get_coupon
from memberops.loyalty.coupons.templates import get_template
from memberops.tenancy.access import Principal


def discount_cents(template: CouponTemplate, order_amount_cents: int) -> int:
    """What the coupon takes off an order of this amount (see the module docstring)."""
    if template.kind == CouponKind.amount_off:
        assert template.amount_off_cents is not None
        return min(template.amount_off_cents, order_amount_cents)
    if template.kind == CouponKind.percent_off:
        assert template.percent_off is not None
        return (order_amount_cents * template.percent_off + 50) // 100
    return 0


def _answer(
    coupon: Coupon, template: CouponTemplate, order_id: str, amount: int, at: datetime
) -> Redemption:
    return Redemption(
        code=coupon.code,
        member_id=str(coupon.member_id),
        template_id=str(template.id),
        kind=template.kind,
        order_id=order_id,
        order_amount=amount,
        discount=discount_cents(template, amount),
        free_shipping=template.kind == CouponKind.free_shipping,
        gift=template.gift if template.kind == CouponKind.gift else None,
        redeemed_at=at,
    )


def _replay(coupon: Coupon, template: CouponTemplate, order_id: str) -> Redemption:
    """The first answer when ``order_id`` is the order that used the coupon, else a 409."""
    assert coupon.redeemed_at is not None
    if coupon.order_external_id != order_id:
        raise AlreadyRedeemed(
            f"Coupon {coupon.code} was already used at {coupon.redeemed_at.isoformat()}.",
            coupon_code=coupon.code,
            redeemed_at=coupon.redeemed_at.isoformat(),
        )
    assert coupon.order_amount_cents is not None
    return _answer(coupon, template, order_id, coupon.order_amount_cents, coupon.redeemed_at)


def _check_time(coupon: Coupon, now: datetime) -> None:
    if coupon.status == CouponStatus.expired or coupon.valid_until <= now:
        raise CouponExpired(
            f"Coupon {coupon.code} expired at {coupon.valid_until.isoformat()}.",
            valid_until=coupon.valid_until.isoformat(),
        )
    if now < coupon.valid_from:
        raise NotYetValid(
            f"Coupon {coupon.code} is valid from {coupon.valid_from.isoformat()}.",
            valid_from=coupon.valid_from.isoformat(),
        )


def _check_order(template: CouponTemplate, body: RedeemRequest) -> None:
    if template.channels and body.channel not in template.channels:
        raise WrongChannel(
            f"This coupon is valid only in {', '.join(template.channels)}.",
            channels=template.channels,
        )
    if template.stores and body.store not in template.stores:
        raise WrongStore(
            f"This coupon is valid only in stores {', '.join(template.stores)}.",
            stores=template.stores,
        )
    if body.order_amount < template.threshold_cents:
        raise ThresholdNotMet(
            f"This coupon needs an order of at least {to_yuan(template.threshold_cents)}.",
            threshold=to_yuan(template.threshold_cents),
            order_amount=to_yuan(body.order_amount),
        )


def _mark_redeemed(session: Session, coupon: Coupon, body: RedeemRequest, now: datetime) -> bool:
    """The guarded update; True when this request used the coupon."""
    used = session.execute(
        update(Coupon)
        .where(
            Coupon.tenant_id == coupon.tenant_id,
            Coupon.id == coupon.id,
            Coupon.status == CouponStatus.issued,
        )
        .values(
            status=CouponStatus.redeemed,
            order_external_id=body.order_id,
            order_amount_cents=body.order_amount,
            redeemed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(used.rowcount)  # type: ignore[attr-defined]


def _count_redemption(session: Session, template: CouponTemplate) -> None:
    session.execute(
        update(CouponTemplate)
        .where(CouponTemplate.tenant_id == template.tenant_id, CouponTemplate.id == template.id)
        .values(redeemed=CouponTemplate.redeemed + 1)
        .execution_options(synchronize_session=False)
    )


def _announce(
    session: Session, coupon: Coupon, template: CouponTemplate, answer: Redemption
) -> None:
    """Publish ``CouponRedeemed`` for the request that used the coupon (never for a replay)."""
    event = CouponRedeemed(
        coupon.tenant_id,
        member_id=coupon.member_id,
        coupon_id=coupon.id,
        code=coupon.code,
        template_id=template.id,
        template_name=template.name,
        kind=str(template.kind),
        order_external_id=answer.order_id,
        discount_cents=answer.discount,
        redeemed_at=answer.redeemed_at,
    )
    publish(session, event)


def redeem_coupon(
    session: Session, principal: Principal, code: str, body: RedeemRequest
) -> Redemption:
    """Use the coupon on the order and say what it gives; the same order again answers the
    same, another order is a 409. Refusals (expired, not yet valid, wrong channel or store,
    below the threshold) change nothing."""
    coupon = get_coupon(session, principal, code)
    template = get_template(session, principal, coupon.template_id)
    now = clock.now()
    if coupon.status != CouponStatus.redeemed:
        _check_time(coupon, now)
        _check_order(template, body)
        if _mark_redeemed(session, coupon, body, now):
            _count_redemption(session, template)
            answer = _answer(coupon, template, body.order_id, body.order_amount, now)
            _announce(session, coupon, template, answer)
            return answer
        coupon = get_coupon(session, principal, code)  # a concurrent request changed it
        if coupon.status != CouponStatus.redeemed:
            _check_time(coupon, now)
    return _replay(coupon, template, body.order_id)

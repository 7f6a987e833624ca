"""Refund of an unused paid card.

*Unused* means no benefit of the holding was consumed:

- none of its monthly coupons (``card:<holding>:…`` keys) was redeemed, and
- the member paid no order (other than one fully refunded) inside any of the holding's paid
  terms up to now. The card's discount, free shipping and multiplier apply to every order of
  a valid holder, so any such order has used them.

A refund is for an active holding whose term has not ended (a lapsed or past one was available
for its whole term). It returns every payment of the holding not yet returned — points through
the points ledger (a ``bonus`` entry keyed ``benefit_card:refund:<payment>``, a new lot with
the earn rules' expiry), money recorded as refunded for the merchant to pay back outside
memberops — expires the holding's coupons not yet redeemed, and marks the holding refunded,
which ends its benefits at once. Audited. The coupons are expired before the usage is counted,
in a savepoint: a coupon redeemed at the same moment either makes the refund fail or is
refused as expired, never both used and refunded.
"""

from sqlalchemy import ColumnElement, and_, func, select, update
from sqlalchemy.orm import Session

from memberops.activity.models import Order
from memberops.kernel import clock
from memberops.kernel.idempotency import once
from memberops.loyalty.cards import queries
from memberops.loyalty.cards.errors import CardUsed, NotRefundable
from memberops.loyalty.cards.models import CardHolding, CardPayment, HoldingStatus, PriceKind
from memberops.loyalty.cards.monthly import holding_coupon_keys
from memberops.loyalty.cards.schemas import HoldingRead, RefundIn
from memberops.loyalty.cards.service import get_holding
from memberops.loyalty.coupons.models import Coupon, CouponStatus
from memberops.loyalty.points import service as points
from memberops.members.service import lock_members
from memberops.tenancy.access import Principal, tenant_scope
from memberops.tenancy.service import audit


def _holding_coupons(principal: Principal, holding: CardHolding) -> ColumnElement[bool]:
    """The holding's monthly coupons (their dedupe keys name the holding)."""
    return and_(
        Coupon.tenant_id == principal.tenant_id,
        Coupon.member_id == holding.member_id,
        Coupon.dedupe_key.like(holding_coupon_keys(holding.id)),
    )


def _expire_coupons(session: Session, principal: Principal, holding: CardHolding) -> None:
    session.execute(
        update(Coupon)
        .where(_holding_coupons(principal, holding), Coupon.status == CouponStatus.issued)
        .values(status=CouponStatus.expired)
        .execution_options(synchronize_session=False)
    )


def usage(session: Session, principal: Principal, holding: CardHolding) -> tuple[int, int]:
    """(monthly coupons redeemed, kept orders paid inside a paid term up to now)."""
    redeemed = session.scalar(
        select(func.count())
        .select_from(Coupon)
        .where(_holding_coupons(principal, holding), Coupon.status == CouponStatus.redeemed)
    )
    in_term = and_(
        CardPayment.tenant_id == principal.tenant_id,
        CardPayment.holding_id == holding.id,
        Order.paid_at >= CardPayment.period_starts_at,
        Order.paid_at < CardPayment.period_ends_at,
    )
    orders = session.scalar(
        select(func.count(func.distinct(Order.id)))
        .select_from(Order)
        .join(CardPayment, in_term)
        .where(Order.tenant_id == principal.tenant_id, Order.member_id == holding.member_id)
        .where(Order.paid_at <= clock.now(), Order.refunded_cents < Order.amount_cents)
    )
    return int(redeemed or 0), int(orders or 0)


def _unreturned(session: Session, principal: Principal, holding: CardHolding) -> list[CardPayment]:
    query = tenant_scope(principal, CardPayment).where(
        CardPayment.holding_id == holding.id, CardPayment.refunded_at.is_(None)
    )
    return list(session.scalars(query.order_by(CardPayment.id)))


def _check_refundable(holding: CardHolding, payments: list[CardPayment]) -> None:
    paid = [p for p in payments if p.price_kind != PriceKind.free]
    ended = holding.ends_at <= clock.now()
    if holding.status != HoldingStatus.active or ended or not paid:
        status = HoldingStatus.lapsed if ended else holding.status
        kind = payments[0].price_kind if payments else PriceKind.free
        raise NotRefundable(
            f"Holding {holding.id} cannot be refunded: it is {status}, priced {kind}.",
            holding_status=str(status),
            price_kind=str(kind),
        )


def _return(session: Session, principal: Principal, payment: CardPayment) -> None:
    if payment.points > 0:
        points.grant_bonus(
            session,
            principal,
            payment.member_id,
            payment.points,
            dedupe_key=f"benefit_card:refund:{payment.id}",
            reason="benefit card refund",
            reference=f"benefit_card:{payment.holding_id}",
        )
    payment.refunded_at = clock.now()


def _refund(
    session: Session, principal: Principal, member_id: int, holding_id: int, reason: str
) -> CardHolding:
    lock_members(session, principal, [member_id])
    holding = get_holding(session, principal, member_id, holding_id)
    payments = _unreturned(session, principal, holding)
    _check_refundable(holding, payments)
    with session.begin_nested():
        _expire_coupons(session, principal, holding)
        redeemed, orders = usage(session, principal, holding)
        if redeemed or orders:
            raise CardUsed(
                f"Holding {holding_id} was used: {redeemed} coupons redeemed, {orders} orders.",
                coupons_redeemed=redeemed,
                orders=orders,
            )
    for payment in payments:
        _return(session, principal, payment)
    holding.status = HoldingStatus.refunded
    holding.refunded_at = clock.now()
    holding.refund_reason = reason
    session.flush()
    after = {"status": "refunded", "reason": reason, "payments": [p.id for p in payments]}
    audit(session, principal, "benefit_card.refund", ("holding", str(holding.id)), None, after)
    return holding


def refund(
    session: Session,
    principal: Principal,
    member_id: int,
    holding_id: int,
    body: RefundIn,
    key: str,
) -> tuple[HoldingRead, bool]:
    """Refund an unused paid holding (module docstring); 409 ``cards.used`` or
    ``cards.not_refundable`` change nothing. Returns it and whether it happened now."""

    def run() -> HoldingRead:
        holding = _refund(session, principal, member_id, holding_id, body.reason)
        return queries.read_holdings(session, principal, [holding])[0]

    request = {"member_id": member_id, "holding_id": holding_id, **body.model_dump(mode="json")}
    return once(session, principal.tenant_id, "cards.refund", key, request, HoldingRead, run)

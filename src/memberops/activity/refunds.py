"""Refunds: full or partial, idempotent on the refund's own id within its order, and never
taking an order's refunded total past its paid amount."""

from datetime import UTC

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberops.activity import stats
from memberops.activity.common import content_hash
from memberops.activity.errors import RefundConflict, RefundExceeds
from memberops.activity.events import OrderRefunded
from memberops.activity.models import Order, Refund
from memberops.activity.money import to_yuan
from memberops.activity.orders import apply_refund, get_order
from memberops.activity.schemas import RefundCreate
from memberops.kernel import clock
from memberops.kernel.events import publish
from memberops.members.service import lock_members
from memberops.tenancy.access import Principal, tenant_scope


def _find(session: Session, principal: Principal, order: Order, refund_id: str) -> Refund | None:
    return session.scalar(
        tenant_scope(principal, Refund).where(
            Refund.order_id == order.id, Refund.external_id == refund_id
        )
    )


def conflict(refund_id: str) -> RefundConflict:
    """The refusal of a refund id sent again with other content."""
    return RefundConflict(
        f"Refund {refund_id!r} was already recorded with different content.",
        refund_id=refund_id,
    )


def exceeds(order_external_id: str, remaining_cents: int) -> RefundExceeds:
    """The refusal of a refund that would pass what is left to refund on the order."""
    return RefundExceeds(
        f"Order {order_external_id!r} has {to_yuan(remaining_cents)} left to refund.",
        external_id=order_external_id,
        remaining=to_yuan(remaining_cents),
    )


def _replay(refund: Refund, digest: str) -> Refund:
    if refund.content_hash != digest:
        raise conflict(refund.external_id)
    return refund


def _store(session: Session, order: Order, body: RefundCreate, digest: str) -> Refund:
    amount = order.amount_cents - order.refunded_cents if body.amount is None else body.amount
    if amount <= 0 or not apply_refund(session, order, amount):
        raise exceeds(order.external_id, order.amount_cents - order.refunded_cents)
    refund = Refund(
        tenant_id=order.tenant_id,
        order_id=order.id,
        member_id=order.member_id,
        external_id=body.refund_id,
        content_hash=digest,
        amount_cents=amount,
        refunded_at=(body.refunded_at or clock.now()).astimezone(UTC),
        reason=body.reason,
    )
    session.add(refund)
    session.flush()
    return refund


def refund_order(
    session: Session, principal: Principal, external_id: str, body: RefundCreate
) -> tuple[Refund, Order, bool]:
    """Refund part (``amount``) or the rest of an order; returns the refund, the order and
    whether the refund was created. A replay changes nothing; over the remaining amount is a
    409 ``orders.refund_exceeds`` and changes nothing either."""
    order = get_order(session, principal, external_id)
    lock_members(session, principal, [order.member_id])  # one member's writes refresh in turn
    session.refresh(order)  # as it is now that no other refund of this member is running
    digest = content_hash(body)
    existing = _find(session, principal, order, body.refund_id)
    if existing is not None:
        return _replay(existing, digest), order, False
    try:
        with session.begin_nested():
            refund = _store(session, order, body, digest)
    except IntegrityError:
        session.refresh(order)
        found = _find(session, principal, order, body.refund_id)
        if found is None:
            raise
        return _replay(found, digest), order, False
    stats.refresh(session, principal.tenant_id, [order.member_id])
    publish(
        session,
        OrderRefunded(
            principal.tenant_id, order.member_id, order.id, refund.id, refund.amount_cents
        ),
    )
    return refund, order, True

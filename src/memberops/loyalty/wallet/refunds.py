"""Giving stored value back when an order it paid for is refunded.

The rule: after a refund, what the order's spends took comes back in proportion to the order's
refunded share — for each part, floor(spent × refunded / paid), less what earlier refunds of the
order already gave back. So a refund never gives back more than was spent, a full refund gives
back exactly what was spent (both parts, the bonus as bonus), and an order paid half by stored
value and half by card gets half of each refund back on the balance (the other half goes back to
the card, outside memberops). Once per refund (``refund:refund:{id}``).
"""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from memberops.activity.models import Order
from memberops.loyalty.wallet import ledger
from memberops.loyalty.wallet.models import EntryKind, StoredValueEntry
from memberops.loyalty.wallet.service import spent_on_order
from memberops.tenancy.access import Principal, tenant_scope


def _given_back(session: Session, principal: Principal, order_id: int) -> tuple[int, int]:
    query = select(
        func.coalesce(func.sum(StoredValueEntry.principal_cents), 0),
        func.coalesce(func.sum(StoredValueEntry.bonus_cents), 0),
    ).where(
        StoredValueEntry.tenant_id == principal.tenant_id,
        StoredValueEntry.order_id == order_id,
        StoredValueEntry.kind == EntryKind.refund,
    )
    from_principal, from_bonus = session.execute(query).one()
    return int(from_principal), int(from_bonus)


def give_back_for_refund(
    session: Session, principal: Principal, order_id: int, refund_id: int
) -> int:
    """Credit what the order's refunds now give back (see the module docstring); returns the
    cents credited (0 when the order used no stored value, or on a replay). What the order's
    spends took cannot change meanwhile: the refund has updated the order row, and a spend
    share-locks it first (``service.locked_order``), so it waits and then sees the refund."""
    spent = spent_on_order(session, principal, order_id)
    if spent == (0, 0):
        return 0
    query = tenant_scope(principal, Order).where(Order.id == order_id)
    order = session.scalars(query.execution_options(populate_existing=True)).one()
    ledger.lock_account(session, principal, order.member_id)
    back = _given_back(session, principal, order_id)
    refunded = min(order.refunded_cents, order.amount_cents)
    due = tuple(
        part * refunded // order.amount_cents - given
        for part, given in zip(spent, back, strict=True)
    )
    parts = (max(due[0], 0), max(due[1], 0))
    if parts == (0, 0):
        return 0
    entry = ledger.credit_once(
        session,
        principal,
        order.member_id,
        EntryKind.refund,
        parts,
        dedupe_key=f"refund:refund:{refund_id}",
        order_id=order.id,
        reference=f"order:{order.external_id}",
        reason="order refunded",
    )
    return 0 if entry is None else sum(parts)

"""Verbs on orders: record (idempotent on the external id), refund (idempotent on the refund
id, never past the paid amount), read and list. Callers own the transaction; each write
recomputes the member's stats and publishes its event in it."""

import hashlib
from collections import defaultdict
from datetime import UTC

from sqlalchemy import case, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from memberops.activity import stats
from memberops.activity.common import content_hash, resolve_member
from memberops.activity.errors import OrderConflict, OrderNotFound
from memberops.activity.events import OrderPaid
from memberops.activity.models import Order, OrderLine, OrderStatus
from memberops.activity.schemas import Address, LineRead, OrderCreate, OrderRead
from memberops.kernel.events import publish
from memberops.kernel.pagination import newest_first
from memberops.members.service import lock_members
from memberops.tenancy.access import Principal, mask_name, mask_phone, mask_text, tenant_scope


def find_order(session: Session, principal: Principal, external_id: str) -> Order | None:
    return session.scalar(tenant_scope(principal, Order).where(Order.external_id == external_id))


def get_order(session: Session, principal: Principal, external_id: str) -> Order:
    order = find_order(session, principal, external_id)
    if order is None:
        raise OrderNotFound(f"No order {external_id!r} in this tenant.", external_id=external_id)
    return order


def _replay(order: Order, digest: str) -> Order:
    """The stored order when ``digest`` matches what created it; 409 otherwise."""
    if order.content_hash != digest:
        raise OrderConflict(
            f"Order {order.external_id!r} was already recorded with different content.",
            external_id=order.external_id,
        )
    return order


def address_key(address: Address | None) -> str | None:
    """A digest of the normalised address (case and spacing ignored), None when empty."""
    if address is None:
        return None
    parts = [address.province, address.city, address.district, address.detail]
    text = "|".join(" ".join((p or "").split()).lower() for p in parts)
    return None if not text.strip("|") else hashlib.sha256(text.encode()).hexdigest()


def _insert(session: Session, principal: Principal, body: OrderCreate, member_id: int) -> Order:
    order = Order(
        tenant_id=principal.tenant_id,
        member_id=member_id,
        external_id=body.external_id,
        content_hash=content_hash(body),
        channel=body.channel,
        store=body.store,
        paid_at=body.paid_at.astimezone(UTC),
        amount_cents=body.amount,
        list_amount_cents=body.amount if body.list_amount is None else body.list_amount,
        is_promotion=body.is_promotion,
        shipping_address=(
            body.shipping_address.model_dump(exclude_none=True) if body.shipping_address else None
        ),
        address_key=address_key(body.shipping_address),
        payment_method=body.payment_method,
        payment_account=body.payment_account,
        refunded_cents=0,
        status=OrderStatus.paid,
    )
    session.add(order)
    session.flush()
    session.add_all(
        OrderLine(
            tenant_id=principal.tenant_id,
            order_id=order.id,
            member_id=member_id,
            sku=line.sku,
            name=line.name,
            category=line.category,
            unit_price_cents=line.unit_price,
            list_price_cents=line.unit_price if line.list_price is None else line.list_price,
            quantity=line.quantity,
            is_new_product=line.is_new_product,
            is_gift_wrap=line.is_gift_wrap,
        )
        for line in body.lines
    )
    session.flush()
    return order


def record_order(session: Session, principal: Principal, body: OrderCreate) -> tuple[Order, bool]:
    """Store a paid order and its lines for the member its identities resolve to; returns the
    order and whether it was created. A replay returns the stored order and changes nothing
    (the member is not even resolved again); the same id with other content is a 409.

    Two requests racing with the same id meet at the unique constraint: the loser's savepoint
    rolls back and it answers as a replay."""
    digest = content_hash(body)
    existing = find_order(session, principal, body.external_id)
    if existing is not None:
        return _replay(existing, digest), False
    member_id = resolve_member(session, principal, body.member, body.channel)
    lock_members(session, principal, [member_id])  # one member's writes refresh in turn
    try:
        with session.begin_nested():
            order = _insert(session, principal, body, member_id)
    except IntegrityError:
        return _replay(get_order(session, principal, body.external_id), digest), False
    stats.refresh(session, principal.tenant_id, [member_id])
    publish(
        session,
        OrderPaid(principal.tenant_id, member_id, order.id, order.external_id, order.amount_cents),
    )
    return order, True


def apply_refund(session: Session, order: Order, amount_cents: int) -> bool:
    """Add ``amount_cents`` to the order's refunded total by one guarded SQL expression; False
    (nothing changed) when that would pass the paid amount."""
    total = Order.refunded_cents + amount_cents
    result = session.execute(
        update(Order)
        .where(Order.id == order.id, Order.tenant_id == order.tenant_id)
        .where(total <= Order.amount_cents)
        .values(
            refunded_cents=total,
            status=case(
                (total == Order.amount_cents, OrderStatus.refunded.value),
                else_=OrderStatus.partially_refunded.value,
            ),
        )
        .execution_options(synchronize_session=False)
    )
    session.refresh(order)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _mask(address: dict[str, str] | None, sees_pii: bool) -> Address | None:
    if address is None:
        return None
    shown = Address.model_validate(address)
    if sees_pii:
        return shown
    return Address(
        name=mask_name(shown.name) if shown.name else None,
        phone=mask_phone(shown.phone) if shown.phone else None,
        province=shown.province,
        city=shown.city,
        district=shown.district,
        detail=mask_text(shown.detail) if shown.detail else None,
    )


def read_orders(session: Session, principal: Principal, orders: list[Order]) -> list[OrderRead]:
    """The API's view of orders (lines read in one query), PII masked for the role."""
    lines: dict[int, list[OrderLine]] = defaultdict(list)
    query = tenant_scope(principal, OrderLine).where(OrderLine.order_id.in_([o.id for o in orders]))
    for line in session.scalars(query.order_by(OrderLine.id)):
        lines[line.order_id].append(line)
    account = (lambda v: v) if principal.sees_pii else mask_text
    return [
        OrderRead(
            external_id=o.external_id,
            member_id=str(o.member_id),
            channel=o.channel,
            store=o.store,
            paid_at=o.paid_at,
            amount=o.amount_cents,
            list_amount=o.list_amount_cents,
            refunded=o.refunded_cents,
            status=o.status,
            is_promotion=o.is_promotion,
            lines=[_read_line(line) for line in lines[o.id]],
            shipping_address=_mask(o.shipping_address, principal.sees_pii),
            payment_method=o.payment_method,
            payment_account=account(o.payment_account) if o.payment_account else None,
            shipped_at=o.shipped_at,
            delivered_at=o.delivered_at,
            created_at=o.created_at,
        )
        for o in orders
    ]


def _read_line(line: OrderLine) -> LineRead:
    return LineRead(
        sku=line.sku,
        name=line.name,
        category=line.category,
        unit_price=line.unit_price_cents,
        list_price=line.list_price_cents,
        quantity=line.quantity,
        is_new_product=line.is_new_product,
        is_gift_wrap=line.is_gift_wrap,
    )


def list_orders(
    session: Session, principal: Principal, member_id: int, before_id: int | None, limit: int
) -> list[Order]:
    """A member's orders, newest first (by id), after the cursor."""
    query = tenant_scope(principal, Order).where(Order.member_id == member_id)
    return list(session.scalars(newest_first(query, Order.id, before_id, limit)))

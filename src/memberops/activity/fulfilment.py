"""Fulfilment: an order's goods shipped and delivered (全链路关怀's middle links).

Each moment is recorded once, by a conditional ``UPDATE … WHERE shipped_at IS NULL`` (or
``delivered_at``), and only the request that sets it publishes ``OrderShipped`` /
``OrderDelivered``: a replay, or two requests racing, change nothing the second time. A delivery
reported without a shipment also sets ``shipped_at`` (the goods left before they arrived), but
publishes only ``OrderDelivered``.
"""

from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from memberops.activity.events import OrderDelivered, OrderShipped
from memberops.activity.models import Fulfilment, Order
from memberops.activity.orders import get_order
from memberops.activity.schemas import FulfilmentUpdate
from memberops.kernel import clock
from memberops.kernel.events import publish
from memberops.tenancy.access import Principal


def _set_once(session: Session, order: Order, column: str, moment: datetime) -> bool:
    """Set the order's ``column`` to ``moment`` unless it is set; whether this set it."""
    stamp = getattr(Order, column)
    result = session.execute(
        update(Order)
        .where(Order.tenant_id == order.tenant_id, Order.id == order.id, stamp.is_(None))
        .values({column: moment})
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def record_fulfilment(
    session: Session, principal: Principal, external_id: str, body: FulfilmentUpdate
) -> tuple[Order, bool]:
    """Mark the order shipped or delivered; the order and whether this changed it (and
    published its event). 404 ``orders.not_found`` for an order not the tenant's."""
    order = get_order(session, principal, external_id)
    moment = (body.occurred_at or clock.now()).astimezone(UTC)
    if body.status == Fulfilment.shipped:
        changed = _set_once(session, order, "shipped_at", moment)
        event: OrderShipped | OrderDelivered = OrderShipped(
            principal.tenant_id, order.member_id, order.id, order.external_id
        )
    else:
        _set_once(session, order, "shipped_at", moment)
        changed = _set_once(session, order, "delivered_at", moment)
        event = OrderDelivered(principal.tenant_id, order.member_id, order.id, order.external_id)
    session.refresh(order)
    if changed:
        publish(session, event)
    return order, changed
